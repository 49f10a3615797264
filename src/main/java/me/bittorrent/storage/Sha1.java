package me.bittorrent.storage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** SHA-1 over byte ranges with one reusable MessageDigest per thread (getInstance is slow, digests are not thread-safe). */
public final class Sha1 {

    public static final int LENGTH = 20;

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-1", e);
        }
    });

    private Sha1() {
    }

    /** The 20-byte SHA-1 of {@code data[off, off+len)}. */
    public static byte[] digest(byte[] data, int off, int len) {
        MessageDigest md = DIGEST.get();
        md.reset();
        md.update(data, off, len);
        return md.digest();
    }

    /**
     * The 20-byte SHA-1 of {@code data} from its position to its limit; its position does not move. (The JDK
     * hashes a direct buffer through a small array, 4 KiB at a time.)
     */
    public static byte[] digest(ByteBuffer data) {
        MessageDigest md = DIGEST.get();
        md.reset();
        md.update(data.duplicate());
        return md.digest();
    }

    public static byte[] digest(byte[] data) {
        return digest(data, 0, data.length);
    }

    /** True when both are the same digest. */
    public static boolean equals(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
