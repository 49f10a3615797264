package me.bittorrent.api.qbittorrent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * sync/maindata's deltas, as qBittorrent sends them: each answer has a new {@code rid}; a client that sends back
 * the rid of an answer it got receives only what changed since (changed fields of changed torrents, new torrents
 * whole, {@code torrents_removed}, and the same for categories, tags, trackers and server_state). Unknown or 0:
 * {@code full_update: true} with everything. The last {@link #KEPT} answers are kept (bounded memory), so several
 * clients polling at once each get their delta; an older rid gets a full update, which is always valid.
 */
final class QbSync {

    static final int KEPT = 16;

    private long last;
    private final LinkedHashMap<Long, Map<String, Object>> kept = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Map<String, Object>> eldest) {
            return size() > KEPT;
        }
    };

    /**
     * The answer to a client that last got {@code clientRid}, given the full state now: keys torrents (hash to
     * fields), categories, tags (a list), trackers (url to hashes), server_state. {@code full} is kept as is: the
     * caller must not change it afterwards.
     */
    synchronized Map<String, Object> answer(long clientRid, Map<String, Object> full) {
        long rid = ++last;
        Map<String, Object> previous = clientRid > 0 ? kept.get(clientRid) : null;
        kept.put(rid, full);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rid", rid);
        if (previous == null) {
            out.put("full_update", true);
            out.putAll(full);
            return out;
        }
        objects(out, "torrents", map(previous, "torrents"), map(full, "torrents"));
        objects(out, "categories", map(previous, "categories"), map(full, "categories"));
        values(out, "trackers", map(previous, "trackers"), map(full, "trackers"));
        List<?> oldTags = (List<?>) previous.getOrDefault("tags", List.of());
        List<?> newTags = (List<?>) full.getOrDefault("tags", List.of());
        List<Object> added = new ArrayList<>(newTags);
        added.removeAll(oldTags);
        List<Object> gone = new ArrayList<>(oldTags);
        gone.removeAll(newTags);
        if (!added.isEmpty()) {
            out.put("tags", added);
        }
        if (!gone.isEmpty()) {
            out.put("tags_removed", gone);
        }
        Map<String, Object> state = changedFields(map(previous, "server_state"), map(full, "server_state"));
        if (!state.isEmpty()) {
            out.put("server_state", state);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> data, String key) {
        return (Map<String, Object>) data.getOrDefault(key, Map.of());
    }

    /** Entries that are objects (torrents, categories): new ones whole, changed ones by their changed fields. */
    @SuppressWarnings("unchecked")
    private static void objects(Map<String, Object> out, String key, Map<String, Object> before,
            Map<String, Object> now) {
        Map<String, Object> changed = new LinkedHashMap<>();
        now.forEach((name, value) -> {
            Object old = before.get(name);
            if (old == null || !(old instanceof Map) || !(value instanceof Map)) {
                if (!Objects.equals(old, value)) {
                    changed.put(name, value);
                }
                return;
            }
            Map<String, Object> fields = changedFields((Map<String, Object>) old, (Map<String, Object>) value);
            if (!fields.isEmpty()) {
                changed.put(name, fields);
            }
        });
        if (!changed.isEmpty()) {
            out.put(key, changed);
        }
        removed(out, key, before, now);
    }

    /** Entries replaced whole when they change (trackers: url to hashes). */
    private static void values(Map<String, Object> out, String key, Map<String, Object> before,
            Map<String, Object> now) {
        Map<String, Object> changed = new LinkedHashMap<>();
        now.forEach((name, value) -> {
            if (!Objects.equals(before.get(name), value)) {
                changed.put(name, value);
            }
        });
        if (!changed.isEmpty()) {
            out.put(key, changed);
        }
        removed(out, key, before, now);
    }

    private static void removed(Map<String, Object> out, String key, Map<String, Object> before,
            Map<String, Object> now) {
        List<String> removed = before.keySet().stream().filter(name -> !now.containsKey(name)).toList();
        if (!removed.isEmpty()) {
            out.put(key + "_removed", removed);
        }
    }

    private static Map<String, Object> changedFields(Map<String, Object> before, Map<String, Object> now) {
        Map<String, Object> changed = new LinkedHashMap<>();
        now.forEach((field, value) -> {
            if (!before.containsKey(field) || !Objects.equals(before.get(field), value)) {
                changed.put(field, value);
            }
        });
        return changed;
    }
}
