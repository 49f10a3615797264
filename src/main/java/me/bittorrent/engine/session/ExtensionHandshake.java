package me.bittorrent.engine.session;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.dampcake.bencode.Bencode;

import java.nio.ByteBuffer;

import me.bittorrent.Version;
import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeException;
import me.bittorrent.bencode.BencodeLimits;
import me.bittorrent.text.RemoteText;

/**
 * The BEP 10 extension handshake (extended message id 0). We announce BEP 9 {@code ut_metadata} (with
 * {@code metadata_size} when we know the info dictionary), our request queue depth ({@code reqq}), listen port and client name; from the peer we read its {@code reqq}, the
 * number of outstanding requests it accepts (libtorrent silently drops requests beyond it), and its client name.
 * Theirs is read with the bounded decoder: a peer's message can claim any string length, and nothing is
 * allocated for a claim.
 */
final class ExtensionHandshake {

    /** Requests we queue per peer; what we advertise as reqq. */
    static final int OUR_REQQ = 500;

    private static final Bencode BENCODE = new Bencode(StandardCharsets.UTF_8);

    private ExtensionHandshake() {
    }

    static byte[] ours(int listenPort) {
        return ours(listenPort, 0);
    }

    /** Ours, with {@code metadata_size} when {@code metadataSize} > 0 (we can serve the info dictionary). */
    static byte[] ours(int listenPort, int metadataSize) {
        return ours(listenPort, metadataSize, false);
    }

    /** Ours; {@code ut_pex} (BEP 11) is offered when {@code pex} (never for a private torrent). */
    static byte[] ours(int listenPort, int metadataSize, boolean pex) {
        Map<String, Object> dict = new LinkedHashMap<>();
        Map<String, Object> m = new java.util.TreeMap<>();
        m.put("ut_metadata", (long) UtMetadata.OUR_ID);
        if (pex) {
            m.put("ut_pex", (long) UtPex.OUR_ID);
        }
        dict.put("m", m);
        if (metadataSize > 0) {
            dict.put("metadata_size", (long) metadataSize);
        }
        dict.put("p", (long) listenPort);
        dict.put("reqq", (long) OUR_REQQ);
        dict.put("v", "bittorrent-me " + Version.VERSION);
        return BENCODE.encode(dict);
    }

    /** The peer's reqq, or -1 when absent or unreadable. */
    static int reqq(byte[] payload) {
        return reqq(decode(payload));
    }

    /** The reqq of a decoded handshake, or -1. */
    static int reqq(Map<String, Object> dict) {
        if (dict != null && dict.get("reqq") instanceof Long n && n > 0) {
            return (int) Math.min(n, 100_000);
        }
        return -1;
    }

    /** The peer's extended message id for ut_metadata, or 0 when it does not speak it (or turned it off). */
    static int utMetadataId(Map<String, Object> dict) {
        if (dict != null && dict.get("m") instanceof Map<?, ?> m && m.get("ut_metadata") instanceof Long id
                && id > 0 && id < 256) {
            return id.intValue();
        }
        return 0;
    }

    /** The peer's extended message id for ut_pex, or 0 when it does not speak it (or turned it off). */
    static int utPexId(Map<String, Object> dict) {
        if (dict != null && dict.get("m") instanceof Map<?, ?> m && m.get("ut_pex") instanceof Long id
                && id > 0 && id < 256) {
            return id.intValue();
        }
        return 0;
    }

    /** The port the peer listens on ({@code p}), or 0 when absent or out of range. */
    static int listenPort(Map<String, Object> dict) {
        return dict != null && dict.get("p") instanceof Long p && p > 0 && p <= 65535 ? p.intValue() : 0;
    }

    /** The peer's {@code metadata_size}, or -1 when absent or not a number. */
    static long metadataSize(Map<String, Object> dict) {
        return dict != null && dict.get("metadata_size") instanceof Long n ? n : -1;
    }

    /** The peer's client name ({@code v}), made safe to log and show (1 KiB at most), or null. */
    static String client(byte[] payload) {
        return client(decode(payload));
    }

    /** The client name of a decoded handshake, or null. */
    static String client(Map<String, Object> dict) {
        if (dict != null && dict.get("v") instanceof ByteBuffer v) {
            return RemoteText.clean(StandardCharsets.UTF_8.decode(v.duplicate()).toString(), 64);
        }
        return null;
    }

    /** The handshake's dictionary, or null when it is not one (that only costs us the peer's hints). */
    static Map<String, Object> decode(byte[] payload) {
        try {
            return BencodeDecoder.decodeDictionary(payload, BencodeLimits.PEER_MESSAGE);
        } catch (BencodeException e) {
            return null;
        }
    }
}
