package me.bittorrent.magnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MagnetParserTest {

    private static final String HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";

    @Test
    void hexHashNameTrackersPeersAndSelection() throws Exception {
        MagnetLink m = MagnetParser.parse("magnet:?xt=urn:btih:" + HEX.toUpperCase() + "&dn=Ubuntu+22.04%20%C3%A9"
                + "&tr=udp%3A%2F%2Ftracker.example%3A6969&tr=http://t.example/announce&tr=udp%3A%2F%2Ftracker.example%3A6969"
                + "&x.pe=127.0.0.1:6881&x.pe=%5B%3A%3A1%5D:51413&so=0,2,4-6&ws=http://ignored");
        assertEquals(HEX, m.infoHash().hex());
        assertEquals("Ubuntu 22.04 é", m.displayName());
        assertEquals(List.of("udp://tracker.example:6969", "http://t.example/announce"), m.trackers());
        assertEquals(List.of(new MagnetLink.Peer("127.0.0.1", 6881), new MagnetLink.Peer("::1", 51413)), m.peers());
        assertEquals(List.of(new MagnetLink.FileRange(0, 0), new MagnetLink.FileRange(2, 2),
                new MagnetLink.FileRange(4, 6)), m.selectedFiles());
        assertTrue(m.selects(5));
        assertFalse(m.selects(3));
    }

    @Test
    void base32HashEqualsItsHex() throws Exception {
        // base32 of c12fe1c0... (RFC 4648, as BEP 9 says)
        MagnetLink m = MagnetParser.parse("magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK");
        assertEquals(HEX, m.infoHash().hex());
        assertNull(m.displayName());
        assertTrue(m.selects(99));
        assertEquals(m.infoHash(), MagnetParser.parse("magnet:?xt=urn:btih:yex6dqdlxisuvhoj6um3gnnkpqjwpkek").infoHash());
    }

    @Test
    void sameHashTwiceIsFineAndAV2HashBesideIsIgnored() throws Exception {
        MagnetLink m = MagnetParser.parse("magnet:?xt=urn:btih:" + HEX + "&xt=urn:btmh:1220" + "ab".repeat(32)
                + "&xt.1=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK");
        assertEquals(HEX, m.infoHash().hex());
    }

    @Test
    void refusals() {
        assertRefused("", "empty");
        assertRefused("http://example.com/a.torrent", "Unknown link scheme 'http'");
        assertRefused("magnet:?dn=x", "no 'xt=urn:btih:'");
        assertRefused("magnet:?xt=urn:btmh:1220" + "ab".repeat(32), "only a BitTorrent v2 hash");
        assertRefused("magnet:?xt=urn:btih:" + HEX.substring(1), "40 hex or 32 base32");
        assertRefused("magnet:?xt=urn:btih:" + HEX.substring(1) + "g", "40 hex or 32 base32");
        assertRefused("magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKE1", "not valid base32");
        assertRefused("magnet:?xt=urn:sha1:" + HEX, "only 'urn:btih:'");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&xt=urn:btih:" + "0".repeat(40), "two different");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&tr=file:///etc/passwd", "not an http, https or udp URL");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&x.pe=::1:80", "must be in brackets");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&x.pe=host:0", "not host:port");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&so=3-1", "reversed");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&so=1,,2", "not a file index");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&so=99999999", "not a file index");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&dn=%E2%28", "not valid UTF-8");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&dn=%4", "broken %-escape");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&dn=" + "a".repeat(MagnetParser.MAX_LENGTH), "longer than");
        assertRefused("magnet:?xt=urn:btih:" + HEX + "&tr=http://a/".repeat(0)
                + "&tr=http://t.example/a?".repeat(1) + repeat("&tr=http://t%d.example/", 101), "more than 100 trackers");
    }

    private static String repeat(String format, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(String.format(format, i));
        }
        return b.toString();
    }

    private static void assertRefused(String uri, String expected) {
        InvalidMagnetException e = assertThrows(InvalidMagnetException.class, () -> MagnetParser.parse(uri), uri);
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' should say '" + expected + "'");
    }
}
