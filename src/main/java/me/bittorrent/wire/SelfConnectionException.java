package me.bittorrent.wire;

/** A dial reached our own listener (same peer id): the address is ours, never worth dialling again. */
public final class SelfConnectionException extends RuntimeException {

    public SelfConnectionException() {
        super("connected to ourselves");
    }
}
