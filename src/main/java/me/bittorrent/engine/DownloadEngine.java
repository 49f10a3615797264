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
import me.bittorrent.state.FilePriority;
import me.bittorrent.state.Bitfields;
import me.bittorrent.state.ContentLayout;
import me.bittorrent.state.LoadedTorrent;
import me.bittorrent.state.StoredTorrent;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.state.TorrentRepository;
import me.bittorrent.state.TorrentSettings;
import me.bittorrent.state.TorrentLibrary;
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
    /**
     * Completes when the stored torrents are restored AND each one that resumes is admitted by the runner (launching,
     * so it reads checking, or queued), or when loading failed. The HTTP port opens before that: a status answered
     * earlier would list no torrent, or a queued one as checking (issue 11 item 11, STATE.md "Status intent").
     */
    private final java.util.concurrent.CompletableFuture<Void> resumed = new java.util.concurrent.CompletableFuture<>();
    /** How long GET /status waits for {@link #resumed} before answering 503 (a very large state folder). */
    static final Duration RESUME_WAIT = Duration.ofSeconds(10);
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
    /** Local service discovery (BEP 14): public torrents announced on the LAN, peers found there. */
    @Inject
    LsdService lsd;

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
            public Uni<RegisteredTorrent> updateProgress(String id, UnaryOperator<RegisteredTorrent> change) {
                return DownloadEngine.this.update(id, change, false);
            }

            @Override
            public Path journal(String id) {
                return DownloadEngine.this.repository.journalFile(id);
            }

            @Override
            public Uni<RegisteredTorrent> metadataArrived(String id, byte[] info) {
                return DownloadEngine.this.metadataArrived(id, info);
            }

            @Override
            public GlobalSettings global() {
                return DownloadEngine.this.preferences.settings();
            }

            @Override
            public Uni<Void> remove(String id) {
                return DownloadEngine.this.remove(id, false).replaceWithVoid();
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
        runner.lsd(lsd);
        load().chain(() -> {
            GlobalSettings global = preferences.settings();
            requestedPeerPort = global.peerPort();
            runner.maxConcurrent(global.maxConcurrentDownloads());
            runner.pex(global.pex());
            // POST /settings applies live: fewer concurrent downloads queue the newest, a new port moves the listener
            preferences.changes().subscribe().with(this::applyGlobal);
            return runner.listen(peerHost, global.peerPort())
                    .invoke(() -> dht.apply(peerHost, runner.listenPort(), preferences.settings().dht()))
                    .invoke(() -> lsd.apply(runner.listenPort(), preferences.settings().lsd()));
        }).subscribe().with(
                ignored -> {
                    LOG.infof("Ready: %d torrent(s) restored from %s in %d ms, downloads go to %s",
                            torrents.size(), repository.stateDir(), loadMillis, downloadDir.get());
                    runner.resumeAll(() -> resumed.complete(null));
                },
                failure -> {
                    loadFailure = "The state folder " + repository.stateDir() + " cannot be read: " + failure.getMessage();
                    LOG.error(loadFailure, failure);
                    resumed.complete(null);
                });
    }

    private void applyGlobal(GlobalSettings global) {
        runner.maxConcurrent(global.maxConcurrentDownloads());
        runner.pex(global.pex());
        if (global.peerPort() != requestedPeerPort) {
            requestedPeerPort = global.peerPort();
            runner.moveListener(peerHost, global.peerPort()).subscribe().with(ok -> {
                dht.apply(peerHost, runner.listenPort(), preferences.settings().dht());
                lsd.apply(runner.listenPort(), preferences.settings().lsd());
            }, e -> { });
        } else {
            dht.apply(peerHost, runner.listenPort(), global.dht());
            lsd.apply(runner.listenPort(), global.lsd());
        }
    }

    /** Restores the preferences and every stored torrent; {@link #isLoaded()} is true afterwards. */
    public Uni<Void> load() {
        long began = System.nanoTime();
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
                // parsing each .torrent (its info-hash checked) on every core, in the loaded order
                .chain(found -> blocking(() -> found.parallelStream().map(this::restore).toList()))
                .map(DownloadEngine::withQueuePositions)
                .invoke(restored -> {
                    restored.forEach(torrent -> torrents.put(torrent.id(), torrent));
                    queueChanged();
                    restored.forEach(changes::publish);
                    loadMillis = (System.nanoTime() - began) / 1_000_000;
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
        try {
            lsd.shutdown().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("Local service discovery did not close cleanly: %s", e.getMessage());
        }
    }

    /** How long {@link #load()} took (reading and parsing the state folder), for the Ready line. */
    private volatile long loadMillis;

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

    /** Local service discovery's state for /health. */
    public LsdService.Status lsdStatus() {
        return lsd.status();
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
        // right after a start, a change waits for the stored torrents: an upload of one of them is then a duplicate,
        // not a new torrent whose save would overwrite its stored progress
        return whenResumed().chain(() -> blocking(repository::writeProblem)).map(problem -> {
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
        RegisteredTorrent.RunnerView view = new RegisteredTorrent.RunnerView(queueRank(torrent.id()),
                runner.seedingSeconds(torrent), runner.busy(torrent.id()), runner.activeSeconds(torrent));
        MetadataProgress fetching = runner.fetching(torrent.id()).orElse(null);
        if (fetching != null) {
            return torrent.status(live, queued, global, view, fetching); // a magnet's fetch: rare, never memoised
        }
        me.bittorrent.engine.session.SessionSnapshot snapshot = live == null ? null : live.snapshot();
        StatusMemo memo = statusMemo.get(torrent.id());
        String stalled = live == null ? null : live.stalledReason(); // moves with the clock, not the snapshot
        if (memo != null && memo.torrent() == torrent && memo.snapshot() == snapshot && memo.queued() == queued
                && memo.global().equals(global) && java.util.Objects.equals(memo.stalled(), stalled)
                && memo.view().equals(view)) {
            return memo.status();
        }
        TorrentStatus status = torrent.status(live, queued, global, view, null);
        statusMemo.put(torrent.id(), new StatusMemo(torrent, snapshot, queued, global, stalled, view, status));
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
            boolean queued, GlobalSettings global, String stalled, RegisteredTorrent.RunnerView view,
            TorrentStatus status) {
    }

    private final Map<String, StatusMemo> statusMemo = new java.util.concurrent.ConcurrentHashMap<>();

    /** The running session's live values and totals; empty when the torrent has no session. */
    public Optional<LiveView> live(String id) {
        return runner.live(id);
    }

    /** The global settings in force (limits, queue, share limits). */
    public GlobalSettings globalSettings() {
        return preferences.settings();
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
        return new RegisteredTorrent(ContentLayouts.placed(meta, stored.contentLayout()), stored);
    }

    private static String join(String first, String second) {
        return first == null ? second : first + "; " + second;
    }

    /**
     * Adds a torrent from its .torrent bytes. Fails with {@link InvalidRequestException} (invalid torrent or
     * settings) or {@link DuplicateTorrentException}. The torrent is saved before it becomes visible.
     */
    public Uni<RegisteredTorrent> add(byte[] torrentBytes, SettingsUpdate settings) {
        return add(torrentBytes, settings, null, null);
    }

    /**
     * As {@link #add(byte[], SettingsUpdate)}, with the library fields: {@code savePath} (null or blank: the
     * category's save path, else the download folder; created when missing, never in the state folder),
     * {@code settings}' category (must exist) and share limits, and {@code tags} (null: none).
     */
    public Uni<RegisteredTorrent> add(byte[] torrentBytes, SettingsUpdate settings, String savePath, List<String> tags) {
        return add(torrentBytes, settings, savePath, tags, null, ContentLayout.ORIGINAL);
    }

    /**
     * As {@link #add(byte[], SettingsUpdate, String, List)}, with qBittorrent's add options: {@code displayName}
     * (null or blank: the torrent's own name) and where its files go below the save path ({@code layout}).
     */
    public Uni<RegisteredTorrent> add(byte[] torrentBytes, SettingsUpdate settings, String savePath, List<String> tags,
            String displayName, ContentLayout layout) {
        ContentLayout chosenLayout = layout == null ? ContentLayout.ORIGINAL : layout;
        String shownName = displayName == null || displayName.isBlank() ? null
                : me.bittorrent.text.RemoteText.clean(displayName.trim(), 200);
        SettingsUpdate update = settings == null ? SettingsUpdate.NONE : settings;
        TorrentLibrary library;
        Path target;
        try {
            update.applyTo(preferences.defaultTorrentSettings());
            library = applyLibrary(TorrentLibrary.NONE, update).withTags(checkedTags(tags == null ? List.of() : tags));
            target = savePath != null && !savePath.isBlank() ? absoluteFolder(savePath)
                    : categoryFolder(library.category());
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        return blocking(() -> {
            if (!target.equals(downloadDir.get())) {
                checkedFolder(target, "save path");
            }
            try {
                return MetainfoParser.parse(torrentBytes, maxTorrentSize);
            } catch (InvalidTorrentException e) {
                throw new InvalidTorrentFileException(e.getMessage());
            }
        }).call(meta -> requireWritableState()).call(() -> rememberTags(library.tags())).chain(parsed -> {
            // a single file placed in a folder is named after that folder, as qbittorrent-nox shows it
            TorrentMeta meta = ContentLayouts.placed(parsed, chosenLayout);
            TorrentSettings chosen = update.applyTo(preferences.defaultTorrentSettings());
            String id = meta.infoHash().hex();
            if (torrents.containsKey(id) || !adding.add(id)) {
                return Uni.createFrom().failure(new DuplicateTorrentException(id));
            }
            if (torrents.containsKey(id)) { // added between the two checks above
                adding.remove(id);
                return Uni.createFrom().failure(new DuplicateTorrentException(id));
            }
            long last = torrents.values().stream().mapToLong(t -> t.stored().library().queuePosition()).max().orElse(0);
            RegisteredTorrent torrent = new RegisteredTorrent(meta,
                    newStored(id, parsed.name(), chosen, target, meta).withLibrary(library.withQueuePosition(last + 1))
                            .withDisplayName(shownName).withContentLayout(chosenLayout));
            return repository.saveNew(torrent.stored(), torrentBytes)
                    .invoke(() -> {
                        torrents.put(id, torrent);
                        queueChanged();
                        changes.publish(torrent.id(), statusOf(torrent));
                        LOG.infof("Added torrent \"%s\" (%s): %d file(s), %d bytes", torrent.name(), id,
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
                        ContentLayouts.placed(meta, t.stored().contentLayout()),
                        t.stored().withFileSelection(MagnetTorrents.selection(meta, magnet))))))
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

    /** Status of every torrent, by id (sorted); once the stored torrents are resumed (see {@link #resumed}). */
    public Uni<Map<String, TorrentStatus>> statuses() {
        return whenResumed().map(ignored -> {
            Map<String, TorrentStatus> all = new TreeMap<>();
            torrents.forEach((id, torrent) -> all.put(id, statusOf(torrent)));
            return all;
        });
    }

    public Uni<TorrentStatus> status(String id) {
        return existing(id).map(this::statusOf);
    }

    /**
     * For Vert.x routes (the qBittorrent and Transmission APIs): runs {@code answer} once the stored torrents are
     * resumed (at once when they are), on the caller's context; after {@link #RESUME_WAIT}, {@code starting} with
     * why instead. A list answered earlier would be empty, and Sonarr or Radarr would take the downloads as gone.
     */
    public void whenResumed(Runnable answer, java.util.function.Consumer<String> starting) {
        if (resumed.isDone()) {
            answer.run();
            return;
        }
        io.vertx.core.Context here = io.vertx.core.Vertx.currentContext();
        java.util.concurrent.Executor back = here == null ? Runnable::run : task -> here.runOnContext(v -> task.run());
        whenResumed().subscribe().with(ok -> back.execute(answer),
                failure -> back.execute(() -> starting.accept(failure.getMessage())));
    }

    /**
     * At once when the stored torrents are resumed; right after a start, when that happens (at most
     * {@link #RESUME_WAIT}, then a 503 in words): a status before it would not say what each torrent is about to do.
     */
    private Uni<Void> whenResumed() {
        if (resumed.isDone()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(resumed).ifNoItem().after(RESUME_WAIT)
                .failWith(() -> new StartingException("The service is starting: it is still restoring its torrents from "
                        + repository.stateDir() + "; try again in a moment"));
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
        if (selections == null) {
            return Uni.createFrom().failure(new InvalidRequestException("file_selections is required"));
        }
        return changeFiles(id, selections, Map.of());
    }

    /**
     * Sets file priorities by path: SKIP deselects the file, another level selects it and sets its level. Any
     * unknown path refuses the whole request.
     */
    public Uni<List<FileStatus>> prioritizeFiles(String id, Map<String, FilePriority> priorities) {
        if (priorities == null) {
            return Uni.createFrom().failure(new InvalidRequestException("file_priorities is required"));
        }
        Map<String, Boolean> selections = new java.util.LinkedHashMap<>();
        Map<String, FilePriority> levels = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, FilePriority> e : priorities.entrySet()) {
            if (e.getValue() == null) {
                return Uni.createFrom().failure(new InvalidRequestException("file_priorities[\"" + e.getKey()
                        + "\"] must be one of skip, low, normal, high"));
            }
            selections.put(e.getKey(), e.getValue() != FilePriority.SKIP);
            if (e.getValue() != FilePriority.SKIP) {
                levels.put(e.getKey(), e.getValue());
            }
        }
        return changeFiles(id, selections, levels);
    }

    /**
     * Changes the selection ({@code selections}: path to wanted) and the levels ({@code levels}: path to LOW, NORMAL
     * or HIGH, the selection untouched, as Transmission keeps "wanted" and "priority" apart) in one step; any unknown
     * path refuses the whole request.
     */
    public Uni<List<FileStatus>> changeFiles(String id, Map<String, Boolean> selections,
            Map<String, FilePriority> levels) {
        return requireWritableState().chain(() -> changeFilesNow(id, selections, levels));
    }

    private Uni<List<FileStatus>> changeFilesNow(String id, Map<String, Boolean> selections,
            Map<String, FilePriority> levels) {
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
            levels.forEach((path, level) -> {
                if (!selection.containsKey(path) && !unknown.contains(path)) {
                    unknown.add(path);
                } else if (level == null || level == FilePriority.SKIP) {
                    throw new InvalidRequestException("the priority of \"" + path + "\" must be low, normal or high");
                }
            });
            if (!unknown.isEmpty()) {
                throw new InvalidRequestException("Unknown file path" + (unknown.size() > 1 ? "s" : "") + " in "
                        + torrent.name() + ": " + String.join(", ", unknown));
            }
            selection.putAll(selections);
            Map<String, FilePriority> priorities = new java.util.HashMap<>(torrent.stored().filePriorities());
            levels.forEach((path, level) -> {
                if (level == FilePriority.NORMAL) {
                    priorities.remove(path); // normal is the default: only other levels are kept
                } else {
                    priorities.put(path, level);
                }
            });
            priorities.keySet().retainAll(selection.keySet());
            return new RegisteredTorrent(torrent.meta(), torrent.stored().withFileSelection(selection)
                    .withFilePriorities(priorities));
        }).invoke(runner::changed).map(this::filesOf);
    }

    public Uni<TorrentSettings> updateSettings(String id, SettingsUpdate settings) {
        if (settings == null) {
            return Uni.createFrom().failure(new InvalidRequestException("A JSON body with the settings is required"));
        }
        try {
            settings.applyTo(preferences.defaultTorrentSettings()); // a bad value is a 400 even when read-only
            applyLibrary(TorrentLibrary.NONE, settings);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        return requireWritableState().chain(() -> update(id, torrent -> new RegisteredTorrent(torrent.meta(),
                torrent.stored().withSettings(settings.applyTo(torrent.stored().settings()))
                        .withLibrary(applyLibrary(torrent.stored().library(), settings)))))
                .invoke(runner::changed)
                .map(torrent -> torrent.stored().settings());
    }

    /**
     * Swaps in {@code change}'s snapshot and saves it; see the class comment on ordering. {@code change} may throw
     * (nothing changes then) and must be quick and side-effect free.
     */
    Uni<RegisteredTorrent> update(String id, UnaryOperator<RegisteredTorrent> change) {
        return update(id, change, true);
    }

    /** As {@link #update(String, UnaryOperator)}; not {@code durable}: saved as progress (TorrentRepository). */
    private Uni<RegisteredTorrent> update(String id, UnaryOperator<RegisteredTorrent> change, boolean durable) {
        List<Uni<Void>> save = new ArrayList<>(1);
        RegisteredTorrent updated;
        try {
            updated = id == null ? null : torrents.computeIfPresent(id, (key, current) -> {
                RegisteredTorrent next = change.apply(current);
                save.add(durable ? repository.save(next.stored()) : repository.saveProgress(next.stored()));
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
        if (runner.busy(id) == me.bittorrent.engine.session.SessionState.MOVING) {
            return Uni.createFrom().failure(new ConflictException("'" + torrents.get(id).name()
                    + "' is being moved; remove it when the move ends"));
        }
        return requireWritableState().chain(() -> runner.stopForRemoval(id)).chain(() -> forget(id, deleteFiles));
    }

    private Uni<Removal> forget(String id, boolean deleteFiles) {
        RegisteredTorrent removed = torrents.remove(id);
        statusMemo.remove(id);
        if (removed == null) {
            return Uni.createFrom().failure(new TorrentNotFoundException(id));
        }
        queueChanged();
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
        return requireWritableState().chain(() -> blocking(() -> checkedFolder(dir, "download folder"))).chain(checked -> {
            downloadDir.set(checked);
            return preferences.updatePreferences(p -> p.withDownloadDir(checked.toString())).replaceWith(checked);
        }).invoke(checked -> LOG.infof("New downloads go to %s", checked));
    }

    /**
     * The download folder may not be the state folder, inside it, or around it: a torrent named
     * "preferences.json" would otherwise overwrite the service's settings, and removing one with its files could
     * delete the state. Compared as real paths too, so a symbolic link cannot hide the overlap.
     */
    private void refuseOverlapWithState(Path dir, String what) {
        Path state = repository.stateDir();
        for (Path[] pair : new Path[][] {{dir, state}, {realOrSelf(dir), realOrSelf(state)}}) {
            if (pair[0].equals(pair[1])) {
                throw new InvalidRequestException("The " + what + " cannot be the service's state folder ("
                        + state + ")");
            }
            if (pair[0].startsWith(pair[1])) {
                throw new InvalidRequestException("The " + what + " cannot be inside the service's state folder ("
                        + state + ")");
            }
            if (pair[1].startsWith(pair[0])) {
                throw new InvalidRequestException("The " + what + " cannot contain the service's state folder ("
                        + state + ")");
            }
        }
    }

    /**
     * BLOCKING. The rule for every folder a user names (download folder, save path, category folder, setLocation):
     * any absolute path, never the state folder, inside it or around it; created when missing and writable.
     */
    private Path checkedFolder(Path dir, String what) {
        refuseOverlapWithState(dir, what);
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".bittorrent-me-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            throw new InvalidRequestException("The folder " + dir + " cannot be created or written to");
        }
        return dir;
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

    // ---- library: categories, tags, save path, share limits, queue order, recheck, reannounce ---------------

    static final int MAX_CATEGORIES = 1000;
    static final int MAX_TAGS = 10_000;
    static final int MAX_TAGS_PER_TORRENT = 100;

    /** The library fields of {@code update} applied to {@code current}; throws naming a bad value. */
    private TorrentLibrary applyLibrary(TorrentLibrary current, SettingsUpdate update) {
        TorrentLibrary next = current;
        if (update.category() != null) {
            String category = update.category().trim();
            if (!category.isEmpty() && !categories().containsKey(category)) {
                throw new InvalidRequestException("Unknown category '" + category + "': create it first");
            }
            next = next.withCategory(category);
        }
        if (update.ratioLimit() != null || update.seedingTimeLimit() != null || update.shareLimitAction() != null) {
            Double ratio = update.ratioLimit() == null ? next.ratioLimit()
                    : ShareLimits.checkedRatio("ratio_limit", update.ratioLimit(), true);
            Long minutes = update.seedingTimeLimit() == null ? next.seedingTimeLimit()
                    : ShareLimits.checkedMinutes("seeding_time_limit", update.seedingTimeLimit(), true);
            var action = update.shareLimitAction() == null ? next.shareLimitAction()
                    : "global".equalsIgnoreCase(update.shareLimitAction().trim()) ? null
                    : ShareLimits.checkedAction(update.shareLimitAction());
            next = next.withShareLimits(ratio, minutes, action);
        }
        return next;
    }

    /** An absolute folder from a user (a relative one is refused: relative to what?). */
    private static Path absoluteFolder(String path) {
        Path dir;
        try {
            dir = Path.of(path.trim());
        } catch (RuntimeException e) {
            throw new InvalidRequestException("Not a valid folder path: " + path);
        }
        if (!dir.isAbsolute()) {
            throw new InvalidRequestException("The save path must be an absolute folder path, not " + path);
        }
        return dir.normalize();
    }

    /** Where a torrent of {@code category} goes: its save path (relative to the download folder), else that folder. */
    private Path categoryFolder(String category) {
        String path = category == null || category.isEmpty() ? "" : categories().getOrDefault(category, "");
        return path.isBlank() ? downloadDir.get() : downloadDir.get().resolve(path.trim()).normalize();
    }

    /** Categories by name: their save path ("" = the download folder). */
    public Map<String, String> categories() {
        Map<String, String> categories = preferences.preferences().categories();
        return categories == null ? Map.of() : new TreeMap<>(categories);
    }

    /**
     * Creates a category, or changes its save path ({@code mustExist} true: only changes, {@code mustNotExist}
     * true: only creates; ConflictException otherwise). A save path is absolute or relative to the download
     * folder and never in the state folder; it is created when a torrent goes there.
     */
    public Uni<Map<String, String>> saveCategory(String name, String savePath, Boolean mustExist) {
        String checked;
        String path = savePath == null ? "" : savePath.trim();
        try {
            checked = checkedCategoryName(name);
            if (!path.isEmpty()) {
                Path dir = downloadDir.get().resolve(path).normalize();
                refuseOverlapWithState(dir, "category's save path");
            }
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        return requireWritableState().chain(() -> preferences.updatePreferences(p -> {
            Map<String, String> next = new TreeMap<>(p.categories() == null ? Map.of() : p.categories());
            if (Boolean.TRUE.equals(mustExist) && !next.containsKey(checked)) {
                throw new ConflictException("Category '" + checked + "' does not exist");
            }
            if (Boolean.FALSE.equals(mustExist) && next.containsKey(checked)) {
                throw new ConflictException("Category '" + checked + "' already exists");
            }
            if (!next.containsKey(checked) && next.size() >= MAX_CATEGORIES) {
                throw new ConflictException("Too many categories (" + MAX_CATEGORIES + ")");
            }
            next.put(checked, path);
            return p.withCategories(next);
        })).map(p -> categories());
    }

    /** Removes categories (unknown names are skipped); torrents filed under them have no category any more. */
    public Uni<List<String>> removeCategories(List<String> names) {
        Set<String> gone = new java.util.HashSet<>();
        return requireWritableState().chain(() -> preferences.updatePreferences(p -> {
            Map<String, String> next = new TreeMap<>(p.categories() == null ? Map.of() : p.categories());
            for (String name : names) {
                if (next.remove(name.trim()) != null) {
                    gone.add(name.trim());
                }
            }
            return p.withCategories(next);
        })).chain(() -> eachTorrent(t -> gone.contains(t.stored().library().category()),
                l -> l.withCategory(""))).map(ignored -> List.copyOf(gone));
    }

    /** qBittorrent's rule: not empty, no leading or trailing '/', no '//', no '\', no control characters. */
    public static String checkedCategoryName(String value) {
        if (value == null || value.isBlank() || value.length() > 255 || value.startsWith("/") || value.endsWith("/")
                || value.contains("//") || value.contains("\\") || value.chars().anyMatch(c -> c < 0x20)) {
            throw new InvalidRequestException("Invalid category name: " + (value == null ? "none given" : "'" + value
                    + "' (not empty, at most 255 characters, no leading or trailing '/', no '//' or '\\')"));
        }
        return value.trim();
    }

    /** Every tag known (sorted): created ones and those torrents carry. */
    public List<String> tags() {
        List<String> known = preferences.preferences().tags();
        return known == null ? List.of() : known.stream().sorted().toList();
    }

    /** Tags from a user: trimmed, not empty, no comma, at most 128 characters, no control characters. */
    public static List<String> checkedTags(List<String> tags) {
        if (tags.size() > MAX_TAGS_PER_TORRENT) {
            throw new InvalidRequestException("At most " + MAX_TAGS_PER_TORRENT + " tags per torrent");
        }
        List<String> out = new ArrayList<>();
        for (String tag : tags) {
            String t = tag == null ? "" : tag.trim();
            if (t.isEmpty() || t.length() > 128 || t.contains(",") || t.chars().anyMatch(c -> c < 0x20)) {
                throw new InvalidRequestException("Invalid tag '" + (tag == null ? "" : tag)
                        + "': not empty, at most 128 characters, no comma");
            }
            out.add(t);
        }
        return out.stream().distinct().sorted().toList();
    }

    /** Adds tags to the known ones (createTags). */
    public Uni<List<String>> rememberTags(List<String> tags) {
        List<String> checked;
        try {
            checked = checkedTags(tags);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        if (tags().containsAll(checked)) {
            return Uni.createFrom().item(tags());
        }
        return preferences.updatePreferences(p -> {
            java.util.SortedSet<String> next = new java.util.TreeSet<>(p.tags() == null ? List.of() : p.tags());
            next.addAll(checked);
            if (next.size() > MAX_TAGS) {
                throw new ConflictException("Too many tags (" + MAX_TAGS + ")");
            }
            return p.withTags(List.copyOf(next));
        }).map(p -> tags());
    }

    /** Forgets tags (deleteTags): no torrent carries them any more. */
    public Uni<Void> deleteTags(List<String> tags) {
        Set<String> gone = Set.copyOf(tags.stream().map(String::trim).toList());
        return requireWritableState().chain(() -> preferences.updatePreferences(p -> p.withTags(
                (p.tags() == null ? List.<String>of() : p.tags()).stream().filter(t -> !gone.contains(t)).toList())))
                .chain(() -> eachTorrent(t -> t.stored().library().tags().stream().anyMatch(gone::contains),
                        l -> l.withTags(l.tags().stream().filter(t -> !gone.contains(t)).toList())));
    }

    /**
     * Changes a torrent's tags: {@code replace} sets them, else {@code add} adds and {@code remove} removes. New tags
     * join the known ones. Answers the torrent's tags.
     */
    public Uni<List<String>> changeTags(String id, List<String> add, List<String> remove, boolean replace) {
        List<String> adding;
        try {
            adding = checkedTags(add == null ? List.of() : add);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        Set<String> removing = remove == null ? Set.of() : Set.copyOf(remove.stream().map(String::trim).toList());
        return requireWritableState().chain(() -> existing(id)).chain(() -> rememberTags(adding))
                .chain(() -> update(id, t -> {
                    List<String> next = new ArrayList<>(replace ? List.of() : t.stored().library().tags());
                    next.addAll(adding);
                    next.removeAll(removing);
                    if (next.stream().distinct().count() > MAX_TAGS_PER_TORRENT) {
                        throw new InvalidRequestException("At most " + MAX_TAGS_PER_TORRENT + " tags per torrent");
                    }
                    return new RegisteredTorrent(t.meta(), t.stored().withLibrary(t.stored().library().withTags(next)));
                })).map(t -> t.stored().library().tags());
    }

    private Uni<Void> eachTorrent(java.util.function.Predicate<RegisteredTorrent> which,
            UnaryOperator<TorrentLibrary> change) {
        List<Uni<RegisteredTorrent>> updates = torrents.values().stream().filter(which)
                .map(t -> update(t.id(), x -> new RegisteredTorrent(x.meta(),
                        x.stored().withLibrary(change.apply(x.stored().library())))))
                .toList();
        return updates.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(updates).andCollectFailures().replaceWithVoid();
    }

    /** Shows the torrent as {@code name} (qBittorrent's rename; blank: its own name again); its files keep theirs. */
    public Uni<RegisteredTorrent> rename(String id, String name) {
        String shown = name == null || name.isBlank() ? null : me.bittorrent.text.RemoteText.clean(name.trim(), 200);
        return requireWritableState().chain(() -> update(id, t -> new RegisteredTorrent(t.meta(),
                t.stored().withDisplayName(shown))));
    }

    /** Force start on: the torrent starts now, outside the download queue's count; off: it takes its turn again. */
    public Uni<Void> setForceStart(String id, boolean force) {
        return requireWritableState().chain(() -> update(id, t -> new RegisteredTorrent(t.meta(),
                t.stored().withLibrary(t.stored().library().withForceStart(force)))))
                .chain(t -> {
                    runner.queueChanged(force ? "'" + t.name() + "' is force-started"
                            : "'" + t.name() + "' is no longer force-started");
                    return force ? runner.start(id) : Uni.createFrom().voidItem();
                });
    }

    /** Moves a torrent in the download queue; the first max_concurrent_downloads in that order download. */
    public Uni<Long> moveInQueue(String id, QueueMove move) {
        if (move == null) {
            return Uni.createFrom().failure(new InvalidRequestException("move must be top, bottom, up or down"));
        }
        return requireWritableState().chain(() -> existing(id)).chain(() -> {
            List<RegisteredTorrent> order = torrents.values().stream().sorted(QUEUE_ORDER).toList();
            int at = -1;
            for (int i = 0; i < order.size(); i++) {
                at = order.get(i).id().equals(id) ? i : at;
            }
            if (at < 0) {
                return Uni.createFrom().failure(new TorrentNotFoundException(id));
            }
            List<Uni<RegisteredTorrent>> updates = new ArrayList<>();
            long mine = order.get(at).stored().library().queuePosition();
            switch (move) {
                case TOP -> updates.add(position(id, order.get(0).stored().library().queuePosition() - 1, true));
                case BOTTOM -> updates.add(position(id, order.get(order.size() - 1).stored().library().queuePosition()
                        + 1, false));
                case UP, DOWN -> {
                    int other = move == QueueMove.UP ? at - 1 : at + 1;
                    if (other >= 0 && other < order.size()) {
                        long theirs = order.get(other).stored().library().queuePosition();
                        updates.add(position(order.get(other).id(), mine, move != QueueMove.UP));
                        updates.add(position(id, theirs == mine ? mine + (move == QueueMove.UP ? -1 : 1) : theirs,
                                move == QueueMove.UP));
                    }
                }
            }
            return updates.isEmpty() ? Uni.createFrom().voidItem()
                    : Uni.join().all(updates).andCollectFailures().replaceWithVoid();
        }).invoke(() -> {
            queueChanged();
            runner.queueChanged("the queue order changed");
            find(id).ifPresent(t -> changes.publish(id, statusOf(t)));
        }).map(ignored -> queueRank(id));
    }

    /**
     * Stores a queue position. 0 means "not set" in a state file, so a move never stores it: a move toward the top
     * that lands on 0 takes -1 instead, toward the bottom 1 (still ahead of / behind the same neighbours).
     */
    private Uni<RegisteredTorrent> position(String id, long value, boolean towardTop) {
        long stored = value != 0 ? value : towardTop ? -1 : 1;
        return update(id, t -> new RegisteredTorrent(t.meta(),
                t.stored().withLibrary(t.stored().library().withQueuePosition(stored))));
    }

    private static final java.util.Comparator<RegisteredTorrent> QUEUE_ORDER = java.util.Comparator
            .comparingLong((RegisteredTorrent t) -> t.stored().library().queuePosition())
            .thenComparing(t -> t.stored().addedAt() == null ? Instant.EPOCH : t.stored().addedAt())
            .thenComparing(RegisteredTorrent::id);

    /** Torrents of an older state file have no queue position yet: after the others, in order of adding. */
    private static List<RegisteredTorrent> withQueuePositions(List<RegisteredTorrent> restored) {
        long last = restored.stream().mapToLong(t -> t.stored().library().queuePosition()).max().orElse(0);
        List<RegisteredTorrent> out = new ArrayList<>();
        for (RegisteredTorrent t : restored.stream().sorted(QUEUE_ORDER).toList()) {
            if (t.stored().library().queuePosition() == 0) {
                t = new RegisteredTorrent(t.meta(), t.stored().withLibrary(t.stored().library()
                        .withQueuePosition(++last)));
            }
            out.add(t);
        }
        return out;
    }

    /** Queue ranks (1 = first), recomputed after a change of the order or of the torrents. */
    private volatile Map<String, Long> queueRanks;
    private final java.util.concurrent.atomic.AtomicLong queueVersion = new java.util.concurrent.atomic.AtomicLong();

    private void queueChanged() {
        queueVersion.incrementAndGet();
        queueRanks = null;
    }

    /** The torrent's place in the download queue, 1 = first (0 when unknown). */
    public long queueRank(String id) {
        Map<String, Long> ranks = queueRanks;
        if (ranks == null) {
            long version = queueVersion.get();
            Map<String, Long> computed = new java.util.HashMap<>();
            long rank = 0;
            for (RegisteredTorrent t : torrents.values().stream().sorted(QUEUE_ORDER).toList()) {
                computed.put(t.id(), ++rank);
            }
            ranks = computed;
            if (queueVersion.get() == version) {
                queueRanks = computed;
            }
        }
        return ranks.getOrDefault(id, 0L);
    }

    /** Checks every piece on disk again (state checking); see SessionRunner.recheck. */
    public Uni<Void> recheck(String id) {
        return requireWritableState().chain(() -> runner.recheck(id));
    }

    /** Asks every tracker of a running torrent for peers now; ConflictException when it does not run. */
    public Uni<Void> reannounce(String id) {
        return runner.reannounce(id);
    }

    /**
     * Moves a torrent's files to {@code savePath} (state moving while the disk worker moves them) and keeps that
     * folder as its save path. The rule of every user-named folder: absolute, never the state folder (or in or
     * around it), created when missing; nothing at the target is overwritten.
     */
    public Uni<Path> setLocation(String id, String savePath) {
        return setLocation(id, savePath, true);
    }

    /**
     * As {@link #setLocation(String, String)}; with {@code move} false the files are not moved (they are at the
     * new place already, Transmission's {@code move: false}): the folder changes and the torrent's files are checked
     * there again (a torrent without metadata only changes its folder).
     */
    public Uni<Path> setLocation(String id, String savePath, boolean move) {
        if (savePath == null || savePath.isBlank()) {
            return Uni.createFrom().failure(new InvalidRequestException("save_path is required"));
        }
        Path dir;
        try {
            dir = absoluteFolder(savePath);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        return requireWritableState().chain(() -> existing(id))
                .chain(() -> blocking(() -> checkedFolder(dir, "save path")))
                .chain(checked -> !move ? runner.relocate(id, checked, SessionRunner.Move.NONE)
                        .chain(() -> torrents.get(id) != null && torrents.get(id).meta() != null ? recheck(id)
                                : Uni.createFrom().voidItem())
                        .replaceWith(checked)
                        : runner.relocate(id, checked, (torrent, from, to) -> {
                    try {
                        TorrentFiles.move(torrent.meta(), from, to);
                    } catch (java.io.IOException e) {
                        throw new ConflictException("The files of '" + torrent.name() + "' could not be moved to "
                                + to + ": " + e.getMessage() + "; they stay in " + from);
                    }
                }).replaceWith(checked));
    }

    /** The torrent, or a 404; right after a start, once the stored torrents are back (never a 404 for one of them). */
    private Uni<RegisteredTorrent> existing(String id) {
        return whenResumed().chain(() -> {
            RegisteredTorrent torrent = id == null ? null : torrents.get(id);
            return torrent == null ? Uni.createFrom().failure(new TorrentNotFoundException(id))
                    : Uni.createFrom().item(torrent);
        });
    }

    private <T> Uni<T> blocking(Callable<T> task) {
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(task, false).toCompletionStage());
    }
}
