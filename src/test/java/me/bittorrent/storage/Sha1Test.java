package me.bittorrent.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Sha1Test {

    @Test
    void knownVectors() {
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d",
                HexFormat.of().formatHex(Sha1.digest("abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", HexFormat.of().formatHex(Sha1.digest(new byte[0])));
    }

    @Test
    void hashesOnlyTheGivenRangeAndResetsBetweenCalls() {
        byte[] data = "xxabcyy".getBytes(StandardCharsets.US_ASCII);
        byte[] first = Sha1.digest(data, 2, 3);
        byte[] second = Sha1.digest(data, 2, 3);
        assertArrayEquals(Sha1.digest("abc".getBytes(StandardCharsets.US_ASCII)), first);
        assertArrayEquals(first, second);
        assertEquals(Sha1.LENGTH, first.length);
    }

    @Test
    void equalsComparesDigests() {
        byte[] a = Sha1.digest(new byte[] {1});
        assertTrue(Sha1.equals(a, Sha1.digest(new byte[] {1})));
        assertFalse(Sha1.equals(a, Sha1.digest(new byte[] {2})));
    }
}
