package me.bittorrent.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;

/**
 * Maps byte ranges of pieces to byte ranges of files. Pure computation, immutable, safe to share across threads.
 * Zero-length files own no bytes, so they never appear in a span; padding files do appear (callers skip them).
 */
public final class PieceLayout {

    private final TorrentMeta meta;
    /** Indices of the files that have at least one byte, in stream order. */
    private final int[] nonEmpty;
    /** Stream offset of each entry of {@link #nonEmpty}, ascending: binary-searched per lookup. */
    private final long[] starts;

    public PieceLayout(TorrentMeta meta) {
        this.meta = meta;
        if (meta.pieceLength() <= 0) {
            throw new IllegalArgumentException("piece length must be positive");
        }
        List<TorrentFile> files = meta.files();
        int[] idx = new int[files.size()];
        long[] off = new long[files.size()];
        int n = 0;
        long expected = 0;
        for (int i = 0; i < files.size(); i++) {
            TorrentFile f = files.get(i);
            if (f.length() < 0 || f.offset() != expected) {
                throw new IllegalArgumentException("file " + i + " does not follow the previous file in the torrent");
            }
            if (f.length() > 0) {
                idx[n] = i;
                off[n] = f.offset();
                n++;
            }
            expected += f.length();
        }
        if (expected != meta.totalLength()) {
            throw new IllegalArgumentException("file lengths do not add up to the torrent's total length");
        }
        long pieces = (meta.totalLength() + meta.pieceLength() - 1) / meta.pieceLength();
        if (pieces != meta.pieceCount()) {
            throw new IllegalArgumentException("the torrent has " + meta.pieceCount() + " piece hashes but its size needs " + pieces);
        }
        this.nonEmpty = Arrays.copyOf(idx, n);
        this.starts = Arrays.copyOf(off, n);
    }

    /** The file ranges holding bytes {@code [begin, begin+length)} of {@code piece}, in order. */
    public List<FileSpan> spans(int piece, int begin, int length) {
        if (piece < 0 || piece >= meta.pieceCount()) {
            throw new IllegalArgumentException("no piece " + piece);
        }
        if (begin < 0 || length < 0 || (long) begin + length > meta.pieceSize(piece)) {
            throw new IllegalArgumentException("range " + begin + "+" + length + " is outside piece " + piece);
        }
        if (length == 0) {
            return List.of();
        }
        long pieceStart = meta.geometry().pieceStart(piece);
        long pos = pieceStart + begin;
        long end = pos + length;
        int k = fileAt(pos);
        List<FileSpan> out = new ArrayList<>(2);
        while (pos < end) {
            int fi = nonEmpty[k++];
            TorrentFile f = meta.files().get(fi);
            int n = (int) (Math.min(end, f.offset() + f.length()) - pos);
            out.add(new FileSpan(fi, pos - f.offset(), (int) (pos - pieceStart), n));
            pos += n;
        }
        return out;
    }

    /** The spans of a whole piece. */
    public List<FileSpan> spans(int piece) {
        return spans(piece, 0, meta.pieceSize(piece));
    }

    /** First piece holding a byte of the file. For an empty file: the piece at its position, see {@link #lastPiece}. */
    public int firstPiece(int fileIndex) {
        return meta.geometry().pieceAt(meta.files().get(fileIndex).offset());
    }

    /** Last piece holding a byte of the file; {@code firstPiece - 1} for an empty file (an empty range). */
    public int lastPiece(int fileIndex) {
        TorrentFile f = meta.files().get(fileIndex);
        if (f.length() == 0) {
            return firstPiece(fileIndex) - 1;
        }
        return meta.geometry().lastPieceOf(f.offset(), f.length());
    }

    /** Position in {@link #nonEmpty} of the file containing stream byte {@code pos}. */
    private int fileAt(long pos) {
        int i = Arrays.binarySearch(starts, pos);
        return i >= 0 ? i : -i - 2;
    }
}
