package me.bittorrent.state;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to a torrent whose share limit (ratio or seeding time) is reached. */
public enum ShareLimitAction {
    /** The torrent stops (shown {@code completed}); its files stay. */
    @JsonProperty("stop") STOP,
    /** The torrent is removed from the list; its files stay. */
    @JsonProperty("remove") REMOVE;

    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** From the API's name ("stop", "remove"); null for anything else. */
    public static ShareLimitAction of(String name) {
        for (ShareLimitAction a : values()) {
            if (a.apiName().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return a;
            }
        }
        return null;
    }
}
