package me.bittorrent.engine;

import me.bittorrent.state.TorrentSettings;

/**
 * Settings sent by a client: every field is optional, an absent one keeps its current value.
 * Units as in {@link TorrentSettings}.
 */
public record SettingsUpdate(
        Long speedLimit,
        Long uploadLimit,
        Integer maxPeers,
        Integer maxConnections,
        Boolean autoStop,
        Boolean verifyPieces,
        Boolean preAllocate) {

    public static final SettingsUpdate NONE = new SettingsUpdate(null, null, null, null, null, null, null);

    /** The settings with this update applied; throws {@link InvalidRequestException} naming a bad value. */
    public TorrentSettings applyTo(TorrentSettings current) {
        long speed = speedLimit != null ? speedLimit : current.speedLimit();
        long upload = uploadLimit != null ? uploadLimit : current.uploadLimit();
        int peers = maxPeers != null ? maxPeers : current.maxPeers();
        int connections = maxConnections != null ? maxConnections : current.maxConnections();
        if (speed < 0) {
            throw new InvalidRequestException("speed_limit must be 0 (unlimited) or a positive number of KB/s");
        }
        if (upload < 0) {
            throw new InvalidRequestException("upload_limit must be 0 (unlimited) or a positive number of KB/s");
        }
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
