package me.bittorrent.api.qbittorrent;

import java.util.Locale;

/** qBittorrent 5's torrent states, as torrents/info shows them; and its list filters. */
enum QbState {
    ERROR("error"), MISSING_FILES("missingFiles"),
    UPLOADING("uploading"), STOPPED_UP("stoppedUP"), QUEUED_UP("queuedUP"), STALLED_UP("stalledUP"),
    CHECKING_UP("checkingUP"), FORCED_UP("forcedUP"),
    DOWNLOADING("downloading"), META_DL("metaDL"), STOPPED_DL("stoppedDL"), QUEUED_DL("queuedDL"),
    STALLED_DL("stalledDL"), CHECKING_DL("checkingDL"), FORCED_DL("forcedDL"),
    CHECKING_RESUME_DATA("checkingResumeData"), MOVING("moving"), UNKNOWN("unknown");

    final String wire;

    QbState(String wire) {
        this.wire = wire;
    }

    /**
     * From our state name (TorrentStatus.state): {@code complete} says whether every wanted piece is verified (UP
     * or DL), {@code active} whether data moves in the wanted direction (else stalled).
     */
    static QbState of(String state, boolean complete, boolean active) {
        return switch (state) {
            case "downloading" -> complete ? (active ? UPLOADING : STALLED_UP) : (active ? DOWNLOADING : STALLED_DL);
            case "seeding" -> active ? UPLOADING : STALLED_UP;
            case "stalled" -> complete ? STALLED_UP : STALLED_DL;
            case "queued" -> complete ? QUEUED_UP : QUEUED_DL;
            case "checking" -> complete ? CHECKING_UP : CHECKING_DL;
            case "metadata" -> META_DL;
            case "paused", "stopped" -> complete ? STOPPED_UP : STOPPED_DL;
            case "completed" -> STOPPED_UP;
            case "error" -> ERROR;
            case "moving" -> MOVING;
            default -> UNKNOWN;
        };
    }

    /** The forced variant of a running state (force start on). */
    QbState forced() {
        return switch (this) {
            case DOWNLOADING, STALLED_DL -> FORCED_DL;
            case UPLOADING, STALLED_UP -> FORCED_UP;
            default -> this;
        };
    }

    boolean downloadSide() {
        return switch (this) {
            case DOWNLOADING, META_DL, STOPPED_DL, QUEUED_DL, STALLED_DL, CHECKING_DL, FORCED_DL -> true;
            default -> false;
        };
    }

    boolean uploadSide() {
        return switch (this) {
            case UPLOADING, STOPPED_UP, QUEUED_UP, STALLED_UP, CHECKING_UP, FORCED_UP -> true;
            default -> false;
        };
    }

    boolean stopped() {
        return this == STOPPED_DL || this == STOPPED_UP;
    }

    /** Whether a torrent in this state with these rates passes qBittorrent's {@code filter}; unknown: all pass. */
    boolean matches(String filter, long dlspeed, long upspeed) {
        boolean active = dlspeed > 0 || upspeed > 0;
        return switch (filter == null ? "all" : filter.toLowerCase(Locale.ROOT)) {
            case "downloading" -> downloadSide();
            case "seeding" -> this == UPLOADING || this == FORCED_UP || this == STALLED_UP || this == QUEUED_UP
                    || this == CHECKING_UP;
            case "completed" -> uploadSide();
            case "stopped", "paused" -> stopped();
            case "running", "resumed" -> !stopped();
            case "active" -> active;
            case "inactive" -> !active;
            case "stalled" -> this == STALLED_DL || this == STALLED_UP;
            case "stalled_uploading" -> this == STALLED_UP;
            case "stalled_downloading" -> this == STALLED_DL;
            case "checking" -> this == CHECKING_DL || this == CHECKING_UP || this == CHECKING_RESUME_DATA;
            case "moving" -> this == MOVING;
            case "errored" -> this == ERROR || this == MISSING_FILES;
            default -> true;
        };
    }
}
