package me.bittorrent.lsd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import me.bittorrent.metainfo.InfoHash;
import org.junit.jupiter.api.Test;

class LsdCodecTest {

    static final String HEX = "b9095a8021861a06ad8f96a5c11b99f9568bc6e5";
    /**
     * A datagram python3-libtorrent 2.0.8 sent on this machine (enable_lsd, listen_interfaces 127.0.0.1:47001),
     * captured with a socket joined to 239.192.152.143 on the loopback.
     */
    static final String LIBTORRENT = "BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 47001\r\n"
            + "Infohash: b9095a8021861a06ad8f96a5c11b99f9568bc6e5\r\ncookie: 1bb3c738\r\n\r\n\r\n";

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static LsdAnnounce parse(String s) throws LsdCodec.MalformedException {
        byte[] b = ascii(s);
        return LsdCodec.parse(b, b.length);
    }

    @Test
    void oneHashIsByteForByteWhatLibtorrentSends() {
        byte[] ours = LsdCodec.render(47001, List.of(InfoHash.fromHex(HEX)), "1bb3c738");
        assertArrayEquals(ascii(LIBTORRENT), ours, new String(ours, StandardCharsets.US_ASCII));
    }

    @Test
    void readsLibtorrentsAnnounce() throws Exception {
        LsdAnnounce a = parse(LIBTORRENT);
        assertEquals(47001, a.port());
        assertEquals(List.of(InfoHash.fromHex(HEX)), a.hashes());
        assertEquals("1bb3c738", a.cookie());
    }

    @Test
    void batchesSeveralHashesAndReadsThemBack() throws Exception {
        List<InfoHash> hashes = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < LsdCodec.MAX_HASHES_PER_PACKET; i++) {
            byte[] b = new byte[20];
            random.nextBytes(b);
            hashes.add(new InfoHash(b));
        }
        byte[] datagram = LsdCodec.render(6881, hashes, "abc");
        assertTrue(datagram.length <= LsdCodec.MAX_PACKET, datagram.length + " bytes");
        LsdAnnounce back = LsdCodec.parse(datagram, datagram.length);
        assertEquals(hashes, back.hashes());
        assertEquals(6881, back.port());
        assertThrows(IllegalArgumentException.class, () -> LsdCodec.render(6881, List.of(), "abc"));
        List<InfoHash> tooMany = new ArrayList<>(hashes);
        tooMany.add(InfoHash.fromHex(HEX));
        assertThrows(IllegalArgumentException.class, () -> LsdCodec.render(6881, tooMany, "abc"));
    }

    @Test
    void toleratesWhatOtherClientsSend() throws Exception {
        // Transmission: no cookie; headers in any case; LF line ends; an unknown header; a duplicate hash
        LsdAnnounce t = parse("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 51413\r\nInfohash: "
                + HEX.toUpperCase() + "\r\n\r\n\r\n");
        assertEquals(51413, t.port());
        assertNull(t.cookie());
        assertEquals(List.of(InfoHash.fromHex(HEX)), t.hashes());
        LsdAnnounce lf = parse("bt-search * HTTP/1.1\nPORT:  6881 \ninfohash: " + HEX + "\nX-New: 1\nINFOHASH: "
                + HEX + "\n\n");
        assertEquals(6881, lf.port());
        assertEquals(1, lf.hashes().size());
        // a malformed or all-zero hash is skipped, the rest is kept (like libtorrent)
        LsdAnnounce mixed = parse("BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: xyz\r\nInfohash: "
                + "0".repeat(40) + "\r\nInfohash: " + "g".repeat(40) + "\r\nInfohash: " + HEX + "\r\n\r\n");
        assertEquals(List.of(InfoHash.fromHex(HEX)), mixed.hashes());
    }

    @Test
    void refusesGarbage() {
        String ok = "Port: 6881\r\nInfohash: " + HEX + "\r\n\r\n";
        for (String bad : List.of("", "\r\n\r\n", "GET / HTTP/1.1\r\n" + ok, "BT-SEARCH * HTTP/1.1\r\n" + ok.replace(
                "\r\n\r\n", "\r\n"), // no end of headers
                "BT-SEARCH * HTTP/1.1\r\nInfohash: " + HEX + "\r\n\r\n", // no port
                "BT-SEARCH * HTTP/1.1\r\nPort: 0\r\n\r\n", "BT-SEARCH * HTTP/1.1\r\nPort: 65536\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nPort: -1\r\n\r\n", "BT-SEARCH * HTTP/1.1\r\nPort: 99999999999999\r\n\r\n",
                "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nPort: 2\r\n\r\n", "BT-SEARCH * HTTP/1.1\r\nno colon\r\n" + ok,
                "BT-SEARCH * HTTP/1.1\r\n: 6881\r\n" + ok)) {
            assertThrows(LsdCodec.MalformedException.class, () -> parse(bad), bad);
        }
        Random random = new Random(3);
        for (int i = 0; i < 2000; i++) {
            byte[] noise = new byte[random.nextInt(LsdCodec.MAX_PACKET)];
            random.nextBytes(noise);
            try {
                LsdCodec.parse(noise, noise.length);
            } catch (LsdCodec.MalformedException expected) {
                // garbage is refused with a reason, never another exception
            }
        }
    }

    @Test
    void boundsSizeAndHeaderCount() {
        StringBuilder huge = new StringBuilder("BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\n");
        for (int i = 0; i < 10_000; i++) {
            huge.append("Infohash: ").append(HEX).append("\r\n");
        }
        huge.append("\r\n");
        LsdCodec.MalformedException e = assertThrows(LsdCodec.MalformedException.class, () -> parse(huge.toString()));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
        StringBuilder many = new StringBuilder("BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\n");
        for (int i = 0; i < LsdCodec.MAX_HEADERS + 5; i++) {
            many.append("a:\r\n");
        }
        many.append("\r\n");
        assertTrue(many.length() < LsdCodec.MAX_PACKET);
        e = assertThrows(LsdCodec.MalformedException.class, () -> parse(many.toString()));
        assertTrue(e.getMessage().contains("header lines"), e.getMessage());
    }
}
