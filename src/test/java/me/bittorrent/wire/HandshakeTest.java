package me.bittorrent.wire;

import io.vertx.core.buffer.Buffer;
import me.bittorrent.metainfo.InfoHash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeTest {

    static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
    static final byte[] PEER_ID = "-BM0001-abcdefghijkl".getBytes(StandardCharsets.US_ASCII);

    @Test
    void oursEncodesTo68BytesWithTheExtensionBit() {
        Handshake ours = Handshake.ours(HASH, PEER_ID);
        assertTrue(ours.supportsExtensions());
        Buffer b = ours.encode();
        assertEquals(68, b.length());
        assertEquals(19, b.getByte(0));
        assertEquals("BitTorrent protocol", b.getString(1, 20, "US-ASCII"));
        assertArrayEquals(new byte[]{0, 0, 0, 0, 0, 0x10, 0, 0}, b.getBytes(20, 28));
        assertArrayEquals(HASH.bytes(), b.getBytes(28, 48));
        assertArrayEquals(PEER_ID, b.getBytes(48, 68));
    }

    @Test
    void decodeRoundTripsAtAnOffset() {
        Handshake plain = new Handshake(new byte[8], HASH, PEER_ID);
        assertFalse(plain.supportsExtensions());
        Buffer b = Buffer.buffer("xyz").appendBuffer(plain.encode());
        assertEquals(plain, Handshake.decode(b, 3));
        assertEquals(Handshake.ours(HASH, PEER_ID), Handshake.decode(Handshake.ours(HASH, PEER_ID).encode(), 0));
    }

    @Test
    void garbageIsNotAHandshake() {
        Buffer http = Buffer.buffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n").appendBytes(new byte[60]);
        assertThrows(ProtocolException.class, () -> Handshake.decode(http, 0));
        Buffer wrongName = Handshake.ours(HASH, PEER_ID).encode();
        wrongName.setByte(5, (byte) 'X');
        assertThrows(ProtocolException.class, () -> Handshake.decode(wrongName, 0));
        assertThrows(ProtocolException.class, () -> Handshake.decode(Buffer.buffer(new byte[10]), 0));
    }

    @Test
    void fieldsAreValidatedAndCopied() {
        assertThrows(IllegalArgumentException.class, () -> new Handshake(new byte[7], HASH, PEER_ID));
        assertThrows(IllegalArgumentException.class, () -> new Handshake(new byte[8], HASH, new byte[19]));
        byte[] id = PEER_ID.clone();
        Handshake h = Handshake.ours(HASH, id);
        id[0] = 0;
        assertArrayEquals(PEER_ID, h.peerId());
    }

    @Test
    void theDhtBitIsBit0x01OfTheLastReservedByte() {
        Handshake plain = Handshake.ours(HASH, PEER_ID);
        Handshake dht = Handshake.ours(HASH, PEER_ID, true);
        org.junit.jupiter.api.Assertions.assertFalse(plain.supportsDht());
        org.junit.jupiter.api.Assertions.assertTrue(dht.supportsDht());
        org.junit.jupiter.api.Assertions.assertTrue(dht.supportsExtensions());
        assertEquals(0x01, dht.encode().getByte(20 + 7));
        assertEquals(0x10, dht.encode().getByte(20 + 5));
        org.junit.jupiter.api.Assertions.assertTrue(Handshake.decode(dht.encode(), 0).supportsDht());
    }
}
