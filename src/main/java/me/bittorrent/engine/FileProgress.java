package me.bittorrent.engine;

import java.util.BitSet;
import java.util.List;

import me.bittorrent.metainfo.PieceGeometry;
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
        PieceGeometry geometry = meta.geometry();
        for (int i = 0; i < files.size(); i++) {
            TorrentFile f = files.get(i);
            if (f.padding() || f.length() == 0) {
                continue;
            }
            done[i] = geometry.bytesIn(verified, f.offset(), f.length());
        }
        return done;
    }
}
