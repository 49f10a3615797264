package me.bittorrent.state;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the user last asked of a torrent; restored after a restart. */
public enum TorrentLifecycle {
    @JsonProperty("stopped") STOPPED,
    @JsonProperty("downloading") DOWNLOADING,
    @JsonProperty("paused") PAUSED,
    @JsonProperty("seeding") SEEDING;

    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
