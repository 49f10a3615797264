package me.bittorrent.dht;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a DHT node needs to know. {@link #defaults()} is for the service; tests build their own with
 * 127.0.0.1 bootstrap nodes only.
 *
 * @param bootstrap         "host:port" routers or nodes asked first when the table is empty
 * @param stateFile         where the routing table is saved and reloaded; null keeps it in memory only
 * @param queryTimeout      how long to wait for an answer before a node counts as failed
 * @param packetsPerSecond  incoming packets handled per second, all sources together
 * @param packetsPerAddress incoming packets handled per second from one IP
 */
public record DhtConfig(List<String> bootstrap, Path stateFile, Duration queryTimeout, int alpha,
        int packetsPerSecond, int packetsPerAddress, int maxPeersPerHash, int maxHashes, int maxStoredPeers,
        Duration tokenRotation, Duration refreshInterval) {

    /** The usual public routers, used by the service unless BT_DHT_BOOTSTRAP says otherwise. Never in tests. */
    public static final List<String> PUBLIC_ROUTERS = List.of("router.bittorrent.com:6881",
            "dht.transmissionbt.com:6881", "router.utorrent.com:6881", "dht.libtorrent.org:25401");

    public DhtConfig {
        bootstrap = List.copyOf(bootstrap);
        if (alpha < 1 || packetsPerSecond < 1 || packetsPerAddress < 1) {
            throw new IllegalArgumentException("alpha and packet rates must be positive");
        }
    }

    public static DhtConfig defaults() {
        return new DhtConfig(PUBLIC_ROUTERS, null, Duration.ofSeconds(5), 3, 1000, 50, 200, 2000, 20_000,
                Duration.ofMinutes(5), Duration.ofMinutes(15));
    }

    public DhtConfig withBootstrap(List<String> nodes) {
        return new DhtConfig(nodes, stateFile, queryTimeout, alpha, packetsPerSecond, packetsPerAddress,
                maxPeersPerHash, maxHashes, maxStoredPeers, tokenRotation, refreshInterval);
    }

    public DhtConfig withStateFile(Path file) {
        return new DhtConfig(bootstrap, file, queryTimeout, alpha, packetsPerSecond, packetsPerAddress,
                maxPeersPerHash, maxHashes, maxStoredPeers, tokenRotation, refreshInterval);
    }

    public DhtConfig withRates(int perSecond, int perAddress) {
        return new DhtConfig(bootstrap, stateFile, queryTimeout, alpha, perSecond, perAddress, maxPeersPerHash,
                maxHashes, maxStoredPeers, tokenRotation, refreshInterval);
    }

    public DhtConfig withQueryTimeout(Duration timeout) {
        return new DhtConfig(bootstrap, stateFile, timeout, alpha, packetsPerSecond, packetsPerAddress,
                maxPeersPerHash, maxHashes, maxStoredPeers, tokenRotation, refreshInterval);
    }
}
