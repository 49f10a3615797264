package me.bittorrent.dht;

/**
 * Figures for /status, /health and metrics.
 *
 * @param nodes         good and questionable nodes in the routing table
 * @param storedPeers   peers others announced to us
 * @param rateLimited   packets dropped by the per-second limits
 * @param malformed     packets dropped as malformed
 * @param answered      queries from other nodes we answered
 */
public record DhtStats(int nodes, int storedPeers, long rateLimited, long malformed, long answered) {
}
