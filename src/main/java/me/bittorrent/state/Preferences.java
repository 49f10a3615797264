package me.bittorrent.state;

/**
 * Service-wide choices of the user, kept in {@code <stateDir>/preferences.json}. A null field was never set: the
 * configuration's default applies (so an older file with only {@code download_dir} still reads).
 *
 * @param downloadDir            where new torrents download to
 * @param downloadLimit          global download limit in KB/s shared by all torrents, 0 = unlimited
 * @param uploadLimit            global upload limit in KB/s, 0 = unlimited
 * @param maxConcurrentDownloads torrents downloading at once; more wait in a queue
 * @param peerPort               TCP port the BitTorrent listener binds
 * @param defaultSettings        settings a new torrent starts with
 * @param dht                    the DHT (BEP 5) runs; null = on unless BT_DHT=off
 * @param ratioLimit             global share ratio limit, -1 = none
 * @param seedingTimeLimit       global seeding time limit in minutes, -1 = none
 * @param shareLimitAction       what a reached share limit does (stop when never set)
 * @param categories             category name to save path ("" = the download folder)
 * @param tags                   every tag known (also those no torrent carries)
 * @param pex                    peer exchange (BEP 11) with public torrents' peers; null = on unless BT_PEX=off
 * @param lsd                    local service discovery (BEP 14) runs; null = on unless BT_LSD=off
 * @param altDownloadLimit       alternative download limit in KB/s (0 = unlimited), in force while altSpeedEnabled
 * @param altUploadLimit         alternative upload limit in KB/s (0 = unlimited)
 * @param altSpeedEnabled        the alternative limits apply instead of the normal ones (qBittorrent's turtle)
 */
public record Preferences(String downloadDir, Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
        Integer peerPort, TorrentSettings defaultSettings, Boolean dht, Double ratioLimit, Long seedingTimeLimit,
        ShareLimitAction shareLimitAction, java.util.Map<String, String> categories, java.util.List<String> tags,
        Boolean pex, Boolean lsd, Long altDownloadLimit, Long altUploadLimit, Boolean altSpeedEnabled) {

    public static final Preferences NONE = new Preferences(null, null, null, null, null, null, (Boolean) null);

    @com.fasterxml.jackson.annotation.JsonCreator
    public Preferences {
        categories = categories == null ? null : java.util.Map.copyOf(categories);
        tags = tags == null ? null : java.util.List.copyOf(tags);
    }

    /** Without the PEX and LSD switches and the alternative speed limits (all never set). */
    public Preferences(String downloadDir, Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
            Integer peerPort, TorrentSettings defaultSettings, Boolean dht, Double ratioLimit, Long seedingTimeLimit,
            ShareLimitAction shareLimitAction, java.util.Map<String, String> categories, java.util.List<String> tags) {
        this(downloadDir, downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, dht,
                ratioLimit, seedingTimeLimit, shareLimitAction, categories, tags, null, null, null, null,
                null);
    }

    /** Without the share limits, categories and tags (as before they existed). */
    public Preferences(String downloadDir, Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
            Integer peerPort, TorrentSettings defaultSettings, Boolean dht) {
        this(downloadDir, downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, dht, null,
                null, null, null, null);
    }

    /** Without the DHT switch, the share limits, categories and tags. */
    public Preferences(String downloadDir, Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
            Integer peerPort, TorrentSettings defaultSettings) {
        this(downloadDir, downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, (Boolean) null);
    }

    /** Without the DHT switch. */
    public Preferences(String downloadDir, Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
            Integer peerPort, TorrentSettings defaultSettings, Double ratioLimit, Long seedingTimeLimit,
            ShareLimitAction shareLimitAction, java.util.Map<String, String> categories, java.util.List<String> tags) {
        this(downloadDir, downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, null,
                ratioLimit, seedingTimeLimit, shareLimitAction, categories, tags);
    }

    /** Only a download folder (what the first version of the file held). */
    public Preferences(String downloadDir) {
        this(downloadDir, null, null, null, null, null, (Boolean) null);
    }

    public Preferences withDownloadDir(String dir) {
        return new Preferences(dir, downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings,
                dht, ratioLimit, seedingTimeLimit, shareLimitAction, categories, tags, pex, lsd, altDownloadLimit,
                altUploadLimit, altSpeedEnabled);
    }

    public Preferences withCategories(java.util.Map<String, String> value) {
        return new Preferences(downloadDir, downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort,
                defaultSettings, dht, ratioLimit, seedingTimeLimit, shareLimitAction, value, tags, pex, lsd,
                altDownloadLimit, altUploadLimit, altSpeedEnabled);
    }

    public Preferences withTags(java.util.List<String> value) {
        return new Preferences(downloadDir, downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort,
                defaultSettings, dht, ratioLimit, seedingTimeLimit, shareLimitAction, categories, value, pex, lsd,
                altDownloadLimit, altUploadLimit, altSpeedEnabled);
    }
}
