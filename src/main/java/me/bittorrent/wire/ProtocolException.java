package me.bittorrent.wire;

/** The peer broke the wire protocol (bad handshake, malformed or oversized frame). Closes that connection only. */
public final class ProtocolException extends RuntimeException {

    public ProtocolException(String message) {
        super(message);
    }
}
