package me.bittorrent.tracker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeException;
import me.bittorrent.bencode.BencodeLimits;
import me.bittorrent.text.RemoteText;

/**
 * Reads a bencoded HTTP announce reply (BEP 3, compact peers BEP 23, peers6 BEP 7) with the bounded decoder.
 * The tracker's failure reason and warning are cleaned ({@link RemoteText}) before anyone stores or logs them.
 */
final class AnnounceReplyParser {

    /** Used when a tracker that answered gave no interval: 30 minutes, as common trackers do. */
    static final int DEFAULT_INTERVAL_SECONDS = 1800;

    private AnnounceReplyParser() {
    }

    static AnnounceResponse parse(byte[] body) throws TrackerException {
        Map<String, Object> reply;
        try {
            if (body.length == 0 || body[0] != 'd') {
                throw new TrackerException("tracker reply is not valid bencode: it is not a dictionary");
            }
            reply = BencodeDecoder.decodeDictionary(body, BencodeLimits.TRACKER_REPLY);
        } catch (BencodeException e) {
            throw new TrackerException("tracker reply is not valid bencode: " + e.getMessage());
        }
        Object failure = reply.get("failure reason");
        if (failure != null) {
            throw new TrackerException(text(failure));
        }
        Object warning = reply.get("warning message");
        List<PeerAddress> peers = new ArrayList<>();
        Object list = reply.get("peers");
        if (list instanceof ByteBuffer compact) {
            addCompact(compact, 4, peers);
        } else if (list instanceof List<?> dicts) {
            addDictionaries(dicts, peers);
        }
        if (reply.get("peers6") instanceof ByteBuffer compact6) {
            addCompact(compact6, 16, peers);
        }
        return new AnnounceResponse(
                AnnounceResponse.clampInterval(number(reply, "interval", DEFAULT_INTERVAL_SECONDS)),
                AnnounceResponse.clampMinInterval(number(reply, "min interval", 0)),
                peers,
                number(reply, "complete", -1),
                number(reply, "incomplete", -1),
                warning == null ? null : text(warning));
    }

    private static void addCompact(ByteBuffer buffer, int addressLength, List<PeerAddress> out) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        CompactPeers.parse(bytes, 0, bytes.length, addressLength, out);
    }

    /** The original form: a list of {ip, port, peer id} dictionaries; malformed entries are skipped. */
    private static void addDictionaries(List<?> dicts, List<PeerAddress> out) {
        for (Object o : dicts) {
            if (o instanceof Map<?, ?> peer && peer.get("ip") instanceof ByteBuffer ip
                    && peer.get("port") instanceof Long port && port > 0 && port <= 65535) {
                String host = text(ip);
                if (!host.isEmpty()) {
                    out.add(new PeerAddress(host, port.intValue()));
                }
            }
        }
    }

    private static int number(Map<String, Object> reply, String key, int fallback) {
        if (reply.get(key) instanceof Long n) {
            return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
        }
        return fallback;
    }

    private static String text(Object value) {
        if (value instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return RemoteText.clean(new String(bytes, StandardCharsets.UTF_8));
        }
        return RemoteText.clean(String.valueOf(value));
    }
}
