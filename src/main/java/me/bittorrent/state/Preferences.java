package me.bittorrent.state;

/** Service-wide choices of the user, kept in {@code <stateDir>/preferences.json}. */
public record Preferences(String downloadDir) {
}
