package me.bittorrent.bencode;

/**
 * What one bencoded input may cost: its size in bytes, how deep lists and dictionaries nest, and how many values
 * it holds. Every limit is checked before anything is allocated for it, so a 20-byte input cannot make the
 * decoder reserve gigabytes.
 */
public record BencodeLimits(int maxBytes, int maxDepth, int maxItems) {

    /** A .torrent file (the byte cap is the service's upload limit, checked by the caller). */
    public static final BencodeLimits TORRENT = new BencodeLimits(Integer.MAX_VALUE, 100, 2_000_000);
    /** An HTTP tracker's announce reply: a few KB in practice; 200 peers in dictionary form are ~20 KB. */
    public static final BencodeLimits TRACKER_REPLY = new BencodeLimits(4 * 1024 * 1024, 32, 200_000);
    /** A BEP 10 extension message from a peer (its dictionary part): libtorrent allows about this much. */
    public static final BencodeLimits PEER_MESSAGE = new BencodeLimits(1024 * 1024, 32, 10_000);
    /**
     * A DHT (KRPC) UDP packet: real ones are under 1.5 KB and nest three levels (message, reply, values list); a
     * get_peers reply of 100 peers is about 200 values.
     */
    public static final BencodeLimits KRPC_PACKET = new BencodeLimits(8 * 1024, 8, 1024);

    public BencodeLimits {
        if (maxBytes <= 0 || maxDepth <= 0 || maxItems <= 0) {
            throw new IllegalArgumentException("bencode limits must be positive");
        }
    }
}
