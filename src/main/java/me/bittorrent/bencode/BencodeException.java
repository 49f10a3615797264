package me.bittorrent.bencode;

/**
 * Input that is not bencode, or that breaks one of the decoder's {@link BencodeLimits}. The detail says what is
 * wrong in plain words; {@link #at()} is the byte offset where it was found.
 */
public final class BencodeException extends Exception {

    /** What kind of rule the input broke, so each caller can word it for its own users. */
    public enum Reason {
        MALFORMED, TOO_LARGE, TOO_DEEP, TOO_MANY_ITEMS, TRAILING_DATA
    }

    private final Reason reason;
    private final String detail;
    private final int at;

    BencodeException(Reason reason, String detail, int at) {
        super(detail + " (at byte " + at + ")", null, false, false); // no stack trace: hostile input is routine
        this.reason = reason;
        this.detail = detail;
        this.at = at;
    }

    public Reason reason() {
        return reason;
    }

    /** The problem without its position, e.g. "a string of 2000000000 bytes runs past the end of the input". */
    public String detail() {
        return detail;
    }

    public int at() {
        return at;
    }
}
