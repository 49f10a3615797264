package me.bittorrent.engine;

/** What removing a torrent did: its name, and how many of its files were deleted from disk. */
public record Removal(String torrentId, String name, boolean filesDeleted, int deletedFileCount) {
}
