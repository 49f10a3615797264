package me.bittorrent.engine;

/** One file of a torrent: its path as shown to users, size in bytes, whether it is wanted, percent verified. */
public record FileStatus(String path, long size, boolean selected, double progress) {
}
