package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;

import org.junit.jupiter.api.Test;

import me.bittorrent.state.Bitfields;

class WireHelpersTest {

    @Test
    void bitfieldRoundTripMostSignificantBitFirst() {
        BitSet pieces = new BitSet();
        pieces.set(0);
        pieces.set(9);
        byte[] bits = Bitfields.toBytes(pieces, 10);
        assertArrayEquals(new byte[] {(byte) 0x80, 0x40}, bits);
        assertEquals(pieces, Bitfields.fromBytes(bits, 10));
        assertTrue(Bitfields.spareBitsClear(bits, 10));
        assertFalse(Bitfields.spareBitsClear(new byte[] {0, 0x20}, 10));
    }

    @Test
    void extensionHandshakeAdvertisesAndReadsReqq() {
        byte[] ours = ExtensionHandshake.ours(6881);
        String text = new String(ours, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("4:reqqi500e"), text);
        assertEquals(500, ExtensionHandshake.reqq(ours));
        assertEquals(2000, ExtensionHandshake.reqq("d1:md6:ut_pexi1ee4:reqqi2000ee".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(-1, ExtensionHandshake.reqq("d1:mdee".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(-1, ExtensionHandshake.reqq("garbage".getBytes(StandardCharsets.ISO_8859_1)));
    }
}
