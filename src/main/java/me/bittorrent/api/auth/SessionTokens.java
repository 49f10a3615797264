package me.bittorrent.api.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.state.CredentialFiles;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dashboard sessions as signed cookies: {@code <session id>.<expiry, epoch s>.<HMAC-SHA256>}, keyed by
 * {@code session.key} in the state folder, so a session survives a restart with no session table to keep (the
 * "persisted encryption key" of Quarkus form auth, without its extension: no reflection, native-friendly).
 * Nothing secret is in the cookie; it only proves that this service issued it and when it ends.
 * Sign-out: the cookie is cleared and its id refused until it would have expired (kept in memory: after a restart
 * only a copied cookie could come back, and it still ends at its expiry). A new password rotates the key.
 */
@ApplicationScoped
public class SessionTokens {

    public static final String COOKIE = "bt_session";

    @Inject
    CredentialFiles files;
    @Inject
    AuthConfig config;

    private volatile byte[] key;
    /** Signed-out session ids and when they would have expired (epoch s). */
    private final Map<String, Long> signedOut = new ConcurrentHashMap<>();

    /** BLOCKING: at start-up. */
    void loadKey() {
        try {
            key = files.loadOrCreateSessionKey();
        } catch (IOException e) {
            throw new UncheckedIOException("The session key " + files.sessionKeyFile() + " cannot be made", e);
        }
    }

    /** BLOCKING: a new key, saved; every cookie issued before is refused from now on. */
    void rotateKey() {
        try {
            java.nio.file.Files.deleteIfExists(files.sessionKeyFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loadKey();
    }

    /** A new session's cookie value. */
    public String issue() {
        String id = Credentials.randomToken(16);
        long expires = Instant.now().plus(config.sessionDuration()).getEpochSecond();
        String payload = id + "." + expires;
        return payload + "." + sign(payload);
    }

    /** The session id when {@code cookie} is a valid, unexpired, not signed-out session. */
    public Optional<String> verify(String cookie) {
        if (cookie == null || cookie.length() > 200) {
            return Optional.empty();
        }
        String[] parts = cookie.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        String payload = parts[0] + "." + parts[1];
        if (!MessageDigest.isEqual(sign(payload).getBytes(StandardCharsets.US_ASCII),
                parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        long expires;
        try {
            expires = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        long now = Instant.now().getEpochSecond();
        if (expires <= now || signedOut.containsKey(parts[0])) {
            return Optional.empty();
        }
        return Optional.of(parts[0]);
    }

    /** Signs the session out for good (until it would have expired anyway). */
    public void signOut(String cookie) {
        verify(cookie).ifPresent(id -> {
            long now = Instant.now().getEpochSecond();
            signedOut.values().removeIf(expiry -> expiry <= now); // bounded by the sessions still alive
            signedOut.put(id, Long.parseLong(cookie.split("\\.")[1]));
        });
    }

    /** HMAC of {@code value} with the session key, base64url: also the keyed digest of remembered Basic pairs. */
    String digest(String value) {
        return sign(value);
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
