package me.bittorrent.engine;

import me.bittorrent.state.ShareLimitAction;
import me.bittorrent.state.TorrentLibrary;

/**
 * The share limits in force for one torrent: its own, or the global ones where it has none (qBittorrent's -2), and
 * whether they are reached. Ratio as qBittorrent computes it: uploaded over downloaded, where a torrent that
 * downloaded less than 1% of what it holds (seeded from local files) counts what it holds.
 *
 * @param ratio          -1 = none
 * @param seedingMinutes -1 = none
 */
public record ShareLimits(double ratio, long seedingMinutes, ShareLimitAction action) {

    /** qBittorrent's "use the global limit" on the wire. */
    public static final double USE_GLOBAL = -2;
    static final double MAX_RATIO = 9998;
    static final long MAX_MINUTES = 525_600L * 100;

    static ShareLimits of(TorrentLibrary library, GlobalSettings global) {
        return new ShareLimits(library.ratioLimit() != null ? library.ratioLimit() : global.ratioLimit(),
                library.seedingTimeLimit() != null ? library.seedingTimeLimit() : global.seedingTimeLimit(),
                library.shareLimitAction() != null ? library.shareLimitAction() : global.shareLimitAction());
    }

    /** The limits in force for a torrent as its status shows them (-2: the global one). */
    public static ShareLimits of(TorrentStatus status, GlobalSettings global) {
        return new ShareLimits(status.ratioLimit() == USE_GLOBAL ? global.ratioLimit() : status.ratioLimit(),
                status.seedingTimeLimit() == -2 ? global.seedingTimeLimit() : status.seedingTimeLimit(),
                "global".equals(status.shareLimitAction()) ? global.shareLimitAction()
                        : ShareLimitAction.of(status.shareLimitAction()));
    }

    /** The share ratio as qBittorrent computes it. */
    static double ratio(long uploaded, long downloaded, long have) {
        long base = downloaded < have / 100 ? have : downloaded;
        if (base <= 0) {
            return uploaded == 0 ? 0 : MAX_RATIO;
        }
        return (double) uploaded / base;
    }

    /** Why the limit is reached, in words, or null while it is not. */
    String reached(double currentRatio, long seedingSeconds) {
        if (ratio >= 0 && currentRatio >= ratio) {
            return String.format(java.util.Locale.ROOT, "it reached its share ratio limit (%.2f of %.2f)",
                    currentRatio, ratio);
        }
        if (seedingMinutes >= 0 && seedingSeconds >= seedingMinutes * 60) {
            return "it seeded for its seeding time limit (" + seedingMinutes + " minutes)";
        }
        return null;
    }

    /** A ratio limit from a client: -1 none, -2 global (when allowed: then null), else 0 to 9998. */
    static Double checkedRatio(String name, double value, boolean globalAllowed) {
        if (globalAllowed && value == USE_GLOBAL) {
            return null;
        }
        if (value == -1 || (value >= 0 && value <= MAX_RATIO)) {
            return value;
        }
        throw new InvalidRequestException(name + " must be -1 (no limit)" + (globalAllowed ? ", -2 (the global one)" : "")
                + " or a ratio between 0 and " + (long) MAX_RATIO + ", not " + value);
    }

    /** A seeding time limit in minutes from a client: -1 none, -2 global (when allowed: then null), else 0 up. */
    static Long checkedMinutes(String name, long value, boolean globalAllowed) {
        if (globalAllowed && value == -2) {
            return null;
        }
        if (value == -1 || (value >= 0 && value <= MAX_MINUTES)) {
            return value;
        }
        throw new InvalidRequestException(name + " must be -1 (no limit)" + (globalAllowed ? ", -2 (the global one)" : "")
                + " or a number of minutes between 0 and " + MAX_MINUTES + ", not " + value);
    }

    static ShareLimitAction checkedAction(String value) {
        ShareLimitAction action = ShareLimitAction.of(value);
        if (action == null) {
            throw new InvalidRequestException("share_limit_action must be \"stop\" or \"remove\", not \"" + value + "\"");
        }
        return action;
    }
}
