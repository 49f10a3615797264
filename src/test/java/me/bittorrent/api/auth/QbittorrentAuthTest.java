package me.bittorrent.api.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The SID however clients send it back. */
class QbittorrentAuthTest {

    @Test
    void sidIsFoundInEveryShapeClientsSend() {
        assertEquals("a.1.b", QbittorrentAuth.sid("SID=a.1.b"));
        assertEquals("a.1.b", QbittorrentAuth.sid("theme=dark; SID=a.1.b; other=x"));
        // Flood: the whole Set-Cookie string
        assertEquals("a.1.b", QbittorrentAuth.sid("SID=a.1.b; HttpOnly; Path=/; SameSite=Lax"));
        assertEquals("a.1.b", QbittorrentAuth.sid("SID=\"a.1.b\""));
        assertEquals("a-_1.b", QbittorrentAuth.sid("x=1,SID=a-_1.b"));
    }

    @Test
    void noSidIsNull() {
        assertNull(QbittorrentAuth.sid(null));
        assertNull(QbittorrentAuth.sid(""));
        assertNull(QbittorrentAuth.sid("XSID=abc"));
        assertNull(QbittorrentAuth.sid("bt_session=abc"));
        assertNull(QbittorrentAuth.sid("SID="));
    }

    @Test
    void cookieIsQbittorrents() {
        assertEquals("SID=v; HttpOnly; Path=/; SameSite=Lax", QbittorrentAuth.cookie("v", false));
        assertEquals("SID=v; HttpOnly; Path=/; SameSite=Lax; Secure", QbittorrentAuth.cookie("v", true));
        assertEquals("SID=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0", QbittorrentAuth.cookie("", false));
    }
}
