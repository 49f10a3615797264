package me.bittorrent.engine;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.Bitfields;
import me.bittorrent.state.StoredTorrent;
import me.bittorrent.state.TorrentLifecycle;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of one torrent in the registry. A change makes a new snapshot which replaces the old one
 * atomically in the engine's map, so readers never see a half-applied change.
 *
 * @param meta   the parsed .torrent, or null when the saved .torrent could not be read (then {@code error} says why)
 * @param stored what is persisted about the torrent
 */
public record RegisteredTorrent(TorrentMeta meta, StoredTorrent stored) {

    public String id() {
        return stored.id();
    }

    public String name() {
        return meta != null ? meta.name() : stored.name();
    }

    public boolean inError() {
        return stored.error() != null;
    }

    /** The API's state name: the lifecycle, or "error". */
    public String state() {
        return inError() ? "error" : stored.lifecycle().apiName();
    }

    public BitSet verifiedPieces() {
        return meta == null ? new BitSet() : Bitfields.fromBase64(stored.verifiedPieces(), meta.pieceCount());
    }

    public long verifiedBytes() {
        if (meta == null) {
            return 0;
        }
        BitSet verified = verifiedPieces();
        long bytes = 0;
        for (int i = verified.nextSetBit(0); i >= 0; i = verified.nextSetBit(i + 1)) {
            bytes += meta.pieceSize(i);
        }
        return bytes;
    }

    public boolean isSelected(TorrentFile file) {
        return stored.fileSelection().getOrDefault(file.displayPath(), Boolean.TRUE);
    }

    /** Speeds are 0 and downloading false here: nothing transfers until the transfer engine runs the torrent. */
    public TorrentStatus status() {
        int total = meta == null ? 0 : meta.pieceCount();
        int verified = verifiedPieces().cardinality();
        long totalSize = meta == null ? 0 : meta.totalLength();
        long done = verifiedBytes();
        return new TorrentStatus(name(), state(), false, !inError() && stored.lifecycle() == TorrentLifecycle.PAUSED,
                percent(done, totalSize), 0.0, 0.0, verified, total, totalSize, done,
                total > 0 && verified == total, stored.settings(), stored.error());
    }

    public List<FileStatus> files() {
        if (meta == null) {
            return List.of();
        }
        BitSet verified = verifiedPieces();
        List<FileStatus> files = new ArrayList<>();
        for (TorrentFile file : meta.visibleFiles()) {
            files.add(new FileStatus(file.displayPath(), file.length(), isSelected(file),
                    percent(verifiedBytesOf(file, verified), file.length())));
        }
        return files;
    }

    /** The full selection, every visible file named: what the state file keeps. */
    public Map<String, Boolean> selection() {
        Map<String, Boolean> selection = new java.util.LinkedHashMap<>();
        if (meta != null) {
            for (TorrentFile file : meta.visibleFiles()) {
                selection.put(file.displayPath(), isSelected(file));
            }
        }
        return selection;
    }

    private long verifiedBytesOf(TorrentFile file, BitSet verified) {
        if (file.length() == 0) {
            return 0;
        }
        long start = file.offset();
        long end = start + file.length();
        int first = (int) (start / meta.pieceLength());
        int last = (int) ((end - 1) / meta.pieceLength());
        long bytes = 0;
        for (int i = verified.nextSetBit(first); i >= 0 && i <= last; i = verified.nextSetBit(i + 1)) {
            long pieceStart = (long) i * meta.pieceLength();
            long pieceEnd = pieceStart + meta.pieceSize(i);
            bytes += Math.min(end, pieceEnd) - Math.max(start, pieceStart);
        }
        return bytes;
    }

    static double percent(long part, long whole) {
        if (whole <= 0) {
            return 0.0;
        }
        return Math.round(part * 10000.0 / whole) / 100.0;
    }
}
