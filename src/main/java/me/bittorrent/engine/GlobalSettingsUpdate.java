package me.bittorrent.engine;

/**
 * A {@code POST /settings} body: every field optional, an absent one keeps its value. {@code default_settings}
 * takes the per-torrent fields, also each optional.
 */
public record GlobalSettingsUpdate(Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
        Integer peerPort, SettingsUpdate defaultSettings, Boolean dht, Double ratioLimit, Long seedingTimeLimit,
        String shareLimitAction, Boolean pex, Boolean lsd, Long altDownloadLimit, Long altUploadLimit,
        Boolean altSpeedEnabled) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public GlobalSettingsUpdate {
    }

    /** Without the PEX and LSD switches and the alternative speed limits (they keep their value). */
    public GlobalSettingsUpdate(Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
            Integer peerPort, SettingsUpdate defaultSettings, Boolean dht, Double ratioLimit, Long seedingTimeLimit,
            String shareLimitAction) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, dht, ratioLimit,
                seedingTimeLimit, shareLimitAction, null, null, null, null, null);
    }

    /** Without the alternative speed limits (they keep their value). */
    public GlobalSettingsUpdate(Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
            Integer peerPort, SettingsUpdate defaultSettings, Boolean dht, Double ratioLimit, Long seedingTimeLimit,
            String shareLimitAction, Boolean pex, Boolean lsd) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, dht, ratioLimit,
                seedingTimeLimit, shareLimitAction, pex, lsd, null, null, null);
    }

    /** Only the alternative speed limits and their switch (each optional). */
    public static GlobalSettingsUpdate altSpeed(Long altDownloadLimit, Long altUploadLimit, Boolean altSpeedEnabled) {
        return new GlobalSettingsUpdate(null, null, null, null, null, null, null, null, null, null, null,
                altDownloadLimit, altUploadLimit, altSpeedEnabled);
    }

    /** Without share limits (they keep their value). */
    public GlobalSettingsUpdate(Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads, Integer peerPort,
            SettingsUpdate defaultSettings, Boolean dht) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, dht, null, null, null);
    }

    /** Without the DHT switch and share limits (they keep their value). */
    public GlobalSettingsUpdate(Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads, Integer peerPort,
            SettingsUpdate defaultSettings) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, null, null, null, null);
    }

    /** Without the DHT switch (it keeps its value). */
    public GlobalSettingsUpdate(Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads, Integer peerPort,
            SettingsUpdate defaultSettings, Double ratioLimit, Long seedingTimeLimit, String shareLimitAction) {
        this(downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings, null, ratioLimit,
                seedingTimeLimit, shareLimitAction);
    }

    public static final int LIMIT_MAX_CONCURRENT_DOWNLOADS = 1000;

    /** The settings with this update applied; throws {@link InvalidRequestException} naming a bad value. */
    public GlobalSettings applyTo(GlobalSettings current) {
        long down = downloadLimit != null ? downloadLimit : current.downloadLimit();
        long up = uploadLimit != null ? uploadLimit : current.uploadLimit();
        int concurrent = maxConcurrentDownloads != null ? maxConcurrentDownloads : current.maxConcurrentDownloads();
        int port = peerPort != null ? peerPort : current.peerPort();
        SettingsUpdate.checkRate("download_limit", down);
        SettingsUpdate.checkRate("upload_limit", up);
        long altDown = altDownloadLimit != null ? altDownloadLimit : current.altDownloadLimit();
        long altUp = altUploadLimit != null ? altUploadLimit : current.altUploadLimit();
        SettingsUpdate.checkRate("alt_download_limit", altDown);
        SettingsUpdate.checkRate("alt_upload_limit", altUp);
        if (concurrent < 1 || concurrent > LIMIT_MAX_CONCURRENT_DOWNLOADS) {
            throw new InvalidRequestException(
                    "max_concurrent_downloads must be between 1 and " + LIMIT_MAX_CONCURRENT_DOWNLOADS);
        }
        if (peerPort != null && (port < 1 || port > 65535)) { // the configured 0 (any free port, tests) may stay
            throw new InvalidRequestException("peer_port must be between 1 and 65535");
        }
        var defaults = current.defaultSettings();
        if (defaultSettings != null) {
            try {
                defaults = defaultSettings.applyTo(defaults);
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException("default_settings: " + e.getMessage());
            }
        }
        double ratio = ratioLimit != null ? ShareLimits.checkedRatio("ratio_limit", ratioLimit, false)
                : current.ratioLimit();
        long minutes = seedingTimeLimit != null
                ? ShareLimits.checkedMinutes("seeding_time_limit", seedingTimeLimit, false) : current.seedingTimeLimit();
        var action = shareLimitAction != null ? ShareLimits.checkedAction(shareLimitAction) : current.shareLimitAction();
        return new GlobalSettings(down, up, concurrent, port, defaults, dht != null ? dht : current.dht(), ratio,
                minutes, action, pex != null ? pex : current.pex(), lsd != null ? lsd : current.lsd(), altDown, altUp,
                altSpeedEnabled != null ? altSpeedEnabled : current.altSpeedEnabled());
    }
}
