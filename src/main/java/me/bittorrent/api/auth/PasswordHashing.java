package me.bittorrent.api.auth;

import me.bittorrent.state.StoredCredentials;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Salted slow password hashes (PBKDF2-HMAC-SHA256 from the JDK: no dependency, works in a native image).
 * SLOW on purpose (a few hundred ms): call from a worker thread, never from an event loop.
 */
final class PasswordHashing {

    static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    /**
     * OWASP's 2021 figure for PBKDF2-HMAC-SHA256 (its 2023 one, 600 000, takes 2 s warm on a busy 2-core machine).
     * Each hash records its count, so raising it later keeps old hashes readable.
     */
    static final int ITERATIONS = 310_000;
    /** Longer passwords are refused before hashing (a 10 KB "password" is bad input, not a credential). */
    static final int MAX_LENGTH = 1024;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private PasswordHashing() {
    }

    static StoredCredentials.Password hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        // a new one each time, not a static field: Quarkus initialises classes while building the native image,
        // which refuses a SecureRandom in the image heap (its seed would be baked into the binary)
        new SecureRandom().nextBytes(salt);
        byte[] hash = derive(password, salt, ITERATIONS);
        Base64.Encoder b64 = Base64.getEncoder();
        return new StoredCredentials.Password(ALGORITHM, ITERATIONS, b64.encodeToString(salt), b64.encodeToString(hash));
    }

    /** Constant-time comparison of the derived hash ({@link MessageDigest#isEqual}). */
    static boolean matches(StoredCredentials.Password stored, String password) {
        if (stored == null || password == null || password.length() > MAX_LENGTH
                || !ALGORITHM.equals(stored.algorithm())) {
            return false;
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] expected = b64.decode(stored.hash());
        return MessageDigest.isEqual(expected, derive(password, b64.decode(stored.salt()), stored.iterations()));
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + ALGORITHM, e);
        } finally {
            spec.clearPassword();
        }
    }
}
