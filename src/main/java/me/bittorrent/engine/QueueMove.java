package me.bittorrent.engine;

/** A move in the download queue: to the top or bottom, or one place up or down. */
public enum QueueMove {
    TOP, BOTTOM, UP, DOWN;

    /** From the API's name (top, bottom, up, down; any case); null for anything else. */
    public static QueueMove of(String name) {
        for (QueueMove m : values()) {
            if (m.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return m;
            }
        }
        return null;
    }
}
