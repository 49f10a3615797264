package me.bittorrent.engine;

import me.bittorrent.state.TorrentSettings;

/**
 * The service-wide settings as {@code GET /settings} shows them.
 *
 * @param downloadLimit          global download limit, KB/s (1 KB = 1024 bytes), shared by all torrents; 0 = unlimited
 * @param uploadLimit            global upload limit, KB/s; 0 = unlimited
 * @param maxConcurrentDownloads torrents downloading at once; the newest others wait queued
 * @param peerPort               TCP port for incoming BitTorrent peers
 * @param defaultSettings        what a new torrent starts with (the per-torrent settings shape)
 * @param dht                    the DHT (BEP 5) finds peers for public torrents; false when BT_DHT=off
 * @param ratioLimit             share ratio at which a seeding torrent stops (or is removed), -1 = none
 * @param seedingTimeLimit       minutes of seeding after which it stops (or is removed), -1 = none
 * @param shareLimitAction       stop or remove, when a torrent reaches its share limit
 * @param pex                    peer exchange (BEP 11) with the peers of public torrents; false when BT_PEX=off
 * @param lsd                    local service discovery (BEP 14) for public torrents; false when BT_LSD=off
 * @param altDownloadLimit       alternative download limit, KB/s, 0 = unlimited (in force while altSpeedEnabled)
 * @param altUploadLimit         alternative upload limit, KB/s, 0 = unlimited
 * @param altSpeedEnabled        the alternative limits apply instead of download/upload limit
 */
public record GlobalSettings(long downloadLimit, long uploadLimit, int maxConcurrentDownloads, int peerPort,
        TorrentSettings defaultSettings, boolean dht, double ratioLimit, long seedingTimeLimit,
        me.bittorrent.state.ShareLimitAction shareLimitAction, boolean pex, boolean lsd, long altDownloadLimit,
        long altUploadLimit, boolean altSpeedEnabled) {

    /** Without the PEX and LSD switches (on) and the alternative speed limits (off, unlimited). */
    public GlobalSettings(long downloadLimit, long uploadLimit, int maxConcurrentDownloads, int peerPort,
            TorrentSettings defaultSettings, boolean dht, double ratioLimit, long seedingTimeLimit,
            me.bittorrent.state.ShareLimitAction shareLimitAction) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, dht, ratioLimit,
                seedingTimeLimit, shareLimitAction, true, true, 0, 0, false);
    }

    /** The global download limit in force, KB/s (the alternative one while it is switched on); 0 = unlimited. */
    public long activeDownloadLimit() {
        return altSpeedEnabled ? altDownloadLimit : downloadLimit;
    }

    /** The global upload limit in force, KB/s; 0 = unlimited. */
    public long activeUploadLimit() {
        return altSpeedEnabled ? altUploadLimit : uploadLimit;
    }

    /** Without share limits (none, stop). */
    public GlobalSettings(long downloadLimit, long uploadLimit, int maxConcurrentDownloads, int peerPort,
            TorrentSettings defaultSettings, boolean dht) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, dht, -1, -1,
                me.bittorrent.state.ShareLimitAction.STOP);
    }

    /** Without the DHT and share limits (tests). */
    public GlobalSettings(long downloadLimit, long uploadLimit, int maxConcurrentDownloads, int peerPort,
            TorrentSettings defaultSettings) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, false);
    }

    /** Without the DHT (tests). */
    public GlobalSettings(long downloadLimit, long uploadLimit, int maxConcurrentDownloads, int peerPort,
            TorrentSettings defaultSettings, double ratioLimit, long seedingTimeLimit,
            me.bittorrent.state.ShareLimitAction shareLimitAction) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, false, ratioLimit,
                seedingTimeLimit, shareLimitAction);
    }

    /** Bytes per second for a limit in KB/s. */
    public static long bytesPerSecond(long kilobytesPerSecond) {
        return Math.max(0, kilobytesPerSecond) * 1024;
    }
}
