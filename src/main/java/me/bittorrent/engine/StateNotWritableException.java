package me.bittorrent.engine;

/** The state folder cannot be written, so a change could not be saved and was not made (an HTTP 503). */
public class StateNotWritableException extends RuntimeException {
    public StateNotWritableException(String message) {
        super(message);
    }
}
