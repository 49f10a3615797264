package me.bittorrent.engine.session;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.dampcake.bencode.Bencode;
import com.dampcake.bencode.Type;

import me.bittorrent.Version;

/**
 * The BEP 10 extension handshake (extended message id 0). We announce no extension messages yet, only our
 * request queue depth ({@code reqq}), listen port and client name; from the peer we read its {@code reqq}, the
 * number of outstanding requests it accepts (libtorrent silently drops requests beyond it).
 */
final class ExtensionHandshake {

    /** Requests we queue per peer; what we advertise as reqq. */
    static final int OUR_REQQ = 500;

    private static final Bencode BENCODE = new Bencode(StandardCharsets.UTF_8);

    private ExtensionHandshake() {
    }

    static byte[] ours(int listenPort) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("m", Map.of());
        dict.put("p", (long) listenPort);
        dict.put("reqq", (long) OUR_REQQ);
        dict.put("v", "bittorrent-me " + Version.VERSION);
        return BENCODE.encode(dict);
    }

    /** The peer's reqq, or -1 when absent or unreadable. */
    static int reqq(byte[] payload) {
        try {
            Map<String, Object> dict = BENCODE.decode(payload, Type.DICTIONARY);
            Object reqq = dict.get("reqq");
            if (reqq instanceof Number n && n.longValue() > 0) {
                return (int) Math.min(n.longValue(), 100_000);
            }
        } catch (RuntimeException e) {
            // a malformed extension handshake only costs us the peer's queue depth hint
        }
        return -1;
    }
}
