package me.bittorrent.state;

import java.time.Instant;
import java.util.List;

/**
 * How the user files and shares one torrent, kept in its state file beside the transfer state. A state file written
 * before these existed reads as {@link #NONE} (no category, no tags, queue position from the order of adding, share
 * limits of the global settings).
 *
 * @param category         the category's name, "" for none
 * @param tags             the torrent's tags (sorted, no duplicates)
 * @param queuePosition    order in the download queue, lower first; 0 = not set yet (ordered by when it was added)
 * @param forceStart       runs whatever the download queue says (max_concurrent_downloads does not count it)
 * @param ratioLimit       upload/download ratio at which the share limit action applies; null = the global one,
 *                         -1 = no limit
 * @param seedingTimeLimit minutes of seeding at which the action applies; null = the global one, -1 = no limit
 * @param shareLimitAction what happens when a limit is reached; null = the global one
 * @param completedAt      when every wanted piece was first verified, or null
 * @param seedingSeconds   seconds spent seeding over every run (as persisted last)
 */
public record TorrentLibrary(String category, List<String> tags, long queuePosition, boolean forceStart,
        Double ratioLimit, Long seedingTimeLimit, ShareLimitAction shareLimitAction, Instant completedAt,
        long seedingSeconds) {

    public static final TorrentLibrary NONE = new TorrentLibrary("", List.of(), 0, false, null, null, null, null, 0);

    public TorrentLibrary {
        category = category == null ? "" : category;
        tags = tags == null ? List.of() : tags.stream().distinct().sorted().toList();
    }

    public TorrentLibrary withCategory(String value) {
        return new TorrentLibrary(value, tags, queuePosition, forceStart, ratioLimit, seedingTimeLimit,
                shareLimitAction, completedAt, seedingSeconds);
    }

    public TorrentLibrary withTags(List<String> value) {
        return new TorrentLibrary(category, value, queuePosition, forceStart, ratioLimit, seedingTimeLimit,
                shareLimitAction, completedAt, seedingSeconds);
    }

    public TorrentLibrary withQueuePosition(long value) {
        return new TorrentLibrary(category, tags, value, forceStart, ratioLimit, seedingTimeLimit, shareLimitAction,
                completedAt, seedingSeconds);
    }

    public TorrentLibrary withForceStart(boolean value) {
        return new TorrentLibrary(category, tags, queuePosition, value, ratioLimit, seedingTimeLimit,
                shareLimitAction, completedAt, seedingSeconds);
    }

    public TorrentLibrary withShareLimits(Double ratio, Long seedingMinutes, ShareLimitAction action) {
        return new TorrentLibrary(category, tags, queuePosition, forceStart, ratio, seedingMinutes, action,
                completedAt, seedingSeconds);
    }

    public TorrentLibrary withSeeding(Instant completed, long seconds) {
        return new TorrentLibrary(category, tags, queuePosition, forceStart, ratioLimit, seedingTimeLimit,
                shareLimitAction, completed, seconds);
    }
}
