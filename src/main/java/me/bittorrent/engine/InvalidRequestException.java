package me.bittorrent.engine;

/** The request cannot be carried out as asked; the message tells the user why (an HTTP 400). */
public class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
