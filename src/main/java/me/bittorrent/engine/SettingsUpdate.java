package me.bittorrent.engine;

import me.bittorrent.state.TorrentSettings;

/**
 * Settings sent by a client: every field is optional, an absent one keeps its current value.
 * Units as in {@link TorrentSettings}. The library fields: {@code category} (a known category, "" for none),
 * {@code ratioLimit} and {@code seedingTimeLimit} (minutes) with -2 = use the global one, -1 = no limit, and
 * {@code shareLimitAction} ("stop", "remove", or "global").
 */
public record SettingsUpdate(
        Long speedLimit,
        Long uploadLimit,
        Integer maxPeers,
        Integer maxConnections,
        Boolean autoStop,
        Boolean verifyPieces,
        Boolean preAllocate,
        String category,
        Double ratioLimit,
        Long seedingTimeLimit,
        String shareLimitAction) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public SettingsUpdate {
    }

    /** Only the transfer settings (the library fields keep their value). */
    public SettingsUpdate(Long speedLimit, Long uploadLimit, Integer maxPeers, Integer maxConnections,
            Boolean autoStop, Boolean verifyPieces, Boolean preAllocate) {
        this(speedLimit, uploadLimit, maxPeers, maxConnections, autoStop, verifyPieces, preAllocate, null, null, null,
                null);
    }

    /** Whether any library field (category, share limits) is set. */
    public boolean touchesLibrary() {
        return category != null || ratioLimit != null || seedingTimeLimit != null || shareLimitAction != null;
    }

    public static final SettingsUpdate NONE = new SettingsUpdate(null, null, null, null, null, null, null);

    /**
     * Highest rate limit in KB/s: 100 GB/s, far above any link, and small enough that the bytes per second
     * (times 1024) and the token buckets built on them can never overflow (2^54 + 1 KB/s used to wrap to 1 KB/s).
     */
    public static final long MAX_RATE_KBPS = 100_000_000L;

    /** Checks a rate limit sent by a client; {@code name} is the field as the client wrote it. */
    static void checkRate(String name, long kilobytesPerSecond) {
        if (kilobytesPerSecond < 0 || kilobytesPerSecond > MAX_RATE_KBPS) {
            throw new InvalidRequestException(name + " must be 0 (unlimited) or a number of KB/s up to "
                    + MAX_RATE_KBPS + ", not " + kilobytesPerSecond);
        }
    }

    /** The settings with this update applied; throws {@link InvalidRequestException} naming a bad value. */
    public TorrentSettings applyTo(TorrentSettings current) {
        long speed = speedLimit != null ? speedLimit : current.speedLimit();
        long upload = uploadLimit != null ? uploadLimit : current.uploadLimit();
        int peers = maxPeers != null ? maxPeers : current.maxPeers();
        int connections = maxConnections != null ? maxConnections : current.maxConnections();
        checkRate("speed_limit", speed);
        checkRate("upload_limit", upload);
        if (peers < 1 || peers > TorrentSettings.LIMIT_MAX_PEERS) {
            throw new InvalidRequestException("max_peers must be between 1 and " + TorrentSettings.LIMIT_MAX_PEERS);
        }
        if (connections < 1 || connections > TorrentSettings.LIMIT_MAX_CONNECTIONS) {
            throw new InvalidRequestException(
                    "max_connections must be between 1 and " + TorrentSettings.LIMIT_MAX_CONNECTIONS);
        }
        return new TorrentSettings(speed, upload, peers, connections,
                autoStop != null ? autoStop : current.autoStop(),
                verifyPieces != null ? verifyPieces : current.verifyPieces(),
                preAllocate != null ? preAllocate : current.preAllocate());
    }
}
