package me.bittorrent.api.transmission;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.Version;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.GlobalPreferences;
import me.bittorrent.engine.GlobalSettings;
import me.bittorrent.engine.GlobalSettingsUpdate;
import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.engine.TorrentStatus;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * session-get, session-set, session-stats, free-space and port-test. Speeds in Transmission's session units: KB/s
 * (we say so in {@code units}: 1 KB = 1024 bytes, the service's own unit).
 */
@ApplicationScoped
class RpcSession {

    /** What we claim to be: the RPC of Transmission 4.0 (rpc-version 17), which every client knows. */
    static final String VERSION = "4.0.6 (bittorrent-me " + Version.VERSION + ")";
    static final int RPC_VERSION = 17;

    @Inject
    DownloadEngine engine;
    @Inject
    GlobalPreferences preferences;
    @Inject
    TransmissionRpc rpc;

    void get(RpcCall r) {
        GlobalSettings g = preferences.settings();
        String dir = engine.downloadDir().toString();
        JsonObject s = new JsonObject();
        s.put("alt-speed-down", g.altDownloadLimit()).put("alt-speed-enabled", g.altSpeedEnabled())
                .put("alt-speed-time-begin", 540)
                .put("alt-speed-time-day", 127).put("alt-speed-time-enabled", false).put("alt-speed-time-end", 1020)
                .put("alt-speed-up", g.altUploadLimit());
        s.put("blocklist-enabled", false).put("blocklist-size", 0).put("blocklist-url", "");
        s.put("cache-size-mb", 4).put("config-dir", engine.stateDir().toString());
        s.put("default-trackers", "");
        s.put("dht-enabled", g.dht()).put("lpd-enabled", g.lsd()).put("pex-enabled", g.pex()).put("utp-enabled", false);
        s.put("download-dir", dir).put("download-dir-free-space", new File(dir).getUsableSpace());
        s.put("download-queue-enabled", true).put("download-queue-size", g.maxConcurrentDownloads());
        s.put("encryption", "tolerated");
        s.put("idle-seeding-limit", 30).put("idle-seeding-limit-enabled", false);
        s.put("incomplete-dir", dir).put("incomplete-dir-enabled", false);
        s.put("peer-limit-global", 200).put("peer-limit-per-torrent", g.defaultSettings().maxPeers());
        s.put("peer-port", engine.peerPort()).put("peer-port-random-on-start", false);
        s.put("port-forwarding-enabled", false);
        s.put("queue-stalled-enabled", false).put("queue-stalled-minutes", 30);
        s.put("rename-partial-files", false);
        s.put("rpc-version", RPC_VERSION).put("rpc-version-minimum", 14).put("rpc-version-semver", "5.3.0");
        s.put("script-torrent-added-enabled", false).put("script-torrent-added-filename", "")
                .put("script-torrent-done-enabled", false).put("script-torrent-done-filename", "")
                .put("script-torrent-done-seeding-enabled", false).put("script-torrent-done-seeding-filename", "");
        s.put("seed-queue-enabled", false).put("seed-queue-size", 10);
        s.put("seedRatioLimit", 2.0).put("seedRatioLimited", false);
        s.put("session-id", rpc.sessionId());
        s.put("speed-limit-down", g.downloadLimit()).put("speed-limit-down-enabled", g.downloadLimit() > 0)
                .put("speed-limit-up", g.uploadLimit()).put("speed-limit-up-enabled", g.uploadLimit() > 0);
        s.put("start-added-torrents", true).put("trash-original-torrent-files", false);
        s.put("units", new JsonObject()
                .put("speed-bytes", 1024).put("speed-units", new JsonArray(List.of("KiB/s", "MiB/s", "GiB/s", "TiB/s")))
                .put("size-bytes", 1024).put("size-units", new JsonArray(List.of("KiB", "MiB", "GiB", "TiB")))
                .put("memory-bytes", 1024).put("memory-units", new JsonArray(List.of("KiB", "MiB", "GiB", "TiB"))));
        s.put("version", VERSION);
        JsonArray fields = r.array("fields");
        if (fields != null && !fields.isEmpty()) {
            JsonObject only = new JsonObject();
            fields.forEach(f -> {
                if (f instanceof String name && s.containsKey(name)) {
                    only.put(name, s.getValue(name));
                }
            });
            r.success(only);
            return;
        }
        r.success(s);
    }

    /**
     * download-dir, speed-limit-down/-up (KB/s) with their -enabled switches, alt-speed-down/-up (KB/s) and
     * alt-speed-enabled, peer-port, download-queue-size, dht-enabled, pex-enabled, lpd-enabled (local peer discovery).
     * Other keys are ignored, as Transmission ignores what it does not know.
     */
    void set(RpcCall r) {
        GlobalSettings g = preferences.settings();
        Long down = limit(r, "speed-limit-down", g.downloadLimit());
        Long up = limit(r, "speed-limit-up", g.uploadLimit());
        Long port = r.number("peer-port");
        Long queue = r.number("download-queue-size");
        if (r.arguments.containsKey("download-queue-enabled") && !r.bool("download-queue-enabled", true)) {
            queue = (long) GlobalSettingsUpdate.LIMIT_MAX_CONCURRENT_DOWNLOADS;
        }
        Uni<?> change = preferences.update(new GlobalSettingsUpdate(down, up,
                queue == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, queue)),
                port == null ? null : (int) Math.max(-1, Math.min(Integer.MAX_VALUE, port)), null,
                r.arguments.containsKey("dht-enabled") ? (Boolean) r.bool("dht-enabled", true) : null, null, null,
                null, r.arguments.containsKey("pex-enabled") ? (Boolean) r.bool("pex-enabled", true) : null,
                r.arguments.containsKey("lpd-enabled") ? (Boolean) r.bool("lpd-enabled", true) : null,
                r.number("alt-speed-down"), r.number("alt-speed-up"),
                r.arguments.containsKey("alt-speed-enabled") ? (Boolean) r.bool("alt-speed-enabled", false) : null));
        String dir = r.string("download-dir");
        if (dir != null && !dir.isBlank() && !dir.equals(engine.downloadDir().toString())) {
            change = change.chain(() -> engine.setDownloadDir(dir));
        }
        change.subscribe().with(ok -> r.success(), r::fail);
    }

    /** The limit in force after the request: the new value when enabled, 0 (none) when disabled; null: unchanged. */
    private static Long limit(RpcCall r, String key, long current) {
        Long value = r.number(key);
        boolean hasSwitch = r.arguments.containsKey(key + "-enabled");
        if (value == null && !hasSwitch) {
            return null;
        }
        if (hasSwitch && !r.bool(key + "-enabled", false)) {
            return 0L;
        }
        return value != null ? value : current;
    }

    void stats(RpcCall r) {
        List<RegisteredTorrent> all = List.copyOf(engine.torrents());
        long down = 0;
        long up = 0;
        long downloaded = 0;
        long uploaded = 0;
        int active = 0;
        for (RegisteredTorrent t : all) {
            var live = engine.live(t.id());
            TorrentStatus status = engine.statusOf(t);
            if (live.isPresent()) {
                down += live.get().snapshot().downloadRate();
                up += live.get().snapshot().uploadRate();
                active++;
            }
            downloaded += status.downloaded();
            uploaded += status.uploaded();
        }
        long seconds = Duration.between(engine.startedAt(), Instant.now()).toSeconds();
        JsonObject totals = new JsonObject().put("downloadedBytes", downloaded).put("uploadedBytes", uploaded)
                .put("filesAdded", all.size()).put("sessionCount", 1).put("secondsActive", seconds);
        r.success(new JsonObject().put("activeTorrentCount", active).put("pausedTorrentCount", all.size() - active)
                .put("torrentCount", all.size()).put("downloadSpeed", down).put("uploadSpeed", up)
                .put("cumulative-stats", totals).put("current-stats", totals.copy()));
    }

    /** The free space of a folder (of its nearest existing parent), as Transmission reports it. */
    void freeSpace(RpcCall r) {
        String path = r.string("path");
        if (path == null || path.isBlank()) {
            r.result("directory path is required");
            return;
        }
        File existing = new File(path).getAbsoluteFile();
        while (existing != null && !existing.exists()) {
            existing = existing.getParentFile();
        }
        if (existing == null) {
            r.result("No such file or directory");
            return;
        }
        r.success(new JsonObject().put("path", path).put("size-bytes", existing.getUsableSpace())
                .put("total_size", existing.getTotalSpace()));
    }

    /** Whether the peer port is open: the service cannot ask from outside; it says whether it listens. */
    void portTest(RpcCall r) {
        r.success(new JsonObject().put("port-is-open", engine.peerListenProblem().isEmpty()));
    }
}
