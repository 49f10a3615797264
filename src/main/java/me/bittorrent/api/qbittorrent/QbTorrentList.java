package me.bittorrent.api.qbittorrent;

import me.bittorrent.engine.DownloadEngine;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * torrents/info's selection: filter, hashes, category, tag, sort, reverse, limit, offset, as qBittorrent applies
 * them. {@code category=""} selects the uncategorized, {@code tag=""} the untagged; absent: all.
 */
final class QbTorrentList {

    private QbTorrentList() {
    }

    static List<Map<String, Object>> select(DownloadEngine engine, QbRequest r) {
        String filter = r.param("filter");
        List<String> hashes = r.param("hashes") == null || r.param("hashes").isEmpty() ? null : r.hashes("hashes");
        Set<String> wanted = hashes == null ? null : new HashSet<>(hashes);
        String category = r.param("category");
        String tag = r.param("tag");
        Stream<Map<String, Object>> items = engine.torrents().stream()
                .filter(t -> wanted == null || wanted.contains(t.id()))
                .filter(t -> category == null || category.equals(t.stored().library().category()))
                .filter(t -> tag == null || (tag.isEmpty() ? t.stored().library().tags().isEmpty()
                        : t.stored().library().tags().contains(tag)))
                .map(t -> QbTorrent.of(engine, t))
                .filter(t -> t.state().matches(filter, t.dlspeed(), t.upspeed()))
                .map(QbTorrent::info);
        String sort = r.param("sort");
        Comparator<Map<String, Object>> order = Comparator.comparing(m -> (Long) m.get("added_on"));
        if (sort != null && !sort.isEmpty()) {
            order = Comparator.comparing(m -> m.get(sort), QbTorrentList::compare);
        }
        if (r.bool("reverse", false)) {
            order = order.reversed();
        }
        List<Map<String, Object>> sorted = items.sorted(order).toList();
        int size = sorted.size();
        long offset = r.number("offset", 0);
        if (offset < 0) { // from the end, as qBittorrent
            offset = Math.max(0, size + offset);
        }
        long limit = r.number("limit", 0);
        int from = (int) Math.min(offset, size);
        int to = limit > 0 ? (int) Math.min(size, from + limit) : size;
        return sorted.subList(from, to);
    }

    /** Numbers by value, strings case-insensitively, booleans false first; a missing field sorts first. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof String x && b instanceof String y) {
            return String.CASE_INSENSITIVE_ORDER.compare(x, y);
        }
        if (a instanceof Comparable x && a.getClass() == b.getClass()) {
            return x.compareTo(b);
        }
        return 0;
    }
}
