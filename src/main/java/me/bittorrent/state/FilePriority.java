package me.bittorrent.state;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;

/**
 * How much a file is wanted. SKIP is not downloaded (a deselected file); among the others the piece picker takes
 * pieces of a higher level first, rarest-first within a level. A piece shared by two files has the higher level.
 */
public enum FilePriority {
    @JsonProperty("skip") SKIP,
    @JsonProperty("low") LOW,
    @JsonProperty("normal") NORMAL,
    @JsonProperty("high") HIGH;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The level by its API name (skip, low, normal, high; any case), or null when there is none. */
    public static FilePriority byName(String name) {
        if (name == null) {
            return null;
        }
        for (FilePriority p : values()) {
            if (p.apiName().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        return null;
    }
}
