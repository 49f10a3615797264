package me.bittorrent.engine.session;

/**
 * What a torrent session may use; applied live with {@link TorrentSession#updateSettings}.
 *
 * @param downloadLimit  bytes/s we request at most, 0 = unlimited
 * @param uploadLimit    bytes/s we send at most, 0 = unlimited
 * @param maxPeers       established peer connections at most
 * @param maxConnections sockets at most, half-open connection attempts included
 * @param preallocate    reserve the files' full size when the store opens
 */
public record SessionSettings(long downloadLimit, long uploadLimit, int maxPeers, int maxConnections,
        boolean preallocate) {

    public static final SessionSettings DEFAULTS = new SessionSettings(0, 0, 50, 100, false);

    public SessionSettings {
        downloadLimit = Math.max(0, downloadLimit);
        uploadLimit = Math.max(0, uploadLimit);
        maxPeers = Math.max(1, maxPeers);
        maxConnections = Math.max(1, maxConnections);
    }
}
