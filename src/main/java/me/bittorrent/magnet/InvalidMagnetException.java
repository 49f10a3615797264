package me.bittorrent.magnet;

/** A magnet link we refuse, with a message a user can act on. */
public final class InvalidMagnetException extends Exception {

    public InvalidMagnetException(String message) {
        super(message);
    }
}
