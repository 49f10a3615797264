package me.bittorrent.api;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.engine.TorrentStatus;

/**
 * The JSON of GET /status, written from each torrent's status serialised once. The engine hands out the same
 * {@link TorrentStatus} object while a torrent's inputs are unchanged (its status memo), so an idle torrent's
 * bytes are reused as they are and a request for 1,000 torrents serialises only those that changed.
 * The bytes are what the same {@link ObjectMapper} writes for the whole map: the JSON shape does not change.
 */
@ApplicationScoped
public class StatusJson {

    /** One torrent's entry as written in the map after a comma: {@code ,"id":{...}} (the first one skips it). */
    private record Entry(TorrentStatus status, byte[] bytes) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    @Inject
    ObjectMapper json;

    /** The braces of the body: shared, never written to. */
    private static final byte[] OPEN = {'{'};
    private static final byte[] CLOSE = {'}'};

    /**
     * {@code {"id":{status},...}} in the order of {@code statuses}, as one buffer over the cached entries' bytes:
     * nothing is copied here (Netty copies once, into its pooled socket buffer). A body of 1,000 torrents (~1 MiB)
     * made as one fresh {@code byte[]} per call, then copied again, made GET /status the largest source of garbage
     * of an idle service: a young collection every few calls, survivors promoted, and now and then a full one.
     * {@code everyTorrent}: the map lists every torrent (not a page), so entries of torrents that are gone are
     * dropped.
     */
    public Buffer body(Map<String, TorrentStatus> statuses, boolean everyTorrent) {
        ByteBuf[] parts = new ByteBuf[statuses.size() + 2];
        int i = 0;
        parts[i++] = Unpooled.wrappedBuffer(OPEN);
        for (Map.Entry<String, TorrentStatus> e : statuses.entrySet()) {
            byte[] bytes = entry(e.getKey(), e.getValue()); // ,"id":{...}
            parts[i] = i == 1 ? Unpooled.wrappedBuffer(bytes, 1, bytes.length - 1) : Unpooled.wrappedBuffer(bytes);
            i++;
        }
        parts[i] = Unpooled.wrappedBuffer(CLOSE);
        if (everyTorrent && entries.size() > statuses.size()) {
            entries.keySet().retainAll(statuses.keySet());
        }
        return Buffer.buffer(Unpooled.wrappedBuffer(parts.length, parts));
    }

    /** The same bytes as {@link #body}, as one array. */
    public byte[] write(Map<String, TorrentStatus> statuses, boolean everyTorrent) {
        return body(statuses, everyTorrent).getBytes();
    }

    private byte[] entry(String id, TorrentStatus status) {
        Entry e = entries.get(id);
        if (e != null && e.status() == status) {
            return e.bytes();
        }
        try {
            byte[] key = json.writeValueAsBytes(id);
            byte[] value = json.writeValueAsBytes(status);
            byte[] bytes = new byte[1 + key.length + 1 + value.length];
            bytes[0] = ',';
            System.arraycopy(key, 0, bytes, 1, key.length);
            bytes[1 + key.length] = ':';
            System.arraycopy(value, 0, bytes, key.length + 2, value.length);
            entries.put(id, new Entry(status, bytes));
            return bytes;
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
