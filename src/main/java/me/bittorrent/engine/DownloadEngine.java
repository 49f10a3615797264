package me.bittorrent.engine;

import me.bittorrent.engine.session.PeerSnapshot;
import me.bittorrent.engine.session.TorrentEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import me.bittorrent.magnet.InvalidMagnetException;
import me.bittorrent.magnet.MagnetLink;
import me.bittorrent.magnet.MagnetParser;
import me.bittorrent.metainfo.InvalidTorrentException;
import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.Bitfields;
import me.bittorrent.state.LoadedTorrent;
import me.bittorrent.state.StoredTorrent;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.state.TorrentRepository;
import me.bittorrent.state.TorrentSettings;
import me.bittorrent.tracker.Trackers;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The registry of torrents: adds, lists, changes and removes them, and keeps the state folder in step.
 *
 * <p>Confinement: each torrent is an immutable {@link RegisteredTorrent} in a {@link ConcurrentMap}. A change is a
 * {@code computeIfPresent} that swaps in a new snapshot and, inside that same atomic step, queues its save in the
 * {@link TorrentRepository} (queuing is non-blocking). So saves are queued in the order the snapshots replaced each
 * other, and the repository writes them in that order: the file always ends with the newest state. Parsing, disk
 * checks and deletions run on worker threads, never on the event loop.
 *
 * <p>Transfers run in {@link SessionRunner} (one session per started torrent, on the engine context); status and
 * file progress come from a running session's latest snapshot, else from what is stored. See engine/STATE.md.
 */
@ApplicationScoped
public class DownloadEngine {

    private static final Logger LOG = Logger.getLogger(DownloadEngine.class);

    private final Vertx vertx;
    private final TorrentRepository repository;
    private final long maxTorrentSize;
    private final ConcurrentMap<String, RegisteredTorrent> torrents = new ConcurrentHashMap<>();
    /** Ids being added right now: a second upload of the same torrent meanwhile is a duplicate. */
    private final Set<String> adding = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Path> downloadDir;
    /** Why the state folder cannot be written, as last probed; null when it can. */
    private volatile String stateWriteProblem;
    private final Instant startedAt = Instant.now();
    private volatile boolean loaded;
    private volatile String loadFailure;
    private final SessionRunner runner;
    private final String peerHost;
    private final int peerPort;
    private final GlobalPreferences preferences;
    /** The peer port last asked for (config or preferences), so only a real change moves the listener. */
    private volatile int requestedPeerPort;
    /** What GET /events sends: every registry change is published there. */
    @Inject
    TorrentChanges changes;
    /** The DHT node on the peer port's UDP socket; public torrents find peers through it (SessionRunner). */
    @Inject
    DhtService dht;

    @Inject
    public DownloadEngine(Vertx vertx, TorrentRepository repository, Trackers trackers, MeterRegistry meters,
            @ConfigProperty(name = "bt.download-dir") Path downloadDir,
            @ConfigProperty(name = "bt.max-torrent-file-size") long maxTorrentSize,
            @ConfigProperty(name = "bt.max-concurrent-downloads") int maxConcurrent,
            @ConfigProperty(name = "bt.host") String peerHost,
            @ConfigProperty(name = "bt.peer-port") int peerPort, GlobalPreferences preferences) {
        this.preferences = preferences;
        this.vertx = vertx;
        this.peerHost = peerHost;
        this.peerPort = peerPort;
        this.runner = new SessionRunner(vertx, trackers, new SessionRunner.Registry() {
            @Override
            public Optional<RegisteredTorrent> find(String id) {
                return DownloadEngine.this.find(id);
            }

            @Override
            public List<RegisteredTorrent> all() {
                return List.copyOf(torrents.values());
            }

            @Override
            public Uni<RegisteredTorrent> update(String id, UnaryOperator<RegisteredTorrent> change) {
                return DownloadEngine.this.update(id, change);
            }

            @Override
            public Path journal(String id) {
                return DownloadEngine.this.repository.journalFile(id);
            }

            @Override
            public Uni<RegisteredTorrent> metadataArrived(String id, byte[] info) {
                return DownloadEngine.this.metadataArrived(id, info);
            }
        }, meters, maxConcurrent, peerPort, preferences.downloadLimiter(), preferences.uploadLimiter());
        // every session state change, and once a second per running torrent, goes to GET /events
        runner.onChange(id -> find(id).ifPresent(t -> changes.publish(id, statusOf(t))));
        this.repository = repository;
        this.downloadDir = new AtomicReference<>(downloadDir.toAbsolutePath().normalize());
        this.maxTorrentSize = maxTorrentSize;
    }

    void onStart(@Observes StartupEvent event) {
        String encoding = me.bittorrent.storage.FileNameEncoding.problem();
        if (encoding != null) {
            LOG.warn(encoding);
        }
        runner.dht(dht);
        load().chain(() -> {
            GlobalSettings global = preferences.settings();
            requestedPeerPort = global.peerPort();
            runner.maxConcurrent(global.maxConcurrentDownloads());
            // POST /settings applies live: fewer concurrent downloads queue the newest, a new port moves the listener
            preferences.changes().subscribe().with(this::applyGlobal);
            return runner.listen(peerHost, global.peerPort())
                    .invoke(() -> dht.apply(peerHost, runner.listenPort(), preferences.settings().dht()));
        }).subscribe().with(
                ignored -> {
                    LOG.infof("Ready: %d torrent(s) restored from %s, downloads go to %s",
                            torrents.size(), repository.stateDir(), downloadDir.get());
                    runner.resumeAll();
                },
                failure -> {
                    loadFailure = "The state folder " + repository.stateDir() + " cannot be read: " + failure.getMessage();
                    LOG.error(loadFailure, failure);
                });
    }

    private void applyGlobal(GlobalSettings global) {
        runner.maxConcurrent(global.maxConcurrentDownloads());
        if (global.peerPort() != requestedPeerPort) {
            requestedPeerPort = global.peerPort();
            runner.moveListener(peerHost, global.peerPort()).subscribe().with(
                    ok -> dht.apply(peerHost, runner.listenPort(), preferences.settings().dht()), e -> { });
        } else {
            dht.apply(peerHost, runner.listenPort(), global.dht());
        }
    }

    /** Restores the preferences and every stored torrent; {@link #isLoaded()} is true afterwards. */
    public Uni<Void> load() {
        return preferences.load()
                .invoke(global -> Optional.ofNullable(preferences.preferences().downloadDir())
                        .ifPresent(dir -> downloadDir.set(Path.of(dir).toAbsolutePath().normalize())))
                .chain(() -> blocking(() -> {
                    Files.createDirectories(downloadDir.get());
                    return null;
                }).onFailure().invoke(e -> LOG.warnf("The download folder %s cannot be created: %s",
                        downloadDir.get(), e.getMessage()))
                        .onFailure().recoverWithNull())
                .chain(repository::loadAll)
                .chain(found -> blocking(() -> found.stream().map(this::restore).toList()))
                .invoke(restored -> {
                    restored.forEach(torrent -> torrents.put(torrent.id(), torrent));
                    restored.forEach(changes::publish);
                    loaded = true;
                })
                .replaceWithVoid();
    }

    /** Stops every session (announcing stopped, bounded) and persists each; they start again after a restart. */
    void onStop(@Observes ShutdownEvent event) {
        runner.shutdown(Duration.ofSeconds(15));
        try {
            dht.shutdown().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("The DHT node did not close cleanly: %s", e.getMessage());
        }
    }

    public boolean isLoaded() {
        return loaded;
    }

    /** Why loading failed, if it did. */
    public Optional<String> loadFailure() {
        return Optional.ofNullable(loadFailure);
    }

    /** Why the peer port could not be opened, if it could not. */
    public Optional<String> peerListenProblem() {
        return runner.listenProblem();
    }

    /** The DHT node's state for /health, metrics and the qBittorrent API. */
    public DhtService.Status dhtStatus() {
        return dht.status();
    }

    /** The port peers connect to (the bound one when bt.peer-port is 0). */
    public int peerPort() {
        return runner.listenPort();
    }

    public Uni<Void> start(String id) {
        return requireWritableState().chain(() -> runner.start(id));
    }

    public Uni<Void> pause(String id) {
        return requireWritableState().chain(() -> runner.pause(id));
    }

    public Uni<Void> resume(String id) {
        return requireWritableState().chain(() -> runner.resume(id));
    }

    public Uni<Void> stop(String id) {
        return requireWritableState().chain(() -> runner.stop(id));
    }

    /**
     * Fails with {@link StateNotWritableException} when the state folder cannot take a write, before a change is
     * made: a change that could not be saved would be undone at the next start (a removed torrent coming back).
     * Also keeps {@link #stateWriteProblem()} current for the health checks.
     */
    public Uni<Void> requireWritableState() {
        return blocking(repository::writeProblem).map(problem -> {
            stateWriteProblem = problem;
            if (problem != null) {
                throw new StateNotWritableException(problem + ": the change was not made");
            }
            return null;
        }).replaceWithVoid();
    }

    /** Why the state folder cannot be written, as last seen (by a change or the health check), or empty. */
    public Optional<String> stateWriteProblem() {
        return Optional.ofNullable(stateWriteProblem);
    }

    /** Probes the state folder now (blocking) and remembers the answer; for the health checks. */
    public Optional<String> probeStateFolder() {
        stateWriteProblem = repository.writeProblem();
        return Optional.ofNullable(stateWriteProblem);
    }

    /** What happens in the torrent's running session (empty when it does not run); completes when it stops. */
    public Multi<TorrentEvent> events(String id) {
        return runner.events(id);
    }

    /** The live status: from the running session when there is one (or the magnet's metadata fetch). */
    public TorrentStatus statusOf(RegisteredTorrent torrent) {
        LiveView live = runner.live(torrent.id()).orElse(null);
        boolean queued = runner.isQueued(torrent.id());
        GlobalSettings global = preferences.settings();
        MetadataProgress fetching = runner.fetching(torrent.id()).orElse(null);
        if (fetching != null) {
            return torrent.status(live, queued, global, fetching); // a magnet's fetch: rare, never memoised
        }
        me.bittorrent.engine.session.SessionSnapshot snapshot = live == null ? null : live.snapshot();
        StatusMemo memo = statusMemo.get(torrent.id());
        String stalled = live == null ? null : live.stalledReason(); // moves with the clock, not the snapshot
        if (memo != null && memo.torrent() == torrent && memo.snapshot() == snapshot && memo.queued() == queued
                && memo.global().equals(global) && java.util.Objects.equals(memo.stalled(), stalled)) {
            return memo.status();
        }
        TorrentStatus status = torrent.status(live, queued, global);
        statusMemo.put(torrent.id(), new StatusMemo(torrent, snapshot, queued, global, stalled, status));
        return status;
    }

    /**
     * Peers found for a torrent, by info-hash (hex): the one entry point for every source of peers outside a
     * session (the DHT, a user). The running session dials them as its caps allow; a magnet fetching its metadata
     * asks them for it; a torrent that does not run ignores them.
     */
    public void peersFound(String infoHashHex, List<me.bittorrent.tracker.PeerAddress> peers) {
        runner.peersFound(infoHashHex, peers);
    }

    /** The .torrent bytes (as uploaded, or made from a magnet's fetched metadata); empty while unknown. */
    public Uni<Optional<byte[]>> torrentFile(String id) {
        return existing(id).map(t -> Optional.ofNullable(t.meta() == null ? null : t.meta().torrentBytes()));
    }

    /**
     * The last status built per torrent, reused while its inputs are the same objects (the registry's value and
     * the session's snapshot are immutable and replaced on change; an idle torrent keeps both): GET /status of
     * 1,000 torrents rebuilds only those that changed.
     */
    private record StatusMemo(RegisteredTorrent torrent, me.bittorrent.engine.session.SessionSnapshot snapshot,
            boolean queued, GlobalSettings global, String stalled, TorrentStatus status) {
    }

    private final Map<String, StatusMemo> statusMemo = new java.util.concurrent.ConcurrentHashMap<>();

    /** The running session's live values and totals; empty when the torrent has no session. */
    public Optional<LiveView> live(String id) {
        return runner.live(id);
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Runs on a worker: parses the saved .torrent. */
    private RegisteredTorrent restore(LoadedTorrent loaded) {
        TorrentMeta meta = null;
        String problem = loaded.problem();
        if (loaded.torrentBytes() != null) {
            try {
                meta = MetainfoParser.parse(loaded.torrentBytes(), Math.max(maxTorrentSize, loaded.torrentBytes().length));
                if (!meta.infoHash().hex().equals(loaded.id())) {
                    problem = join(problem, "the saved .torrent file belongs to another torrent ("
                            + meta.infoHash().hex() + ")");
                    meta = null;
                }
            } catch (InvalidTorrentException | RuntimeException e) {
                problem = join(problem, "the saved .torrent file is invalid: " + e.getMessage());
                LOG.warnf("Torrent %s: the saved .torrent file is invalid: %s", loaded.id(), e.getMessage());
            }
        }
        StoredTorrent stored = loaded.stored();
        if (stored == null) {
            stored = newStored(loaded.id(), meta == null ? loaded.id() : meta.name(),
                    preferences.defaultTorrentSettings(), downloadDir.get(), meta);
        }
        if (problem != null) {
            stored = stored.withError(problem.startsWith("The saved") ? problem
                    : "The saved state of this torrent could not be restored: " + problem);
        }
        return new RegisteredTorrent(meta, stored);
    }

    private static String join(String first, String second) {
        return first == null ? second : first + "; " + second;
    }

    /**
     * Adds a torrent from its .torrent bytes. Fails with {@link InvalidRequestException} (invalid torrent or
     * settings) or {@link DuplicateTorrentException}. The torrent is saved before it becomes visible.
     */
    public Uni<RegisteredTorrent> add(byte[] torrentBytes, SettingsUpdate settings) {
        SettingsUpdate update = settings == null ? SettingsUpdate.NONE : settings;
        return blocking(() -> {
            try {
                return MetainfoParser.parse(torrentBytes, maxTorrentSize);
            } catch (InvalidTorrentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        }).call(meta -> requireWritableState()).chain(meta -> {
            TorrentSettings chosen = update.applyTo(preferences.defaultTorrentSettings());
            String id = meta.infoHash().hex();
            if (torrents.containsKey(id) || !adding.add(id)) {
                return Uni.createFrom().failure(new DuplicateTorrentException(id));
            }
            if (torrents.containsKey(id)) { // added between the two checks above
                adding.remove(id);
                return Uni.createFrom().failure(new DuplicateTorrentException(id));
            }
            RegisteredTorrent torrent = new RegisteredTorrent(meta,
                    newStored(id, meta.name(), chosen, downloadDir.get(), meta));
            return repository.saveNew(torrent.stored(), torrentBytes)
                    .invoke(() -> {
                        torrents.put(id, torrent);
                        changes.publish(torrent.id(), statusOf(torrent));
                        LOG.infof("Added torrent \"%s\" (%s): %d file(s), %d bytes", meta.name(), id,
                                meta.visibleFiles().size(), meta.totalLength());
                    })
                    .eventually(() -> adding.remove(id))
                    .replaceWith(torrent);
        });
    }

    /**
     * Adds a torrent from a BEP 9 magnet link; it is shown stopped, and fetches its metadata from peers once
     * started (state {@code metadata}). Fails with {@link InvalidRequestException} (invalid link or settings) or
     * {@link DuplicateTorrentException} (the same info-hash, as a magnet or a .torrent).
     */
    public Uni<RegisteredTorrent> addMagnet(String uri, SettingsUpdate settings) {
        SettingsUpdate update = settings == null ? SettingsUpdate.NONE : settings;
        MagnetLink magnet;
        try {
            magnet = MagnetParser.parse(uri == null ? "" : uri.trim());
        } catch (InvalidMagnetException e) {
            return Uni.createFrom().failure(new InvalidRequestException(e.getMessage()));
        }
        TorrentSettings chosen;
        try {
            chosen = update.applyTo(preferences.defaultTorrentSettings());
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        return requireWritableState().chain(() -> {
            String id = magnet.infoHash().hex();
            if (torrents.containsKey(id) || !adding.add(id)) {
                return Uni.createFrom().failure(new DuplicateTorrentException(id));
            }
            if (torrents.containsKey(id)) {
                adding.remove(id);
                return Uni.createFrom().failure(new DuplicateTorrentException(id));
            }
            String dn = magnet.displayName() == null ? null : me.bittorrent.text.RemoteText.clean(magnet.displayName(), 200);
            String name = dn != null && !dn.isBlank() ? dn : id;
            RegisteredTorrent torrent = new RegisteredTorrent(null,
                    newStored(id, name, chosen, downloadDir.get(), null).withMagnet(uri.trim()));
            return repository.save(torrent.stored())
                    .invoke(() -> {
                        torrents.put(id, torrent);
                        changes.publish(torrent.id(), statusOf(torrent));
                        LOG.infof("Added magnet link \"%s\" (%s): %d tracker(s), %d peer(s); its metadata comes from "
                                + "peers once started", name, id, magnet.trackers().size(), magnet.peers().size());
                    })
                    .eventually(() -> adding.remove(id))
                    .replaceWith(torrent);
        });
    }

    /**
     * A magnet's info dictionary arrived (its SHA-1 is the info-hash): validated as strictly as an upload, saved as
     * the torrent's .torrent (with the magnet's trackers), the {@code so} selection applied. Invalid metadata puts
     * the torrent in error with the reason.
     */
    Uni<RegisteredTorrent> metadataArrived(String id, byte[] info) {
        RegisteredTorrent current = torrents.get(id);
        if (current == null) {
            return Uni.createFrom().failure(new TorrentNotFoundException(id));
        }
        MagnetLink magnet = MagnetTorrents.parse(current.stored().magnet());
        byte[] bytes = MagnetTorrents.torrentFile(info, magnet == null ? List.of() : magnet.trackers());
        return blocking(() -> MetainfoParser.parse(bytes, maxTorrentSize))
                .chain(meta -> repository.saveTorrentFile(id, bytes).chain(() -> update(id, t -> new RegisteredTorrent(
                        meta, t.stored().withFileSelection(MagnetTorrents.selection(meta, magnet))))))
                .invoke(t -> LOG.infof("\"%s\" (%s): metadata received from peers: %d file(s), %d bytes", t.name(), id,
                        t.meta().visibleFiles().size(), t.meta().totalLength()))
                .onFailure(InvalidTorrentException.class).recoverWithUni(e -> {
                    String reason = "The metadata received from peers is not a valid torrent: " + e.getMessage();
                    LOG.warnf("\"%s\" (%s): %s", current.name(), id, reason);
                    return update(id, t -> new RegisteredTorrent(null, t.stored().withError(reason)));
                });
    }

    private static StoredTorrent newStored(String id, String name, TorrentSettings settings, Path dir, TorrentMeta meta) {
        Map<String, Boolean> selection = new LinkedHashMap<>();
        if (meta != null) {
            for (TorrentFile file : meta.visibleFiles()) {
                selection.put(file.displayPath(), Boolean.TRUE);
            }
        }
        return new StoredTorrent(id, name, Instant.now(), dir.toString(), settings, selection,
                TorrentLifecycle.STOPPED, "", 0, 0, List.of(), null);
    }

    /** A snapshot of every torrent. */
    public Collection<RegisteredTorrent> torrents() {
        return List.copyOf(torrents.values());
    }

    public Optional<RegisteredTorrent> find(String id) {
        return Optional.ofNullable(id == null ? null : torrents.get(id));
    }

    /** Status of every torrent, by id (sorted). */
    public Uni<Map<String, TorrentStatus>> statuses() {
        Map<String, TorrentStatus> all = new TreeMap<>();
        torrents.forEach((id, torrent) -> all.put(id, statusOf(torrent)));
        return Uni.createFrom().item(all);
    }

    public Uni<TorrentStatus> status(String id) {
        return existing(id).map(this::statusOf);
    }

    /** The connected peers of a torrent (empty when it does not run). */
    public Uni<List<PeerSnapshot>> peers(String id) {
        return existing(id).chain(torrent -> runner.peers(torrent.id()));
    }

    /** The verified pieces of a torrent: live from its session when it runs, else what is stored. */
    public Uni<PieceMap> pieces(String id) {
        return existing(id).map(torrent -> {
            int count = torrent.meta() == null ? 0 : torrent.meta().pieceCount();
            BitSet verified = runner.live(torrent.id()).map(live -> live.snapshot().verified())
                    .orElseGet(torrent::verifiedPieces);
            int length = torrent.meta() == null ? 0 : torrent.meta().pieceLength();
            return new PieceMap(count, length, verified.cardinality(), Bitfields.toBase64(verified, count));
        });
    }

    public Uni<List<FileStatus>> files(String id) {
        return existing(id).map(this::filesOf);
    }

    private List<FileStatus> filesOf(RegisteredTorrent torrent) {
        return runner.live(torrent.id()).map(live -> torrent.files(live.snapshot().verified()))
                .orElseGet(torrent::files);
    }

    /** Selects or deselects files by path; any unknown path refuses the whole request. */
    public Uni<List<FileStatus>> selectFiles(String id, Map<String, Boolean> selections) {
        return requireWritableState().chain(() -> selectFilesNow(id, selections));
    }

    private Uni<List<FileStatus>> selectFilesNow(String id, Map<String, Boolean> selections) {
        if (selections == null) {
            return Uni.createFrom().failure(new InvalidRequestException("file_selections is required"));
        }
        return update(id, torrent -> {
            Map<String, Boolean> selection = torrent.selection();
            List<String> unknown = new ArrayList<>();
            selections.forEach((path, selected) -> {
                if (!selection.containsKey(path)) {
                    unknown.add(path);
                } else if (selected == null) {
                    throw new InvalidRequestException("file_selections[\"" + path + "\"] must be true or false");
                }
            });
            if (!unknown.isEmpty()) {
                throw new InvalidRequestException("Unknown file path" + (unknown.size() > 1 ? "s" : "") + " in "
                        + torrent.name() + ": " + String.join(", ", unknown));
            }
            selection.putAll(selections);
            return new RegisteredTorrent(torrent.meta(), torrent.stored().withFileSelection(selection));
        }).invoke(runner::changed).map(this::filesOf);
    }

    public Uni<TorrentSettings> updateSettings(String id, SettingsUpdate settings) {
        if (settings == null) {
            return Uni.createFrom().failure(new InvalidRequestException("A JSON body with the settings is required"));
        }
        try {
            settings.applyTo(preferences.defaultTorrentSettings()); // a bad value is a 400 even when read-only
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        return requireWritableState().chain(() -> update(id, torrent -> new RegisteredTorrent(torrent.meta(),
                torrent.stored().withSettings(settings.applyTo(torrent.stored().settings())))))
                .invoke(runner::changed)
                .map(torrent -> torrent.stored().settings());
    }

    /**
     * Swaps in {@code change}'s snapshot and saves it; see the class comment on ordering. {@code change} may throw
     * (nothing changes then) and must be quick and side-effect free.
     */
    Uni<RegisteredTorrent> update(String id, UnaryOperator<RegisteredTorrent> change) {
        List<Uni<Void>> save = new ArrayList<>(1);
        RegisteredTorrent updated;
        try {
            updated = id == null ? null : torrents.computeIfPresent(id, (key, current) -> {
                RegisteredTorrent next = change.apply(current);
                save.add(repository.save(next.stored()));
                return next;
            });
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        if (updated == null) {
            return Uni.createFrom().failure(new TorrentNotFoundException(id));
        }
        changes.publish(updated.id(), statusOf(updated));
        return save.get(0).replaceWith(updated);
    }

    /** Removes a torrent and its saved state; with {@code deleteFiles} its downloaded files too. */
    public Uni<Removal> remove(String id, boolean deleteFiles) {
        if (id == null || !torrents.containsKey(id)) {
            return Uni.createFrom().failure(new TorrentNotFoundException(id));
        }
        return requireWritableState().chain(() -> runner.stopForRemoval(id)).chain(() -> forget(id, deleteFiles));
    }

    private Uni<Removal> forget(String id, boolean deleteFiles) {
        RegisteredTorrent removed = torrents.remove(id);
        statusMemo.remove(id);
        if (removed == null) {
            return Uni.createFrom().failure(new TorrentNotFoundException(id));
        }
        changes.removed(id);
        Uni<Void> forget = repository.delete(id);
        return forget.chain(() -> {
            if (!deleteFiles || removed.meta() == null) {
                return Uni.createFrom().item(0);
            }
            return blocking(() -> TorrentFiles.delete(removed.meta(), Path.of(removed.stored().downloadDir())));
        }).map(count -> {
            LOG.infof("Removed torrent \"%s\" (%s)%s", removed.name(), id,
                    deleteFiles ? ", " + count + " downloaded file(s) deleted" : ", its files were kept");
            return new Removal(id, removed.name(), deleteFiles && removed.meta() != null, count);
        });
    }

    /** The state folder (torrents/ and preferences.json). */
    public Path stateDir() {
        return repository.stateDir();
    }

    public Path downloadDir() {
        return downloadDir.get();
    }

    /** Makes {@code directory} the folder new torrents download into; creates it; refuses one that cannot be written. */
    public Uni<Path> setDownloadDir(String directory) {
        if (directory == null || directory.isBlank()) {
            return Uni.createFrom().failure(new InvalidRequestException("directory is required"));
        }
        Path dir;
        try {
            dir = Path.of(directory.trim()).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(new InvalidRequestException("Not a valid folder path: " + directory));
        }
        return requireWritableState().chain(() -> blocking(() -> {
            refuseOverlapWithState(dir);
            try {
                Files.createDirectories(dir);
                Path probe = Files.createTempFile(dir, ".bittorrent-me-write-check", ".tmp");
                Files.delete(probe);
            } catch (IOException | SecurityException | UnsupportedOperationException e) {
                throw new InvalidRequestException("The folder " + dir + " cannot be created or written to");
            }
            return dir;
        })).chain(checked -> {
            downloadDir.set(checked);
            return preferences.updatePreferences(p -> p.withDownloadDir(checked.toString())).replaceWith(checked);
        }).invoke(checked -> LOG.infof("New downloads go to %s", checked));
    }

    /**
     * The download folder may not be the state folder, inside it, or around it: a torrent named
     * "preferences.json" would otherwise overwrite the service's settings, and removing one with its files could
     * delete the state. Compared as real paths too, so a symbolic link cannot hide the overlap.
     */
    private void refuseOverlapWithState(Path dir) {
        Path state = repository.stateDir();
        for (Path[] pair : new Path[][] {{dir, state}, {realOrSelf(dir), realOrSelf(state)}}) {
            if (pair[0].equals(pair[1])) {
                throw new InvalidRequestException("The download folder cannot be the service's state folder ("
                        + state + ")");
            }
            if (pair[0].startsWith(pair[1])) {
                throw new InvalidRequestException("The download folder cannot be inside the service's state folder ("
                        + state + ")");
            }
            if (pair[1].startsWith(pair[0])) {
                throw new InvalidRequestException("The download folder cannot contain the service's state folder ("
                        + state + ")");
            }
        }
    }

    /** The real path of {@code path}, or of its nearest existing ancestor with the rest appended. */
    private static Path realOrSelf(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? path : existing.toRealPath().resolve(existing.relativize(path)).normalize();
        } catch (IOException | SecurityException e) {
            return path;
        }
    }

    private Uni<RegisteredTorrent> existing(String id) {
        RegisteredTorrent torrent = id == null ? null : torrents.get(id);
        return torrent == null ? Uni.createFrom().failure(new TorrentNotFoundException(id)) : Uni.createFrom().item(torrent);
    }

    private <T> Uni<T> blocking(Callable<T> task) {
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(task, false).toCompletionStage());
    }
}
