package me.bittorrent.api;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.engine.TorrentStatus;

/**
 * The JSON of GET /status, written from each torrent's status serialised once. The engine hands out the same
 * {@link TorrentStatus} object while a torrent's inputs are unchanged (its status memo), so an idle torrent's
 * bytes are reused as they are and a request for 1,000 torrents serialises only those that changed, then copies.
 * The bytes are what the same {@link ObjectMapper} writes for the whole map: the JSON shape does not change.
 */
@ApplicationScoped
public class StatusJson {

    /** One torrent's entry as written in the map: {@code "id":{...}}. */
    private record Entry(TorrentStatus status, byte[] bytes) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    @Inject
    ObjectMapper json;

    /**
     * {@code {"id":{status},...}} in the order of {@code statuses}. {@code everyTorrent}: the map lists every
     * torrent (not a page), so entries of torrents that are gone are dropped.
     */
    public byte[] write(Map<String, TorrentStatus> statuses, boolean everyTorrent) {
        byte[][] parts = new byte[statuses.size()][];
        int length = 2 + Math.max(0, parts.length - 1);
        int i = 0;
        for (Map.Entry<String, TorrentStatus> e : statuses.entrySet()) {
            parts[i] = entry(e.getKey(), e.getValue());
            length += parts[i++].length;
        }
        byte[] body = new byte[length]; // one copy of each entry, straight into the body
        int at = 0;
        body[at++] = '{';
        for (int k = 0; k < parts.length; k++) {
            if (k > 0) {
                body[at++] = ',';
            }
            System.arraycopy(parts[k], 0, body, at, parts[k].length);
            at += parts[k].length;
        }
        body[at] = '}';
        if (everyTorrent && entries.size() > statuses.size()) {
            entries.keySet().retainAll(statuses.keySet());
        }
        return body;
    }

    private byte[] entry(String id, TorrentStatus status) {
        Entry e = entries.get(id);
        if (e != null && e.status() == status) {
            return e.bytes();
        }
        try {
            byte[] key = json.writeValueAsBytes(id);
            byte[] value = json.writeValueAsBytes(status);
            byte[] bytes = new byte[key.length + 1 + value.length];
            System.arraycopy(key, 0, bytes, 0, key.length);
            bytes[key.length] = ':';
            System.arraycopy(value, 0, bytes, key.length + 1, value.length);
            entries.put(id, new Entry(status, bytes));
            return bytes;
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
