package me.bittorrent.engine;

import me.bittorrent.state.TorrentSettings;

/**
 * A torrent as GET /status shows it. Speeds in KB/s, progress in percent, sizes in bytes.
 * {@code state} is one of stopped, downloading, paused, seeding, error.
 */
public record TorrentStatus(
        String name,
        String state,
        boolean downloading,
        boolean paused,
        double progress,
        double downloadSpeed,
        double uploadSpeed,
        int downloadedPieces,
        int totalPieces,
        long totalSize,
        long downloadedSize,
        boolean completed,
        TorrentSettings settings,
        String error) {
}
