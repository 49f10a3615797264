package me.bittorrent;

/** The product's version and the client id it announces to peers and trackers (Azureus style, BEP 20). */
public final class Version {
    public static final String VERSION = "0.1.0";
    /** Peer-id prefix: "-BM0100-" = bittorrent-me 0.1.0. */
    public static final String PEER_ID_PREFIX = "-BM0100-";

    private Version() {
    }
}
