package me.bittorrent.api.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.state.CredentialFiles;
import me.bittorrent.state.StoredCredentials;
import org.jboss.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The user's password and API keys. Reads are lock-free (one immutable {@link Snapshot} swapped on change); changes
 * are serialised by {@code synchronized} and written to the state folder before they take effect.
 * <p>
 * API keys are 256 random bits, so a plain SHA-256 of the key is as safe to store as a slow hash and cheap enough
 * to check on the event loop (as GitHub does with its tokens). The password is low-entropy, hence PBKDF2; so that
 * HTTP Basic does not pay PBKDF2 on every request, a verified user:password pair is remembered as a keyed digest
 * (HMAC with the session key) until the password changes.
 */
@ApplicationScoped
public class Credentials {

    private static final Logger LOG = Logger.getLogger(Credentials.class);
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_VERIFIED_REMEMBERED = 64;

    /**
     * Everything a check needs, replaced as a whole. {@code password}: the PBKDF2 hash of a saved password;
     * {@code inMemory}: for a password from the environment or generated at start, its HMAC with a key of this
     * process (no PBKDF2: that password is in this process' memory anyway and never stored, and hashing it would
     * cost seconds at every start on a small machine). {@code verified}: keyed digests of accepted Basic pairs.
     */
    private record Snapshot(PasswordSource source, StoredCredentials.Password password, byte[] inMemory,
            StoredCredentials stored, Map<String, StoredCredentials.ApiKey> keysByDigest, Set<String> verified) {
    }

    @Inject
    AuthConfig config;
    @Inject
    CredentialFiles files;
    @Inject
    SessionTokens sessions;

    private volatile Snapshot snapshot;
    /** Keys the in-memory digest of an environment or generated password; never leaves this process. */
    private final byte[] processKey = randomBytes(32);

    void onStart(@Observes StartupEvent event) {
        sessions.loadKey();
        if (!config.enabled()) {
            LOG.warn("Sign-in is OFF (BT_AUTH=off): anyone who can reach this port can add, remove and delete "
                    + "downloads. Use it only behind a proxy that signs users in.");
            return;
        }
        if (config.localhostBypass()) {
            LOG.warn("Sign-in is bypassed for 127.0.0.1 and ::1 (BT_AUTH_LOCALHOST_BYPASS=true): any program on "
                    + "this machine, and a reverse proxy on it, can drive the service without a password");
        }
        StoredCredentials stored;
        try {
            stored = files.load();
        } catch (IOException e) {
            // refusing to start beats starting with a guessable state: the owner must see this
            throw new UncheckedIOException("The credentials file " + files.credentialsFile()
                    + " cannot be read (" + e.getMessage() + "); fix or delete it", e);
        }
        Optional<String> environment = config.password().filter(p -> !p.isBlank());
        if (environment.isPresent()) {
            snapshot = snapshot(PasswordSource.ENVIRONMENT, null, inMemory(environment.get()), stored);
            LOG.infof("Sign-in required: user '%s', password from BT_PASSWORD", config.username());
        } else if (stored.password() != null) {
            snapshot = snapshot(PasswordSource.SAVED, stored.password(), null, stored);
            LOG.infof("Sign-in required: user '%s', password saved in Preferences", config.username());
        } else {
            String generated = randomToken(12);
            snapshot = snapshot(PasswordSource.GENERATED, null, inMemory(generated), stored);
            // one clear line, as qBittorrent 4.6+ prints its temporary password
            LOG.infof("No password is set. Sign in as '%s' with the temporary password %s (valid until the next "
                    + "start; set a permanent one in Preferences or with BT_PASSWORD)", config.username(), generated);
        }
    }

    /** Null when sign-in is off. */
    public PasswordSource passwordSource() {
        Snapshot current = snapshot;
        return current == null ? null : current.source();
    }

    public String username() {
        return config.username();
    }

    /** True when the keyed digest of this Basic pair was verified before (cheap: safe on the event loop). */
    boolean knownGood(String user, String password) {
        return snapshot.verified().contains(sessions.digest(user + ":" + password));
    }

    /** SLOW (PBKDF2): worker thread only. Both parts compared without early exit. */
    public boolean verify(String user, String password) {
        Snapshot current = snapshot;
        boolean userOk = MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8),
                config.username().getBytes(StandardCharsets.UTF_8));
        boolean passwordOk = current.inMemory() != null
                ? password.length() <= PasswordHashing.MAX_LENGTH
                        && MessageDigest.isEqual(current.inMemory(), hmac(processKey, password))
                : PasswordHashing.matches(current.password(), password);
        if (userOk && passwordOk) {
            if (current.verified().size() >= MAX_VERIFIED_REMEMBERED) {
                current.verified().clear();
            }
            current.verified().add(sessions.digest(user + ":" + password));
            return true;
        }
        return false;
    }

    /** The API key's record when {@code key} is one in force. */
    Optional<StoredCredentials.ApiKey> apiKey(String key) {
        return Optional.ofNullable(snapshot.keysByDigest().get(sha256(key)));
    }

    /** Sets the permanent password (SLOW, worker thread). Not while BT_PASSWORD decides it. */
    public synchronized void setPassword(String password) {
        if (snapshot.source() == PasswordSource.ENVIRONMENT) {
            throw new InvalidRequestException("The password is set by BT_PASSWORD; change it there");
        }
        checkPasswordShape(password);
        StoredCredentials.Password hashed = PasswordHashing.hash(password);
        StoredCredentials stored = new StoredCredentials(hashed, snapshot.stored().apiKeys());
        save(stored);
        sessions.rotateKey(); // a new password ends every session signed with the old key
        snapshot = snapshot(PasswordSource.SAVED, hashed, null, stored);
        LOG.info("The permanent password was changed in Preferences; every other session was signed out");
    }

    static void checkPasswordShape(String password) {
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new InvalidRequestException("The password needs at least " + MIN_PASSWORD + " characters");
        }
        if (password.length() > PasswordHashing.MAX_LENGTH) {
            throw new InvalidRequestException("The password is longer than " + PasswordHashing.MAX_LENGTH
                    + " characters");
        }
    }

    public List<ApiKeyView> apiKeys() {
        return snapshot.stored().apiKeys().stream()
                .map(k -> new ApiKeyView(k.id(), k.name(), k.createdAt(), null)).toList();
    }

    /** A new key: the returned view carries the key itself, which is never shown again. */
    public synchronized ApiKeyView createApiKey(String name) {
        String label = name == null ? "" : name.strip();
        if (label.isEmpty() || label.length() > 100) {
            throw new InvalidRequestException("Give the API key a name of 1 to 100 characters");
        }
        String key = "btm_" + randomToken(32);
        String id = HexFormat.of().formatHex(randomBytes(6));
        StoredCredentials.ApiKey record = new StoredCredentials.ApiKey(id, label, sha256(key), Instant.now());
        List<StoredCredentials.ApiKey> keys = new ArrayList<>(snapshot.stored().apiKeys());
        keys.add(record);
        replaceKeys(keys);
        LOG.infof("API key '%s' (%s) created", label, id);
        return new ApiKeyView(id, label, record.createdAt(), key);
    }

    /** Revokes at once: the next request with that key is refused. False when no key has this id. */
    public synchronized boolean revokeApiKey(String id) {
        List<StoredCredentials.ApiKey> keys = new ArrayList<>(snapshot.stored().apiKeys());
        Optional<StoredCredentials.ApiKey> gone = keys.stream().filter(k -> k.id().equals(id)).findFirst();
        if (gone.isEmpty()) {
            return false;
        }
        keys.remove(gone.get());
        replaceKeys(keys);
        LOG.infof("API key '%s' (%s) revoked", gone.get().name(), id);
        return true;
    }

    private void replaceKeys(List<StoredCredentials.ApiKey> keys) {
        Snapshot current = snapshot;
        StoredCredentials stored = new StoredCredentials(current.stored().password(), keys);
        save(stored);
        snapshot = new Snapshot(current.source(), current.password(), current.inMemory(), stored, byDigest(stored),
                current.verified());
    }

    private void save(StoredCredentials stored) {
        try {
            files.save(stored);
        } catch (IOException e) {
            throw new UncheckedIOException("The credentials cannot be saved in " + files.credentialsFile(), e);
        }
    }

    private static Snapshot snapshot(PasswordSource source, StoredCredentials.Password password, byte[] inMemory,
            StoredCredentials stored) {
        return new Snapshot(source, password, inMemory, stored, byDigest(stored), ConcurrentHashMap.newKeySet());
    }

    private byte[] inMemory(String password) {
        return hmac(processKey, password);
    }

    private static byte[] hmac(byte[] key, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, StoredCredentials.ApiKey> byDigest(StoredCredentials stored) {
        return stored.apiKeys().stream().collect(Collectors.toUnmodifiableMap(
                StoredCredentials.ApiKey::sha256, k -> k, (a, b) -> a));
    }

    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        // a new one each time, not a static field: Quarkus initialises classes while building the native image,
        // which refuses a SecureRandom in the image heap (its seed would be baked into the binary)
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** URL-safe random text of {@code bytes} random bytes. */
    static String randomToken(int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }
}
