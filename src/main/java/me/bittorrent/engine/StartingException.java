package me.bittorrent.engine;

/** The service has just started and has not restored its stored torrents yet (an HTTP 503, try again soon). */
public class StartingException extends RuntimeException {
    public StartingException(String message) {
        super(message);
    }
}
