package me.bittorrent.state;

/**
 * A torrent's download settings, as the API shows them and the state file keeps them.
 * Lives in {@code state} because it is persisted; the engine and the API use it as is.
 *
 * @param speedLimit     download limit in KB/s, 0 = unlimited
 * @param uploadLimit    upload limit in KB/s, 0 = unlimited
 * @param maxPeers       peers this torrent keeps connected at most
 * @param maxConnections sockets this torrent may hold at most, half-open connection attempts included
 * @param autoStop       stop the torrent once complete instead of seeding
 * @param verifyPieces   force a full re-check of the data on disk at the next start (files changed behind our back
 *                       are re-checked anyway)
 * @param preAllocate    reserve the files' full size on disk up front
 */
public record TorrentSettings(
        long speedLimit,
        long uploadLimit,
        int maxPeers,
        int maxConnections,
        boolean autoStop,
        boolean verifyPieces,
        boolean preAllocate) {

    public static final int DEFAULT_MAX_PEERS = 50;
    public static final int DEFAULT_MAX_CONNECTIONS = 100;
    public static final int LIMIT_MAX_PEERS = 1000;
    public static final int LIMIT_MAX_CONNECTIONS = 2000;

    /** Defaults for a new torrent; {@code defaultSpeedLimit} comes from bt.default-speed-limit. */
    public static TorrentSettings defaults(long defaultSpeedLimit) {
        return new TorrentSettings(defaultSpeedLimit, 0, DEFAULT_MAX_PEERS, DEFAULT_MAX_CONNECTIONS, false, false, false);
    }
}
