package me.bittorrent.engine.session;

import java.util.Locale;

/**
 * A running session's state, as its events, snapshots, the runner and the registry see it. The API shows
 * {@link #apiName()}; the registry adds {@code queued} and {@code completed} for torrents without a session.
 */
public enum SessionState {
    /** A magnet link fetching its info dictionary from peers ({@code MetadataSession}); no files yet. */
    METADATA,
    /** Comparing the files on disk with the piece hashes. */
    CHECKING,
    DOWNLOADING,
    /** Every wanted piece is verified; uploading. */
    SEEDING,
    PAUSED,
    STOPPED,
    /** A disk error or unreadable files; the snapshot's {@code error} says why. */
    ERROR,
    /**
     * Downloading, but no peer has sent data for a while, or there are no peers because every tracker fails.
     * Never emitted by a session: the runner derives it from a DOWNLOADING session's snapshot (STATE.md
     * "Stalled"), and the status's {@code state_reason} says why.
     */
    STALLED,
    /** Its files are being moved to another folder (setLocation); the runner's state, never a session's. */
    MOVING;

    /** The name users and the API see: metadata, checking, downloading, seeding, paused, stopped, error, stalled, moving. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Holds a download slot of the queue (STATE.md "Queueing rule"). */
    public boolean downloads() {
        return this == CHECKING || this == DOWNLOADING || this == STALLED;
    }
}
