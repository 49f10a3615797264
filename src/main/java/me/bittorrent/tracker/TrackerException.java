package me.bittorrent.tracker;

/** An announce that did not work: the message is the tracker's failure reason or the transport problem in words. */
public class TrackerException extends Exception {

    public TrackerException(String message) {
        super(message);
    }

    public TrackerException(String message, Throwable cause) {
        super(message, cause);
    }
}
