package me.bittorrent.engine;

import java.util.BitSet;
import java.util.List;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;

/** Per-file progress derived from the verified pieces (for {@code GET /files/{id}}). */
public final class FileProgress {

    private FileProgress() {
    }

    /** Verified bytes of each file, indexed like {@code meta.files()} (padding files included, as 0). */
    public static long[] bytesDone(TorrentMeta meta, BitSet verified) {
        List<TorrentFile> files = meta.files();
        long[] done = new long[files.size()];
        long pieceLength = meta.pieceLength();
        for (int i = 0; i < files.size(); i++) {
            TorrentFile f = files.get(i);
            if (f.padding() || f.length() == 0) {
                continue;
            }
            long start = f.offset();
            long end = start + f.length();
            int first = (int) (start / pieceLength);
            int last = (int) ((end - 1) / pieceLength);
            for (int p = verified.nextSetBit(first); p >= 0 && p <= last; p = verified.nextSetBit(p + 1)) {
                long pieceStart = p * pieceLength;
                long pieceEnd = Math.min(pieceStart + pieceLength, meta.totalLength());
                done[i] += Math.min(end, pieceEnd) - Math.max(start, pieceStart);
            }
        }
        return done;
    }
}
