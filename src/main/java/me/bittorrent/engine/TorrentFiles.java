package me.bittorrent.engine;

import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.storage.PieceStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;

/** Disk work on a torrent that is not running (BLOCKING: call from a worker thread). */
final class TorrentFiles {

    private TorrentFiles() {
    }

    /**
     * Deletes a removed torrent's own files, its part file and the folders this leaves empty, through
     * {@link PieceStore#deleteFiles()} (which never touches anything outside {@code <dir>/<name>}).
     * Returns how many of the torrent's files existed before.
     */
    static int delete(TorrentMeta meta, Path downloadDir) throws IOException {
        boolean[] all = new boolean[meta.files().size()];
        Arrays.fill(all, true);
        try (PieceStore store = new PieceStore(meta, downloadDir, all, false)) {
            int existing = 0;
            for (int i = 0; i < all.length; i++) {
                if (!meta.files().get(i).padding() && Files.exists(store.pathOf(i), LinkOption.NOFOLLOW_LINKS)) {
                    existing++;
                }
            }
            store.deleteFiles();
            return existing;
        }
    }
}
