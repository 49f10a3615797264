package me.bittorrent.api.qbittorrent;

import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.GlobalSettings;
import me.bittorrent.engine.ShareLimits;
import me.bittorrent.engine.LiveView;
import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.engine.TorrentStatus;
import me.bittorrent.tracker.TrackerStatus;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One torrent as qBittorrent describes it: our live status turned into its units (bytes, bytes/s, 0-1 progress,
 * epoch seconds) and state names. Values we do not track yet say so the way qBittorrent does ("not set" -1,
 * eta 8640000, limits -2 = "use the global one").
 */
record QbTorrent(RegisteredTorrent torrent, TorrentStatus status, LiveView live, QbState state, long size,
        long completed, long dlspeed, long upspeed, GlobalSettings global) {

    /** qBittorrent's "infinite" eta (100 days). */
    static final long MAX_ETA = 8_640_000;

    static QbTorrent of(DownloadEngine engine, RegisteredTorrent torrent) {
        TorrentStatus status = engine.statusOf(torrent);
        LiveView live = engine.live(torrent.id()).orElse(null);
        BitSet verified = live != null ? live.snapshot().verified() : torrent.verifiedPieces();
        long size = torrent.selectedSize();
        long completed = Math.min(size, torrent.selectedVerifiedBytes(verified));
        long dl = live == null ? 0 : live.snapshot().downloadRate();
        long up = live == null ? 0 : live.snapshot().uploadRate();
        boolean complete = status.completed();
        QbState state = QbState.of(status.state(), complete, complete ? up > 0 : dl > 0);
        state = status.forceStart() ? state.forced() : state;
        return new QbTorrent(torrent, status, live, state, size, completed, dl, up, engine.globalSettings());
    }

    String hash() {
        return torrent.id();
    }

    String name() {
        return torrent.name();
    }

    long amountLeft() {
        return live != null ? Math.max(0, live.snapshot().bytesLeft()) : Math.max(0, size - completed);
    }

    double progress() {
        if (status.completed()) {
            return 1.0;
        }
        return size == 0 ? 0.0 : Math.min(1.0, (double) completed / size);
    }

    long eta() {
        return state == QbState.DOWNLOADING && status.eta() != null ? status.eta() : MAX_ETA;
    }

    String savePath() {
        return status.savePath();
    }

    /** The file of a single-file torrent, the top folder of a multi-file one. */
    String contentPath() {
        me.bittorrent.metainfo.TorrentMeta meta = torrent.meta();
        Path save = Path.of(savePath());
        if (meta == null) {
            return save.resolve(name()).toString();
        }
        // as qBittorrent: one file is the file itself (in its folder when it has one), else the top folder, else
        // (a multi-file torrent added without its top folder) the save path
        var files = meta.visibleFiles();
        Path root = meta.multiFile() ? save.resolve(meta.name()) : save;
        if (files.size() == 1) {
            return root.resolve(String.join("/", files.get(0).path())).toString();
        }
        return root.toString();
    }

    long addedOn() {
        return torrent.stored().addedAt().getEpochSecond();
    }

    int seeds() {
        return status.seeds();
    }

    int leechers() {
        return Math.max(0, status.peers() - status.seeds());
    }

    List<String> trackerUrls() {
        return torrent.meta() == null ? List.of()
                : torrent.meta().announceTiers().stream().flatMap(List::stream).toList();
    }

    /** The tracker that answered last (as qBittorrent's "tracker"), else "". */
    String workingTracker() {
        return status.trackers().stream().filter(t -> TrackerStatus.WORKING.equals(t.status()))
                .map(TrackerStatus::url).findFirst().orElse("");
    }

    String magnet() {
        StringBuilder uri = new StringBuilder("magnet:?xt=urn:btih:").append(hash())
                .append("&dn=").append(URLEncoder.encode(name(), StandardCharsets.UTF_8));
        for (String url : trackerUrls()) {
            uri.append("&tr=").append(URLEncoder.encode(url, StandardCharsets.UTF_8));
        }
        return uri.toString();
    }

    static long bytesPerSecond(long kilobytesPerSecond) {
        return Math.max(0, kilobytesPerSecond) * 1024;
    }

    /** A torrents/info item (sync/maindata has the same without "hash"). Field order as qBittorrent's. */
    Map<String, Object> info() {
        ShareLimits limits = ShareLimits.of(status, global);
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("added_on", addedOn());
        m.put("amount_left", amountLeft());
        m.put("auto_tmm", false);
        m.put("availability", live == null ? -1.0 : (double) Math.min(1, status.seeds()));
        m.put("category", status.category());
        m.put("comment", "");
        m.put("completed", completed);
        m.put("completion_on", status.completionOn() == null ? -1L : status.completionOn());
        m.put("content_path", contentPath());
        m.put("dl_limit", bytesPerSecond(status.downloadLimit()));
        m.put("dlspeed", dlspeed);
        m.put("download_path", "");
        m.put("downloaded", status.downloaded());
        m.put("downloaded_session", live == null ? 0L : live.snapshot().downloaded());
        m.put("eta", eta());
        m.put("f_l_piece_prio", false);
        m.put("force_start", status.forceStart());
        m.put("has_metadata", torrent.meta() != null);
        m.put("hash", hash());
        m.put("inactive_seeding_time_limit", -2L);
        m.put("infohash_v1", hash());
        m.put("infohash_v2", "");
        m.put("last_activity", dlspeed > 0 || upspeed > 0 ? now : addedOn());
        m.put("magnet_uri", magnet());
        m.put("max_inactive_seeding_time", -1L);
        m.put("max_ratio", limits.ratio());
        m.put("max_seeding_time", limits.seedingMinutes());
        m.put("name", name());
        m.put("num_complete", (long) seeds());
        m.put("num_incomplete", (long) leechers());
        m.put("num_leechs", (long) leechers());
        m.put("num_seeds", (long) seeds());
        m.put("popularity", 0.0);
        m.put("priority", status.completed() ? 0L : status.queuePosition());
        m.put("private", torrent.meta() != null && torrent.meta().isPrivate());
        m.put("progress", progress());
        m.put("ratio", status.ratio());
        m.put("ratio_limit", status.ratioLimit());
        m.put("reannounce", 0L);
        m.put("root_path", torrent.meta() != null && torrent.meta().multiFile() ? contentPath() : "");
        m.put("save_path", savePath());
        m.put("seeding_time", status.seedingTime());
        m.put("seeding_time_limit", status.seedingTimeLimit());
        m.put("seen_complete", -1L);
        m.put("seq_dl", false);
        m.put("size", size);
        m.put("state", state.wire);
        m.put("super_seeding", false);
        m.put("tags", String.join(", ", status.tags()));
        m.put("time_active", status.timeActive());
        m.put("total_size", torrent.meta() == null ? 0L : torrent.meta().totalLength());
        m.put("tracker", workingTracker());
        m.put("trackers_count", (long) trackerUrls().size());
        m.put("up_limit", bytesPerSecond(status.uploadLimit()));
        m.put("uploaded", status.uploaded());
        m.put("uploaded_session", live == null ? 0L : live.snapshot().uploaded());
        m.put("upspeed", upspeed);
        return m;
    }
}
