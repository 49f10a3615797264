package me.bittorrent.tracker;

/** The event an announce reports (BEP 3); NONE is a regular re-announce. */
public enum AnnounceEvent {
    NONE(null, 0),
    STARTED("started", 2),
    COMPLETED("completed", 1),
    STOPPED("stopped", 3);

    private final String httpName;
    private final int udpCode;

    AnnounceEvent(String httpName, int udpCode) {
        this.httpName = httpName;
        this.udpCode = udpCode;
    }

    /** The value of the HTTP {@code event} parameter, or null when the parameter is left out. */
    String httpName() {
        return httpName;
    }

    /** The event field of a BEP 15 announce packet. */
    int udpCode() {
        return udpCode;
    }
}
