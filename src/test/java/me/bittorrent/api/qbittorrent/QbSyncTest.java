package me.bittorrent.api.qbittorrent;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** sync/maindata deltas: what a client that sends back its rid receives. */
class QbSyncTest {

    static Map<String, Object> state(Map<String, Object> torrents, List<String> tags, long speed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("torrents", torrents);
        m.put("categories", Map.of("tv", Map.of("name", "tv", "savePath", "")));
        m.put("tags", tags);
        m.put("trackers", Map.of("http://t/announce", List.of("a")));
        m.put("server_state", Map.of("dl_info_speed", speed, "queueing", true));
        return m;
    }

    @Test
    void fullThenOnlyWhatChanged() {
        QbSync sync = new QbSync();
        Map<String, Object> a = Map.of("name", "a", "progress", 0.5, "state", "downloading");
        Map<String, Object> b = Map.of("name", "b", "progress", 0.0, "state", "stoppedDL");
        Map<String, Object> first = sync.answer(0, state(Map.of("a", a, "b", b), List.of(), 10L));
        assertEquals(1L, first.get("rid"));
        assertEquals(true, first.get("full_update"));
        assertEquals(Map.of("a", a, "b", b), first.get("torrents"));

        // nothing changed: only the new rid
        Map<String, Object> same = sync.answer(1, state(Map.of("a", a, "b", b), List.of(), 10L));
        assertEquals(Map.of("rid", 2L), same);

        // a moved on, b went away, c arrived, a tag and a speed changed
        Map<String, Object> a2 = Map.of("name", "a", "progress", 0.75, "state", "downloading");
        Map<String, Object> c = Map.of("name", "c", "progress", 0.0, "state", "queuedDL");
        Map<String, Object> delta = sync.answer(2, state(Map.of("a", a2, "c", c), List.of("x"), 20L));
        assertNull(delta.get("full_update"));
        assertEquals(Map.of("a", Map.of("progress", 0.75), "c", c), delta.get("torrents"));
        assertEquals(List.of("b"), delta.get("torrents_removed"));
        assertEquals(List.of("x"), delta.get("tags"));
        assertEquals(Map.of("dl_info_speed", 20L), delta.get("server_state"));
        assertFalse(delta.containsKey("categories"));
        assertFalse(delta.containsKey("trackers"));

        // two clients: each delta is against the answer that client got
        Map<String, Object> other = sync.answer(1, state(Map.of("a", a2, "c", c), List.of(), 20L));
        assertEquals(List.of("b"), other.get("torrents_removed"));
        assertNull(other.get("tags"));

        // an unknown or forgotten rid: a full update
        assertEquals(true, sync.answer(999, state(Map.of(), List.of(), 0L)).get("full_update"));
        for (int i = 0; i < QbSync.KEPT + 1; i++) {
            sync.answer(0, state(Map.of(), List.of(), 0L));
        }
        assertEquals(true, sync.answer(3, state(Map.of(), List.of(), 0L)).get("full_update"));
    }
}
