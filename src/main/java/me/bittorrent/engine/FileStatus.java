package me.bittorrent.engine;

/**
 * One file of a torrent: its path as shown to users, size in bytes, whether it is wanted, percent verified, and its
 * priority (skip, low, normal, high; skip exactly when not selected).
 */
public record FileStatus(String path, long size, boolean selected, double progress, String priority) {

    /** Without a priority: normal when selected, else skip. */
    public FileStatus(String path, long size, boolean selected, double progress) {
        this(path, size, selected, progress, selected ? "normal" : "skip");
    }
}
