package me.bittorrent.state;

import java.time.Instant;
import java.util.List;

/**
 * The sign-in secrets kept in {@code <stateDir>/credentials.json} (mode 600). Nothing in it is usable as a
 * credential: the password is a salted PBKDF2 hash, each API key a SHA-256 digest of the key.
 *
 * @param password the permanent password set in Preferences, null when none was set
 * @param apiKeys  the API keys in force
 */
public record StoredCredentials(Password password, List<ApiKey> apiKeys) {

    public static final StoredCredentials NONE = new StoredCredentials(null, List.of());

    public StoredCredentials {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    }

    /** A salted slow hash: {@code algorithm} (PBKDF2WithHmacSHA256), iterations, base64 salt and hash. */
    public record Password(String algorithm, int iterations, String salt, String hash) {
    }

    /** An API key by its public id (shown in lists), the owner's name for it, and the hex SHA-256 of the key. */
    public record ApiKey(String id, String name, String sha256, Instant createdAt) {
    }
}
