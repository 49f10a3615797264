package me.bittorrent.engine;

import me.bittorrent.engine.session.RateLimiter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.state.Preferences;
import me.bittorrent.state.ShareLimitAction;
import me.bittorrent.state.TorrentRepository;
import me.bittorrent.state.TorrentSettings;

/**
 * The service-wide preferences ({@code GET/POST /settings}) and the global rate limiters every torrent session
 * draws from (as the parent of its own limiters, see {@link RateLimiter}).
 *
 * <p>The preferences live in one immutable {@link Preferences} value; a change swaps it in a one-entry map's
 * {@code compute} and queues its save there too, so saves are queued in the order the values replaced each other
 * (the same pattern as {@link DownloadEngine}). Limits apply at once ({@link RateLimiter#setRate} is safe from any
 * thread); other changes (queueing, the peer port) are published on {@link #changes()}.
 */
@ApplicationScoped
public class GlobalPreferences {

    private static final Logger LOG = Logger.getLogger(GlobalPreferences.class);
    private static final String KEY = "preferences";

    private final TorrentRepository repository;
    private final int configMaxConcurrent;
    private final int configPeerPort;
    private final long configDefaultSpeedLimit;
    private final ConcurrentMap<String, Preferences> current = new ConcurrentHashMap<>();
    private final RateLimiter download = new RateLimiter(0, null);
    private final RateLimiter upload = new RateLimiter(0, null);
    private final BroadcastProcessor<GlobalSettings> changes = BroadcastProcessor.create();
    /** BT_DHT: false (off) is a hard off the preferences cannot undo. */
    @ConfigProperty(name = "bt.dht", defaultValue = "true")
    boolean dhtAllowed = true;
    /** BT_PEX: false (off) is a hard off the preferences cannot undo. */
    @ConfigProperty(name = "bt.pex", defaultValue = "true")
    boolean pexAllowed = true;
    /** BT_LSD: false (off) is a hard off the preferences cannot undo. */
    @ConfigProperty(name = "bt.lsd", defaultValue = "true")
    boolean lsdAllowed = true;

    @Inject
    public GlobalPreferences(TorrentRepository repository,
            @ConfigProperty(name = "bt.max-concurrent-downloads") int configMaxConcurrent,
            @ConfigProperty(name = "bt.peer-port") int configPeerPort,
            @ConfigProperty(name = "bt.default-speed-limit") long configDefaultSpeedLimit) {
        this.repository = repository;
        this.configMaxConcurrent = configMaxConcurrent;
        this.configPeerPort = configPeerPort;
        this.configDefaultSpeedLimit = configDefaultSpeedLimit;
        current.put(KEY, Preferences.NONE);
    }

    /** Reads preferences.json and applies it (DownloadEngine calls it at start-up, before restoring torrents). */
    public Uni<GlobalSettings> load() {
        return repository.loadPreferences().map(found -> {
            current.put(KEY, withLegacyCategories(found.orElse(Preferences.NONE)));
            if (!pexAllowed) {
                LOG.info("Peer exchange is off (BT_PEX=off): torrents neither tell nor hear of peers through PEX");
            }
            GlobalSettings settings = settings();
            applyLimits(settings);
            return settings;
        });
    }

    /**
     * Categories created through the qBittorrent API before they were preferences lived in
     * {@code qbittorrent-categories.json}: taken over once (saved with the next change of the preferences).
     */
    private Preferences withLegacyCategories(Preferences p) {
        java.nio.file.Path legacy = repository.stateDir().resolve("qbittorrent-categories.json");
        if (p.categories() != null || !java.nio.file.Files.isRegularFile(legacy)) {
            return p;
        }
        try {
            java.util.Map<String, String> read = new java.util.TreeMap<>();
            new io.vertx.core.json.JsonObject(java.nio.file.Files.readString(legacy))
                    .forEach(e -> read.put(e.getKey(), String.valueOf(e.getValue())));
            return p.withCategories(read);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warnf("The categories in %s cannot be read (%s): starting with none", legacy, e.getMessage());
            return p;
        }
    }

    /** The stored preferences (null fields: the configured defaults apply). */
    public Preferences preferences() {
        return current.get(KEY);
    }

    /** The settings in force: the stored preferences over the configured defaults. */
    public GlobalSettings settings() {
        return settingsOf(preferences());
    }

    private GlobalSettings settingsOf(Preferences p) {
        return new GlobalSettings(
                p.downloadLimit() != null ? p.downloadLimit() : 0,
                p.uploadLimit() != null ? p.uploadLimit() : 0,
                p.maxConcurrentDownloads() != null ? p.maxConcurrentDownloads() : configMaxConcurrent,
                p.peerPort() != null ? p.peerPort() : configPeerPort,
                p.defaultSettings() != null ? p.defaultSettings() : TorrentSettings.defaults(configDefaultSpeedLimit),
                dhtAllowed && (p.dht() == null || p.dht()),
                p.ratioLimit() != null ? p.ratioLimit() : -1, p.seedingTimeLimit() != null ? p.seedingTimeLimit() : -1,
                p.shareLimitAction() != null ? p.shareLimitAction() : ShareLimitAction.STOP,
                pexAllowed && (p.pex() == null || p.pex()),
                lsdAllowed && (p.lsd() == null || p.lsd()),
                p.altDownloadLimit() != null ? p.altDownloadLimit() : 0,
                p.altUploadLimit() != null ? p.altUploadLimit() : 0,
                p.altSpeedEnabled() != null && p.altSpeedEnabled());
    }

    /** Settings a new torrent starts with ({@code BT_DEFAULT_SPEED_LIMIT} is their download limit until changed). */
    public TorrentSettings defaultTorrentSettings() {
        return settings().defaultSettings();
    }

    /** Validates, persists and applies a change; fails with {@link InvalidRequestException} for a bad value. */
    public Uni<GlobalSettings> update(GlobalSettingsUpdate update) {
        if (update == null) {
            return Uni.createFrom().failure(new InvalidRequestException("A JSON body with the settings is required"));
        }
        Uni<Void>[] save = newSaveHolder();
        GlobalSettings[] applied = new GlobalSettings[2]; // before, after
        try {
            current.compute(KEY, (key, p) -> {
                applied[0] = settingsOf(p);
                GlobalSettings next = update.applyTo(applied[0]);
                if (next.dht() && !dhtAllowed) {
                    throw new InvalidRequestException("dht cannot be switched on: the service runs with BT_DHT=off");
                }
                if (next.pex() && !pexAllowed && Boolean.TRUE.equals(update.pex())) {
                    throw new InvalidRequestException("pex cannot be switched on: the service runs with BT_PEX=off");
                }
                if (next.lsd() && !lsdAllowed) {
                    throw new InvalidRequestException("lsd cannot be switched on: the service runs with BT_LSD=off");
                }
                Preferences stored = new Preferences(p.downloadDir(), next.downloadLimit(), next.uploadLimit(),
                        next.maxConcurrentDownloads(), next.peerPort(), next.defaultSettings(),
                        update.dht() != null ? update.dht() : p.dht(), next.ratioLimit(),
                        next.seedingTimeLimit(), next.shareLimitAction(), p.categories(), p.tags(),
                        update.pex() != null ? update.pex() : p.pex(),
                        update.lsd() != null ? update.lsd() : p.lsd(),
                        next.altDownloadLimit(), next.altUploadLimit(), next.altSpeedEnabled());
                save[0] = repository.savePreferences(stored);
                applied[1] = next;
                return stored;
            });
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        GlobalSettings next = applied[1];
        applyLimits(next);
        if (next.altSpeedEnabled() != applied[0].altSpeedEnabled()) {
            LOG.infof(next.altSpeedEnabled() ? "Alternative speed limits on: download %s, upload %s"
                    : "Alternative speed limits off: back to download %s, upload %s",
                    limitWords(next.activeDownloadLimit()), limitWords(next.activeUploadLimit()));
        }
        if (!next.equals(applied[0])) {
            LOG.infof("Settings changed: download limit %s, upload limit %s, %d concurrent downloads, peer port %d, "
                    + "DHT %s, PEX %s, local service discovery %s", limitWords(next.downloadLimit()),
                    limitWords(next.uploadLimit()), next.maxConcurrentDownloads(), next.peerPort(),
                    next.dht() ? "on" : "off", next.pex() ? "on" : "off", next.lsd() ? "on" : "off");
            changes.onNext(next);
        }
        return save[0].replaceWith(next);
    }

    /** Changes other stored preferences (e.g. the download folder) without touching the settings. */
    public Uni<Preferences> updatePreferences(UnaryOperator<Preferences> change) {
        Uni<Void>[] save = newSaveHolder();
        Preferences stored = current.compute(KEY, (key, p) -> {
            Preferences next = change.apply(p);
            save[0] = repository.savePreferences(next);
            return next;
        });
        return save[0].replaceWith(stored);
    }

    @SuppressWarnings("unchecked")
    private static Uni<Void>[] newSaveHolder() {
        return new Uni[1];
    }

    /** The parent of every session's download limiter. */
    public RateLimiter downloadLimiter() {
        return download;
    }

    /** The parent of every session's upload limiter. */
    public RateLimiter uploadLimiter() {
        return upload;
    }

    /** Each applied change of the settings (emitted on the caller's thread; subscribers must not block). */
    public Multi<GlobalSettings> changes() {
        return changes;
    }

    private void applyLimits(GlobalSettings settings) {
        download.setRate(GlobalSettings.bytesPerSecond(settings.activeDownloadLimit()));
        upload.setRate(GlobalSettings.bytesPerSecond(settings.activeUploadLimit()));
    }

    private static String limitWords(long kilobytesPerSecond) {
        return kilobytesPerSecond == 0 ? "unlimited" : kilobytesPerSecond + " KB/s";
    }
}
