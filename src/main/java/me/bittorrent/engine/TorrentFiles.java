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

    /**
     * Moves a stopped torrent's files (and its part file) from {@code from} to {@code to}, through two
     * {@link PieceStore}s so every path stays inside its folder. Refuses when any target exists (nothing is
     * overwritten); on a failure the files already moved go back. Folders left empty in {@code from} are removed.
     * Returns how many files moved.
     */
    static int move(TorrentMeta meta, Path from, Path to) throws IOException {
        boolean[] all = new boolean[meta.files().size()];
        Arrays.fill(all, true);
        java.util.List<Path[]> moves = new java.util.ArrayList<>();
        try (PieceStore source = new PieceStore(meta, from, all, false);
                PieceStore target = new PieceStore(meta, to, all, false)) {
            for (int i = 0; i < all.length; i++) {
                if (!meta.files().get(i).padding() && Files.isRegularFile(source.pathOf(i), LinkOption.NOFOLLOW_LINKS)) {
                    moves.add(new Path[] {source.pathOf(i), target.pathOf(i)});
                }
            }
            if (Files.isRegularFile(source.partFilePath(), LinkOption.NOFOLLOW_LINKS)) {
                moves.add(new Path[] {source.partFilePath(), target.partFilePath()});
            }
        }
        for (Path[] m : moves) {
            if (Files.exists(m[1], LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("a file " + m[1] + " is already there (nothing was moved)");
            }
        }
        java.util.List<Path[]> done = new java.util.ArrayList<>();
        try {
            for (Path[] m : moves) {
                Files.createDirectories(m[1].getParent());
                Files.move(m[0], m[1]);
                done.add(m);
            }
        } catch (IOException | RuntimeException e) {
            for (int i = done.size() - 1; i >= 0; i--) {
                try {
                    Files.move(done.get(i)[1], done.get(i)[0]);
                } catch (IOException ignored) {
                    // the reason of the first failure is what the user needs; this file stays in the new folder
                }
            }
            throw new IOException(me.bittorrent.storage.FileFailures.inWords(e), e); // the path AND why
        }
        if (meta.multiFile()) {
            removeEmptyFolders(from.resolve(meta.name()).normalize(), from);
        }
        return moves.size();
    }

    /** Deletes {@code top} and the folders below it when they hold nothing (only below {@code root}). */
    private static void removeEmptyFolders(Path top, Path root) throws IOException {
        if (!top.startsWith(root) || top.equals(root) || !Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(top)) {
            for (Path dir : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    try (var entries = Files.list(dir)) {
                        if (entries.findAny().isEmpty()) {
                            Files.delete(dir);
                        }
                    }
                }
            }
        }
    }
}
