package me.bittorrent.api.qbittorrent;

import me.bittorrent.engine.FileStatus;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.FilePriority;
import me.bittorrent.tracker.TrackerStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** torrents/properties, torrents/files and torrents/trackers of one torrent, with qBittorrent's fields and types. */
final class QbDetails {

    private QbDetails() {
    }

    static Map<String, Object> properties(QbTorrent t) {
        TorrentMeta meta = t.torrent().meta();
        var s = t.status();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("addition_date", t.addedOn());
        m.put("comment", s.comment() == null ? "" : s.comment());
        m.put("completion_date", -1L);
        m.put("created_by", s.createdBy() == null ? "" : s.createdBy());
        m.put("creation_date", s.creationDate() == null ? -1L : s.creationDate());
        m.put("dl_limit", s.downloadLimit() == 0 ? -1L : QbTorrent.bytesPerSecond(s.downloadLimit()));
        m.put("dl_speed", t.dlspeed());
        m.put("dl_speed_avg", t.dlspeed());
        m.put("download_path", "");
        m.put("eta", t.eta());
        m.put("has_metadata", meta != null);
        m.put("hash", t.hash());
        m.put("infohash_v1", t.hash());
        m.put("infohash_v2", "");
        m.put("is_private", meta != null && meta.isPrivate());
        m.put("last_seen", -1L);
        m.put("name", t.name());
        m.put("nb_connections", (long) s.peers());
        m.put("nb_connections_limit", (long) s.settings().maxConnections());
        m.put("peers", (long) t.leechers());
        m.put("peers_total", (long) Math.max(0, s.peersKnown() - s.seeds()));
        m.put("piece_size", meta == null ? 0L : (long) meta.pieceLength());
        m.put("pieces_have", (long) s.downloadedPieces());
        m.put("pieces_num", (long) s.totalPieces());
        m.put("popularity", 0.0);
        m.put("private", meta != null && meta.isPrivate());
        m.put("reannounce", nextAnnounce(t));
        m.put("save_path", t.savePath());
        m.put("seeding_time", s.seedingTime());
        m.put("seeds", (long) s.seeds());
        m.put("seeds_total", (long) s.seeds());
        m.put("share_ratio", s.ratio());
        m.put("time_elapsed", s.timeActive());
        m.put("total_downloaded", s.downloaded());
        m.put("total_downloaded_session", t.live() == null ? 0L : t.live().snapshot().downloaded());
        m.put("total_size", t.size());
        m.put("total_uploaded", s.uploaded());
        m.put("total_uploaded_session", t.live() == null ? 0L : t.live().snapshot().uploaded());
        m.put("total_wasted", 0L);
        m.put("up_limit", s.uploadLimit() == 0 ? -1L : QbTorrent.bytesPerSecond(s.uploadLimit()));
        m.put("up_speed", t.upspeed());
        m.put("up_speed_avg", t.upspeed());
        return m;
    }

    /** Seconds to the next announce of the first tracker that has one, else 0. */
    private static long nextAnnounce(QbTorrent t) {
        long now = System.currentTimeMillis() / 1000;
        return t.status().trackers().stream().filter(tr -> tr.nextAnnounce() != null)
                .mapToLong(tr -> Math.max(0, tr.nextAnnounce().getEpochSecond() - now)).findFirst().orElse(0);
    }

    /**
     * The files in torrents/files order (their index is what filePrio takes). Names as qBittorrent's with the
     * "Original" layout: a multi-file torrent's files under its folder.
     */
    static List<Map<String, Object>> files(QbTorrent t, List<FileStatus> statuses) {
        TorrentMeta meta = t.torrent().meta();
        List<Map<String, Object>> out = new ArrayList<>();
        if (meta == null) {
            return out;
        }
        List<TorrentFile> files = meta.visibleFiles();
        for (int i = 0; i < files.size() && i < statuses.size(); i++) {
            TorrentFile file = files.get(i);
            FileStatus status = statuses.get(i);
            int first = (int) (file.offset() / meta.pieceLength());
            int last = (int) (Math.max(file.offset(), file.offset() + file.length() - 1) / meta.pieceLength());
            double progress = file.length() == 0 ? 1.0 : Math.min(1.0, status.progress() / 100.0);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("availability", -1.0);
            m.put("index", (long) i);
            m.put("is_seed", progress >= 1.0);
            m.put("name", meta.multiFile() ? meta.name() + "/" + file.displayPath() : file.displayPath());
            m.put("piece_range", List.of((long) first, (long) last));
            m.put("priority", qbPriority(status.priority()));
            m.put("progress", progress);
            m.put("size", file.length());
            out.add(m);
        }
        return out;
    }

    /**
     * qBittorrent's number for a level: 0 do not download, 1 normal, 6 high (7, maximum, is read as high). It has
     * no level under normal: low reads as 1.
     */
    static long qbPriority(String level) {
        FilePriority p = FilePriority.byName(level);
        return p == null ? 1L : switch (p) {
            case SKIP -> 0L;
            case LOW, NORMAL -> 1L;
            case HIGH -> 6L;
        };
    }

    /** The level of qBittorrent's number (0, 1, 6 or 7), or null when it is none of them. */
    static FilePriority level(int qbPriority) {
        return switch (qbPriority) {
            case 0 -> FilePriority.SKIP;
            case 1 -> FilePriority.NORMAL;
            case 6, 7 -> FilePriority.HIGH;
            default -> null;
        };
    }

    /** The DHT/PeX/LSD rows (disabled here: status 0) then each tracker with its tier and status. */
    static List<Map<String, Object>> trackers(QbTorrent t) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String pseudo : List.of("** [DHT] **", "** [PeX] **", "** [LSD] **")) {
            out.add(tracker(pseudo, -1, 0, 0, ""));
        }
        List<List<String>> tiers = t.torrent().meta() == null ? List.of() : t.torrent().meta().announceTiers();
        for (int tier = 0; tier < tiers.size(); tier++) {
            for (String url : tiers.get(tier)) {
                TrackerStatus live = t.status().trackers().stream().filter(s -> s.url().equals(url)).findFirst()
                        .orElse(null);
                int status = live == null ? 1 : switch (live.status()) {
                    case TrackerStatus.WORKING -> 2;
                    case TrackerStatus.UPDATING -> 3;
                    case TrackerStatus.ERROR -> 4;
                    default -> 1;
                };
                out.add(tracker(url, tier, status, live == null ? -1 : live.peersReceived(),
                        live == null || live.lastError() == null ? "" : live.lastError()));
            }
        }
        return out;
    }

    private static Map<String, Object> tracker(String url, int tier, int status, int peers, String msg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("msg", msg);
        m.put("num_downloaded", -1L);
        m.put("num_leeches", -1L);
        m.put("num_peers", (long) peers);
        m.put("num_seeds", -1L);
        m.put("status", (long) status);
        m.put("tier", (long) tier);
        m.put("url", url);
        return m;
    }
}
