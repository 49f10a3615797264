package me.bittorrent.api.qbittorrent;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.Version;
import me.bittorrent.api.auth.AuthConfig;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.GlobalPreferences;
import me.bittorrent.engine.GlobalSettings;
import me.bittorrent.state.ShareLimitAction;
import me.bittorrent.engine.GlobalSettingsUpdate;
import me.bittorrent.engine.InvalidRequestException;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** app/*, transfer/info and sync/maindata: the service as a qBittorrent 5.1 instance describes itself. */
@ApplicationScoped
class QbAppEndpoints {

    static final String VERSION = "v5.1.2";
    static final String WEBAPI_VERSION = "2.11.4";

    @Inject
    DownloadEngine engine;
    @Inject
    GlobalPreferences preferences;
    @Inject
    AuthConfig auth;
    @Inject
    QbCategories categories;

    private final QbSync sync = new QbSync();
    private final AtomicLong peersRid = new AtomicLong();

    void buildInfo(QbRequest r) {
        r.json(Map.of("qt", "", "libtorrent", "", "boost", "", "openssl", "", "zlib", "", "bitness", 64,
                "platform", "bittorrent-me " + Version.VERSION));
    }

    void defaultSavePath(QbRequest r) {
        r.text(engine.downloadDir().toString());
    }

    void preferences(QbRequest r) {
        GlobalSettings g = preferences.settings();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("add_stopped_enabled", false);
        m.put("alt_dl_limit", QbTorrent.bytesPerSecond(g.altDownloadLimit()));
        m.put("alt_up_limit", QbTorrent.bytesPerSecond(g.altUploadLimit()));
        m.put("auto_tmm_enabled", false);
        m.put("dht", g.dht());
        m.put("dl_limit", QbTorrent.bytesPerSecond(g.downloadLimit()));
        m.put("lsd", g.lsd());
        m.put("listen_port", (long) engine.peerPort());
        m.put("max_active_downloads", (long) g.maxConcurrentDownloads());
        m.put("max_active_torrents", -1L);
        m.put("max_active_uploads", -1L);
        m.put("max_connec", -1L);
        m.put("max_connec_per_torrent", (long) g.defaultSettings().maxConnections());
        m.put("max_inactive_seeding_time", -1L);
        m.put("max_inactive_seeding_time_enabled", false);
        m.put("max_ratio", g.ratioLimit());
        m.put("max_ratio_act", g.shareLimitAction() == ShareLimitAction.REMOVE ? 1L : 0L);
        m.put("max_ratio_enabled", g.ratioLimit() >= 0);
        m.put("max_seeding_time", g.seedingTimeLimit());
        m.put("max_seeding_time_enabled", g.seedingTimeLimit() >= 0);
        m.put("max_uploads_per_torrent", -1L);
        m.put("pex", g.pex());
        m.put("preallocate_all", g.defaultSettings().preAllocate());
        m.put("queueing_enabled", true);
        m.put("resume_data_storage_type", "Legacy");
        m.put("save_path", engine.downloadDir().toString());
        m.put("start_paused_enabled", false);
        m.put("temp_path", "");
        m.put("temp_path_enabled", false);
        m.put("torrent_content_layout", "Original");
        m.put("up_limit", QbTorrent.bytesPerSecond(g.uploadLimit()));
        m.put("upnp", false);
        m.put("web_ui_username", auth.username());
        r.json(m);
    }

    /**
     * The form field {@code json}: save_path, dl_limit and up_limit (bytes/s, 0 or -1 unlimited), listen_port,
     * max_active_downloads (-1: the largest we allow), dht, pex and lsd (true/false). Other keys are ignored, as
     * qBittorrent ignores unknown ones.
     */
    void setPreferences(QbRequest r) {
        JsonObject json;
        try {
            json = new JsonObject(r.required("json"));
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidRequestException("json must be a JSON object");
        }
        Long down = json.containsKey("dl_limit") ? kilobytes(json, "dl_limit") : null;
        Long up = json.containsKey("up_limit") ? kilobytes(json, "up_limit") : null;
        Integer port = json.containsKey("listen_port") ? integer(json, "listen_port") : null;
        Integer active = json.containsKey("max_active_downloads") ? integer(json, "max_active_downloads") : null;
        if (active != null && active < 0) {
            active = GlobalSettingsUpdate.LIMIT_MAX_CONCURRENT_DOWNLOADS;
        }
        GlobalSettings g = preferences.settings();
        Double ratio = null;
        if (json.containsKey("max_ratio_enabled") || json.containsKey("max_ratio")) {
            boolean on = json.containsKey("max_ratio_enabled") ? bool(json, "max_ratio_enabled") : g.ratioLimit() >= 0;
            double value = json.containsKey("max_ratio") ? number(json, "max_ratio") : g.ratioLimit();
            ratio = on && value >= 0 ? value : -1.0;
        }
        Long minutes = null;
        if (json.containsKey("max_seeding_time_enabled") || json.containsKey("max_seeding_time")) {
            boolean on = json.containsKey("max_seeding_time_enabled") ? bool(json, "max_seeding_time_enabled")
                    : g.seedingTimeLimit() >= 0;
            long value = json.containsKey("max_seeding_time") ? integer(json, "max_seeding_time") : g.seedingTimeLimit();
            minutes = on && value >= 0 ? value : -1L;
        }
        String action = null;
        if (json.containsKey("max_ratio_act")) {
            int act = integer(json, "max_ratio_act");
            if (act != 0 && act != 1) {
                throw new InvalidRequestException("max_ratio_act must be 0 (stop) or 1 (remove)");
            }
            action = act == 1 ? "remove" : "stop";
        }
        Boolean dht = json.getValue("dht") instanceof Boolean b ? b : null;
        Boolean pex = json.getValue("pex") instanceof Boolean b ? b : null;
        Boolean lsd = json.getValue("lsd") instanceof Boolean b ? b : null;
        Long altDown = json.containsKey("alt_dl_limit") ? kilobytes(json, "alt_dl_limit") : null;
        Long altUp = json.containsKey("alt_up_limit") ? kilobytes(json, "alt_up_limit") : null;
        Uni<?> change = preferences.update(new GlobalSettingsUpdate(down, up, active, port, null, dht, ratio, minutes,
                action, pex, lsd, altDown, altUp, null));
        if (json.getValue("save_path") instanceof String path && !path.isBlank()
                && !path.equals(engine.downloadDir().toString())) {
            change = change.chain(() -> engine.setDownloadDir(path));
        }
        change.subscribe().with(ok -> r.text(""), r::fail);
    }

    private static boolean bool(JsonObject json, String key) {
        if (!(json.getValue(key) instanceof Boolean b)) {
            throw new InvalidRequestException(key + " must be true or false");
        }
        return b;
    }

    private static double number(JsonObject json, String key) {
        if (!(json.getValue(key) instanceof Number n)) {
            throw new InvalidRequestException(key + " must be a number");
        }
        return n.doubleValue();
    }

    private static Long kilobytes(JsonObject json, String key) {
        long bytes = integer(json, key);
        return bytes <= 0 ? 0 : (bytes + 1023) / 1024;
    }

    private static int integer(JsonObject json, String key) {
        if (!(json.getValue(key) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new InvalidRequestException(key + " must be a whole number");
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n.longValue()));
    }

    void transferInfo(QbRequest r) {
        r.json(transfer(all()));
    }

    private List<QbTorrent> all() {
        return engine.torrents().stream().map(t -> QbTorrent.of(engine, t)).toList();
    }

    private Map<String, Object> transfer(List<QbTorrent> torrents) {
        GlobalSettings g = preferences.settings();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connection_status", engine.peerListenProblem().isPresent() ? "firewalled" : "connected");
        m.put("dht_nodes", (long) engine.dhtStatus().nodes());
        m.put("dl_info_data", torrents.stream().mapToLong(t -> t.live() == null ? 0
                : t.live().snapshot().downloaded()).sum());
        m.put("dl_info_speed", torrents.stream().mapToLong(QbTorrent::dlspeed).sum());
        m.put("dl_rate_limit", QbTorrent.bytesPerSecond(g.activeDownloadLimit()));
        m.put("up_info_data", torrents.stream().mapToLong(t -> t.live() == null ? 0
                : t.live().snapshot().uploaded()).sum());
        m.put("up_info_speed", torrents.stream().mapToLong(QbTorrent::upspeed).sum());
        m.put("up_rate_limit", QbTorrent.bytesPerSecond(g.activeUploadLimit()));
        m.put("use_alt_speed_limits", g.altSpeedEnabled());
        return m;
    }

    /** transfer/speedLimitsMode: 1 while the alternative limits apply, else 0. */
    void speedLimitsMode(QbRequest r) {
        r.text(preferences.settings().altSpeedEnabled() ? "1" : "0");
    }

    /** transfer/toggleSpeedLimitsMode: switches the alternative limits on or off. */
    void toggleSpeedLimitsMode(QbRequest r) {
        setAltSpeed(r, !preferences.settings().altSpeedEnabled());
    }

    /** transfer/setSpeedLimitsMode (qBittorrent 5): {@code mode} 0 normal limits, any other number the alternative. */
    void setSpeedLimitsMode(QbRequest r) {
        String mode = r.required("mode");
        try {
            setAltSpeed(r, Long.parseLong(mode.trim()) != 0);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("'mode': invalid argument");
        }
    }

    private void setAltSpeed(QbRequest r, boolean on) {
        preferences.update(GlobalSettingsUpdate.altSpeed(null, null, on)).subscribe().with(ok -> r.text(""), r::fail);
    }

    /** A full update for rid 0 or one we no longer know, else only what changed since that answer (QbSync). */
    void maindata(QbRequest r) {
        List<QbTorrent> torrents = all();
        Map<String, Object> byHash = new LinkedHashMap<>();
        Map<String, List<String>> trackers = new LinkedHashMap<>();
        for (QbTorrent t : torrents) {
            Map<String, Object> info = t.info();
            info.remove("hash");
            byHash.put(t.hash(), info);
            t.trackerUrls().forEach(url -> trackers.computeIfAbsent(url, u -> new ArrayList<>()).add(t.hash()));
        }
        Map<String, Object> state = transfer(torrents);
        long allDown = torrents.stream().mapToLong(t -> t.status().downloaded()).sum();
        long allUp = torrents.stream().mapToLong(t -> t.status().uploaded()).sum();
        state.put("alltime_dl", allDown);
        state.put("alltime_ul", allUp);
        state.put("free_space_on_disk", new File(engine.downloadDir().toString()).getUsableSpace());
        state.put("global_ratio", allDown == 0 ? "0.00" : String.format(java.util.Locale.ROOT, "%.2f",
                (double) allUp / allDown));
        state.put("queueing", true);
        state.put("refresh_interval", 1500L);
        state.put("total_peer_connections", torrents.stream().mapToLong(t -> t.status().peers()).sum());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("torrents", byHash);
        m.put("categories", categories.view());
        m.put("tags", engine.tags());
        m.put("trackers", trackers);
        m.put("server_state", state);
        r.json(sync.answer(Math.max(0, r.number("rid", 0)), m));
    }

    /**
     * sync/torrentPeers: the torrent's connected peers keyed "ip:port" with qBittorrent's fields, always a full
     * update; 404 for a torrent that does not exist, as qBittorrent.
     */
    void torrentPeers(QbRequest r) {
        String hash = r.hash();
        if (engine.find(hash).isEmpty()) {
            r.text(404, "Torrent hash was not found");
            return;
        }
        engine.peers(hash).subscribe().with(list -> {
            Map<String, Object> peers = new LinkedHashMap<>();
            for (me.bittorrent.engine.session.PeerSnapshot p : list) {
                int colon = p.address().lastIndexOf(':');
                Map<String, Object> peer = new LinkedHashMap<>();
                peer.put("client", p.client() == null ? "" : p.client());
                peer.put("connection", "BT");
                peer.put("country_code", "");
                peer.put("dl_speed", p.downloadSpeed());
                peer.put("downloaded", p.downloaded());
                peer.put("files", "");
                peer.put("flags", p.flags());
                peer.put("flags_desc", "");
                peer.put("ip", colon < 0 ? p.address() : p.address().substring(0, colon));
                peer.put("port", colon < 0 ? 0 : Integer.parseInt(p.address().substring(colon + 1)));
                peer.put("progress", p.progress() / 100.0);
                peer.put("relevance", 1);
                peer.put("up_speed", p.uploadSpeed());
                peer.put("uploaded", p.uploaded());
                peers.put(p.address(), peer);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("full_update", true);
            m.put("peers", peers);
            m.put("rid", peersRid.incrementAndGet());
            m.put("show_flags", true);
            r.json(m);
        }, e -> r.text(404, "Torrent hash was not found"));
    }
}
