package me.bittorrent.engine;

/** A control that does not fit the torrent's state (e.g. resume when it is not paused); the message says why. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
