package me.bittorrent.tracker;

import java.time.Instant;

/**
 * How one tracker of a torrent is doing. {@code status} is one of "not contacted", "working", "updating",
 * "error"; {@code lastError} is null unless the last announce failed; {@code peersReceived} counts the peers of
 * the last successful answer; {@code nextAnnounce} is when the tracker asked to hear from us again, or after a
 * failure when it is tried again (the back-off); null until then.
 */
public record TrackerStatus(String url, String status, String lastError, int peersReceived, Instant nextAnnounce) {

    public static final String NOT_CONTACTED = "not contacted";
    public static final String WORKING = "working";
    public static final String UPDATING = "updating";
    public static final String ERROR = "error";
}
