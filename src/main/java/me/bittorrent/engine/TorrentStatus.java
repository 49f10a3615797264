package me.bittorrent.engine;

import java.util.List;

import me.bittorrent.state.TorrentSettings;
import me.bittorrent.tracker.TrackerStatus;

/**
 * A torrent as GET /status shows it. Speeds in KB/s (1 KB = 1024 bytes) over the last seconds, progress in percent,
 * sizes in bytes. {@code state} is one of queued, checking, downloading, stalled, seeding, paused, stopped, completed,
 * error.
 * {@code uploaded}/{@code downloaded} are payload totals over every run; {@code eta} is seconds to completion, null
 * when unknown. The limits in force sit beside the speeds, in KB/s, 0 = unlimited: {@code downloadLimit} and
 * {@code uploadLimit} are this torrent's, {@code globalDownloadLimit}/{@code globalUploadLimit} the ones all
 * torrents share (GET /settings); the lower of the two applies. {@code metadataPeers}: in state {@code metadata} (a
 * magnet link fetching its info dictionary), the peers asked for it right now; null in every other state.
 * {@code stateReason} says in words why a torrent is {@code stalled} (downloading, but no data for 60 s or no peers
 * because every tracker fails) or {@code queued}; null in other states.
 * <p>Library: {@code category} ("" for none), {@code tags}, {@code savePath} (the folder its files are in),
 * {@code queuePosition} (1 = first in the download queue), {@code forceStart} (runs whatever the queue says),
 * {@code ratioLimit} and {@code seedingTimeLimit} (minutes) as set on the torrent (-2 = the global one, -1 = none),
 * {@code seedingTime} (seconds seeded over every run), {@code addedOn} and {@code completionOn} (epoch seconds, null
 * until complete), {@code shareLimitAction} (stop, remove, or global). {@code state} may also be moving.
 * <p>{@code timeActive}: seconds the torrent has run (downloading or seeding) over every run. {@code comment},
 * {@code createdBy}, {@code creationDate} (epoch seconds): from the .torrent, as its author wrote them (cleaned and
 * capped), null when absent.
 * <p>{@code selectedSize}: bytes of the files chosen for download (what {@code progress} is a percentage of; the
 * whole torrent when every file is chosen, 0 for a magnet link without its metadata).
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
        int peers,
        int peersKnown,
        int seeds,
        Long eta,
        long uploaded,
        long downloaded,
        double ratio,
        List<TrackerStatus> trackers,
        TorrentSettings settings,
        String error,
        long downloadLimit,
        long uploadLimit,
        long globalDownloadLimit,
        long globalUploadLimit,
        Integer metadataPeers,
        String stateReason,
        String category,
        List<String> tags,
        String savePath,
        long queuePosition,
        boolean forceStart,
        double ratioLimit,
        long seedingTimeLimit,
        long seedingTime,
        long addedOn,
        Long completionOn,
        String shareLimitAction,
        long timeActive,
        String comment,
        String createdBy,
        Long creationDate,
        long selectedSize) {
}
