package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeLimits;
import me.bittorrent.tracker.PeerAddress;

/** BEP 11 messages: what we send reads back, what peers send is trimmed to the limits, garbage is refused. */
class UtPexTest {

    @Test
    void ourMessageReadsBackWithFlagsInBencodeOrder() throws Exception {
        byte[] bytes = UtPex.encode(List.of(new UtPex.Added(new PeerAddress("127.0.0.2", 6881), UtPex.FLAG_SEED),
                new UtPex.Added(new PeerAddress("::1", 51413), UtPex.FLAG_REACHABLE),
                new UtPex.Added(new PeerAddress("tracker.example", 80), 0)), // a name: never looked up, left out
                List.of(new PeerAddress("127.0.0.3", 7000)));
        Map<String, Object> dict = BencodeDecoder.decodeDictionary(bytes, BencodeLimits.PEER_MESSAGE);
        assertEquals(List.of("added", "added.f", "added6", "added6.f", "dropped"), List.copyOf(dict.keySet()));
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("d5:added6:\u007f\u0000\u0000\u0002\u001a\u00e17:added.f1:\u0002"), text);
        UtPex.Message m = UtPex.decode(bytes);
        assertEquals(List.of(new UtPex.Added(new PeerAddress("127.0.0.2", 6881), UtPex.FLAG_SEED),
                new UtPex.Added(new PeerAddress("0:0:0:0:0:0:0:1", 51413), UtPex.FLAG_REACHABLE)), m.added());
        assertEquals(List.of(new PeerAddress("127.0.0.3", 7000)), m.dropped());
    }

    @Test
    void anEmptyMessageStillCarriesAddedAndItsFlags() {
        assertEquals("d5:added0:7:added.f0:7:dropped0:e",
                new String(UtPex.encode(List.of(), List.of()), StandardCharsets.US_ASCII));
    }

    @Test
    void tenThousandPeersAreTrimmedToFiftyAddedAndFiftyDropped() {
        byte[] bytes = message(10_000, 10_000, true);
        assertTrue(bytes.length > 120_000, "a real 10,000-peer message: " + bytes.length);
        UtPex.Message m = UtPex.decode(bytes);
        assertEquals(UtPex.MAX_ADDED, m.added().size());
        assertEquals(UtPex.MAX_DROPPED, m.dropped().size());
        assertEquals(new PeerAddress("127.0.0.0", 1), m.added().get(0).address());
        assertEquals(UtPex.FLAG_SEED, m.added().get(0).flags());
    }

    @Test
    void missingFlagsPortZeroAndTrailingBytesCostOnlyThoseEntries() {
        // two entries with no added.f, one with port 0, and 3 stray bytes
        byte[] added = {127, 0, 0, 5, 0x1A, (byte) 0xE1, 127, 0, 0, 6, 0, 0, 127, 0, 0, 7, 0, 80, 1, 2, 3};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("d5:added" + added.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(added);
        out.writeBytes("e".getBytes(StandardCharsets.US_ASCII));
        UtPex.Message m = UtPex.decode(out.toByteArray());
        assertEquals(List.of(new UtPex.Added(new PeerAddress("127.0.0.5", 6881), 0),
                new UtPex.Added(new PeerAddress("127.0.0.7", 80), 0)), m.added());
        assertEquals(List.of(), m.dropped());
    }

    @Test
    void whatIsNotADictionaryIsRefused() {
        assertNull(UtPex.decode("li1ee".getBytes(StandardCharsets.US_ASCII)));
        assertNull(UtPex.decode("d5:added99999:xe".getBytes(StandardCharsets.US_ASCII)));
        assertNull(UtPex.decode(new byte[0]));
        // other value types under the known keys are ignored, not fatal
        UtPex.Message m = UtPex.decode("d5:addedi3e7:droppedle4:junk3:abce".getBytes(StandardCharsets.US_ASCII));
        assertEquals(List.of(), m.added());
        assertEquals(List.of(), m.dropped());
    }

    /** A peer's message with {@code added} IPv4 peers 127.0.x.y:1.. (flags seed) and {@code dropped} ones. */
    static byte[] message(int added, int dropped, boolean flags) {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        for (int i = 0; i < added; i++) {
            a.writeBytes(new byte[] {127, 0, (byte) (i >> 8), (byte) i, (byte) ((i + 1) >> 8), (byte) (i + 1)});
            f.write(UtPex.FLAG_SEED);
        }
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        for (int i = 0; i < dropped; i++) {
            d.writeBytes(new byte[] {127, 1, (byte) (i >> 8), (byte) i, 0x1A, (byte) 0xE1});
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("d5:added" + a.size() + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(a.toByteArray());
        if (flags) {
            out.writeBytes(("7:added.f" + f.size() + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(f.toByteArray());
        }
        out.writeBytes(("7:dropped" + d.size() + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(d.toByteArray());
        out.writeBytes("e".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
