package me.bittorrent.api.auth;

/** Where the password in force comes from (precedence in this order). */
public enum PasswordSource {
    /** BT_PASSWORD; Preferences cannot change it. */
    ENVIRONMENT,
    /** Set by the owner in Preferences, saved hashed in the state folder. */
    SAVED,
    /** Random, made at this start and written to the log. */
    GENERATED
}
