package me.bittorrent.dht;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * get_peers tokens (BEP 5): SHA-1 of a secret and the asker's IP, first 8 bytes. The secret rotates every
 * {@code rotateNanos}; a token from the previous secret is still accepted, so a token lives 1 to 2 periods.
 */
public final class TokenSecrets {

    static final int TOKEN_LENGTH = 8;

    private final SecureRandom random;
    private final LongSupplier clock;
    private final long rotateNanos;
    private byte[] current = new byte[16];
    private byte[] previous = new byte[16];
    private long rotatedAt;

    public TokenSecrets(SecureRandom random, LongSupplier nanoClock, long rotateNanos) {
        this.random = random;
        this.clock = nanoClock;
        this.rotateNanos = rotateNanos;
        random.nextBytes(current);
        random.nextBytes(previous);
        rotatedAt = clock.getAsLong();
    }

    public byte[] token(InetAddress asker) {
        rotateIfDue();
        return token(current, asker);
    }

    public boolean valid(byte[] token, InetAddress asker) {
        rotateIfDue();
        return token != null && (MessageDigest.isEqual(token, token(current, asker))
                || MessageDigest.isEqual(token, token(previous, asker)));
    }

    private void rotateIfDue() {
        long now = clock.getAsLong();
        while (now - rotatedAt >= rotateNanos) {
            previous = current;
            current = new byte[16];
            random.nextBytes(current);
            rotatedAt += rotateNanos;
            if (now - rotatedAt >= rotateNanos) { // idle for more than two periods: both secrets are stale
                rotatedAt = now;
                random.nextBytes(previous);
            }
        }
    }

    private static byte[] token(byte[] secret, InetAddress asker) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(secret);
            sha1.update(asker.getAddress());
            return Arrays.copyOf(sha1.digest(), TOKEN_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
