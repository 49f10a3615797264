package me.bittorrent.engine;

import me.bittorrent.engine.session.TorrentEvent;
import me.bittorrent.engine.session.RateLimiter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import me.bittorrent.Version;
import me.bittorrent.engine.session.PeerListener;
import me.bittorrent.engine.session.SessionSettings;
import me.bittorrent.engine.session.SessionSnapshot;
import me.bittorrent.engine.session.SessionState;
import me.bittorrent.engine.session.MetadataSession;
import me.bittorrent.engine.session.PeerSnapshot;
import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.engine.session.TorrentSession;
import me.bittorrent.state.Bitfields;
import me.bittorrent.state.StoredFingerprint;
import me.bittorrent.state.StoredTorrent;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.state.TorrentSettings;
import me.bittorrent.storage.FileFingerprint;
import me.bittorrent.storage.PieceStore;
import me.bittorrent.tracker.TrackerClient;

/**
 * Runs the torrents' sessions: start/pause/resume/stop, the download queue, the peer server, resume data.
 *
 * <p>Confinement: {@link #running}, {@link #queued} and {@link #launching} are changed only on the engine
 * context (every control hops onto it first); other threads only read them (concurrent collections). Registry
 * changes go through {@link Registry#update}, which is atomic and saves in order. See engine/STATE.md.
 */
final class SessionRunner {

    private static final Logger LOG = Logger.getLogger(SessionRunner.class);
    static final long PERSIST_DEBOUNCE_MILLIS = 2000;
    /** A download that received no data for this long is shown stalled (qBittorrent's stalledDL). */
    static final Duration STALL_AFTER = Duration.ofSeconds(60);

    /** The registry as the runner sees it (DownloadEngine). */
    interface Registry {
        Optional<RegisteredTorrent> find(String id);

        List<RegisteredTorrent> all();

        Uni<RegisteredTorrent> update(String id, UnaryOperator<RegisteredTorrent> change);

        /** As {@link #update}, saved as progress: not forced to the disk (TorrentRepository#saveProgress). */
        default Uni<RegisteredTorrent> updateProgress(String id, UnaryOperator<RegisteredTorrent> change) {
            return update(id, change);
        }

        /** Where the torrent's journal of written pieces lives ({@link me.bittorrent.storage.PieceJournal}); null: none. */
        default Path journal(String id) {
            return null;
        }

        /** A magnet's info dictionary arrived: validated and saved (meta set), or the torrent put in error. */
        Uni<RegisteredTorrent> metadataArrived(String id, byte[] info);

        /** The global settings in force (share limits). */
        GlobalSettings global();

        /** Removes the torrent from the list, keeping its files (a share limit's "remove" action). */
        Uni<Void> remove(String id);
    }

    /** One running session; mutable fields are confined to the engine context. */
    static final class Running {
        final String id;
        final TorrentSession session;
        final TorrentStory story;
        final long uploadedBefore;
        final long downloadedBefore;
        SessionState state = SessionState.CHECKING;
        long persistTimer = -1;
        /** Holds one of the runner's check places until it leaves CHECKING or ends (engine context). */
        boolean checkHeld;
        /** Its files matched their saved fingerprints at launch: the saved state is still true of them. */
        boolean trusted;
        /** Every wanted piece was saved as verified when it launched. */
        boolean savedComplete;
        Uni<Void> stopping;
        /** Index of the torrent context it runs on ({@link SessionRunner#torrentContexts}). */
        int loop;
        /** The snapshot counted and published by the last {@link SessionRunner#everySecond}. */
        SessionSnapshot seen;
        /** When data last arrived, or the session last began to download (engine context; read as a hint). */
        volatile long lastDataNanos = System.nanoTime();
        private long lastDownloaded;
        /** Whether the last tick found it stalled (engine context): a stall is logged once, when it begins. */
        private boolean stalled;
        /** Seconds seeded before the current seeding stretch; read by other threads (status). */
        volatile long seedingBefore;
        /** System.nanoTime() when the current seeding stretch began, -1 while not seeding. */
        volatile long seedingSince = -1;
        /** Seconds active (downloading or seeding) before the current stretch; read by other threads (status). */
        volatile long activeBefore;
        /** System.nanoTime() when the current active stretch began, -1 while not active. */
        volatile long activeSince = -1;
        /** The share limit's action was taken: not again. */
        boolean shareLimitDone;

        Running(String id, TorrentSession session, TorrentStory story, long uploadedBefore, long downloadedBefore) {
            this.id = id;
            this.session = session;
            this.story = story;
            this.uploadedBefore = uploadedBefore;
            this.downloadedBefore = downloadedBefore;
        }

        long seedingSeconds() {
            long since = seedingSince;
            return seedingBefore + (since < 0 ? 0 : (System.nanoTime() - since) / 1_000_000_000L);
        }

        long activeSeconds() {
            long since = activeSince;
            return activeBefore + (since < 0 ? 0 : (System.nanoTime() - since) / 1_000_000_000L);
        }

        /** Starts or ends an active stretch: downloading or seeding, as qBittorrent's time active (engine context). */
        void activeClock(boolean active) {
            if (active && activeSince < 0) {
                activeSince = System.nanoTime();
            } else if (!active && activeSince >= 0) {
                activeBefore = activeSeconds();
                activeSince = -1;
            }
        }

        /** Starts or ends a seeding stretch (engine context). */
        void seedingClock(boolean seeding) {
            if (seeding && seedingSince < 0) {
                seedingSince = System.nanoTime();
            } else if (!seeding && seedingSince >= 0) {
                seedingBefore = seedingSeconds();
                seedingSince = -1;
            }
        }

        /**
         * The last view {@link #live} made and what it was made from: while the snapshot, the stop and the stall
         * clock's verdict are the same, it is the same object (GET /status of 1,000 torrents made 200 views and
         * their stall sentences per call, and a fresh "about to check" snapshot that defeated the status memo).
         */
        private volatile LiveMemo liveMemo;

        private record LiveMemo(SessionSnapshot from, boolean stopping, boolean noDataForLong, LiveView view) {
        }

        LiveView live() {
            SessionSnapshot from = session.latestSnapshot();
            boolean isStopping = stopping != null;
            boolean noDataForLong = System.nanoTime() - lastDataNanos >= STALL_AFTER.toNanos();
            LiveMemo memo = liveMemo;
            if (memo != null && memo.from() == from && memo.stopping() == isStopping
                    && memo.noDataForLong() == noDataForLong) {
                return memo.view();
            }
            LiveView view = freshLive(from);
            liveMemo = new LiveMemo(from, isStopping, noDataForLong, view);
            return view;
        }

        private LiveView freshLive(SessionSnapshot s) {
            if (s.state() == SessionState.STOPPED && stopping == null) {
                // created, not started yet: what it is about to do, never "stopped" (STATE.md "Status intent")
                s = new SessionSnapshot(SessionState.CHECKING, s.error(), s.verified(), s.bytesLeft(), s.downloaded(),
                        s.uploaded(), s.downloadRate(), s.uploadRate(), s.peersConnected(), s.peersKnown(),
                        s.seeds(), s.trackers(), s.etaSeconds());
            }
            String stalled = stopping == null ? stalledReason(s, System.nanoTime() - lastDataNanos) : null;
            return new LiveView(s, uploadedBefore + s.uploaded(), downloadedBefore + s.downloaded(), stalled);
        }

        /** On the engine context, once a second: notes when data last arrived. */
        void tick(SessionSnapshot s) {
            if (s.downloaded() > lastDownloaded) {
                lastDownloaded = s.downloaded();
                lastDataNanos = System.nanoTime();
            }
        }

        /**
         * A seed by its saved pieces holds no slot while they are checked (a restart's seeds without fingerprints
         * queued the real downloads behind their checks); when the check finds pieces missing it downloads and
         * holds one, possibly one over the maximum for a while (as resume).
         */
        boolean holdsSlot() {
            return stopping == null && state.downloads() && !(state == SessionState.CHECKING && savedComplete);
        }
    }

    /**
     * Why a DOWNLOADING session is stalled, in words, or null: no peer and every tracker failed (at once), or
     * nothing received for {@link #STALL_AFTER} ({@code sinceDataNanos}).
     */
    static String stalledReason(SessionSnapshot s, long sinceDataNanos) {
        if (s.state() != SessionState.DOWNLOADING) {
            return null;
        }
        var trackers = s.trackers();
        if (s.peersConnected() == 0 && !trackers.isEmpty()
                && trackers.stream().allMatch(t -> me.bittorrent.tracker.TrackerStatus.ERROR.equals(t.status()))) {
            String why = trackers.get(0).lastError();
            return (trackers.size() == 1 ? "no peers: the tracker failed" : "no peers: every tracker failed")
                    + (why == null || why.isBlank() ? "" : ": " + why);
        }
        if (sinceDataNanos < STALL_AFTER.toNanos()) {
            return null;
        }
        long seconds = STALL_AFTER.toSeconds();
        if (s.peersConnected() == 0) {
            return trackers.isEmpty() ? "no peers: the torrent has no tracker and no peer connected for " + seconds + " s"
                    : "no peers: the trackers gave no peer that answers (" + s.peersKnown() + " known)";
        }
        return "no data for " + seconds + " s from the " + s.peersConnected()
                + (s.peersConnected() == 1 ? " connected peer" : " connected peers");
    }

    private final Vertx vertx;
    private final Context context;
    private final Executor onContext;
    /**
     * The contexts sessions run on, each on its own event loop, as many as cores (at least 2): a session lives on
     * the least busy one when it launches, so two downloads use two cores. The runner's own state, the peer
     * listener and the runner's timers stay on {@link #context}.
     */
    private final Context[] torrentContexts;
    /** Running sessions per torrent context (engine context only). */
    private final int[] sessionsOn;
    private final byte[] peerId = newPeerId();
    private final TrackerClient trackers;
    private final Registry registry;
    private final EngineMeters meters;
    private volatile int maxConcurrent;
    /** Parents of every session's limiters: the global limits (GlobalPreferences). */
    private final RateLimiter globalDownload;
    private final RateLimiter globalUpload;
    /** The peer port: routes inbound handshakes by info-hash to a running session that is not stopping. */
    private final PeerListener peers = new PeerListener();
    /**
     * Peer connections over every torrent, in and out: {@code bt.max-connections} (500), at most what the open-file
     * limit read at start leaves (wire.ConnectionBudget).
     */
    private final me.bittorrent.wire.ConnectionBudget connections = new me.bittorrent.wire.ConnectionBudget(
            me.bittorrent.wire.ConnectionBudget.maxForThisProcess(org.eclipse.microprofile.config.ConfigProvider
                    .getConfig().getOptionalValue("bt.max-connections", Integer.class).orElse(500)), peers.gate());
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Torrents waiting for a download slot: id to arrival order. */
    private final Map<String, Long> queued = new ConcurrentHashMap<>();
    /** Torrents whose session is being prepared (fingerprints compared, or waiting for its turn to check). */
    private final Set<String> launching = ConcurrentHashMap.newKeySet();
    /** Of those, the ones whose wanted pieces are all saved as verified: they hold no download slot. */
    private final Set<String> launchingComplete = ConcurrentHashMap.newKeySet();
    /**
     * Sessions that hash pieces from disk as they open (a full check or the pieces unsaved at a kill): at most
     * {@link #MAX_CHECKS} at once (libtorrent's active_checking), the others wait in {@link #checkWaiting} in
     * order, shown as checking. A restart with 1,000 torrents to check no longer hashes 1,000 at once on the
     * shared worker pool (engine context only).
     */
    private int checksRunning;
    private final java.util.ArrayDeque<Runnable> checkWaiting = new java.util.ArrayDeque<>();
    static final int MAX_CHECKS = 2;
    /** Magnet links fetching their metadata (state metadata; they hold no download slot). */
    private final Map<String, MetadataSession> fetching = new ConcurrentHashMap<>();
    /** Addresses a metadata fetch learned, for the session that takes over (engine context). */
    private final Map<String, List<PeerAddress>> handover = new ConcurrentHashMap<>();
    /** Torrents without a session doing disk work: CHECKING (a recheck) or MOVING (setLocation). */
    private final Map<String, SessionState> busy = new ConcurrentHashMap<>();
    /** What runs once a torrent's session has ended (engine context only). */
    private final Map<String, List<Runnable>> afterSession = new java.util.HashMap<>();
    private long arrivals;
    private volatile int listenPort;
    private volatile String listenProblem;
    private volatile boolean shuttingDown;
    private volatile Consumer<String> changed = id -> { };
    /** The DHT, for public torrents (null in tests that run without it). */
    private volatile DhtService dht;
    /** Peer exchange (BEP 11) for public torrents: the `pex` setting (BT_PEX=off: false for good). */
    private volatile boolean pex = true;
    /** Local service discovery, for public torrents (null in tests that run without it). */
    private volatile LsdService lsd;

    SessionRunner(Vertx vertx, TrackerClient trackers, Registry registry, io.micrometer.core.instrument.MeterRegistry meterRegistry,
            int maxConcurrent, int peerPort, RateLimiter globalDownload, RateLimiter globalUpload) {
        this.globalDownload = globalDownload;
        this.globalUpload = globalUpload;
        this.vertx = vertx;
        // created from a non-Vert.x thread: a new event-loop context of its own, the engine context
        this.context = vertx.getOrCreateContext();
        this.onContext = command -> context.runOnContext(v -> command.run());
        this.torrentContexts = torrentContexts(vertx, Math.max(2, Runtime.getRuntime().availableProcessors()));
        this.sessionsOn = new int[torrentContexts.length];
        this.trackers = trackers;
        this.registry = registry;
        this.meters = new EngineMeters(meterRegistry, this::peersConnected);
        this.maxConcurrent = Math.max(1, maxConcurrent);
        this.listenPort = peerPort;
    }

    /** {@code wanted} event-loop contexts on distinct event loops (fewer when Vert.x has fewer loops). */
    static Context[] torrentContexts(Vertx vertx, int wanted) {
        io.vertx.core.impl.VertxInternal internal = (io.vertx.core.impl.VertxInternal) vertx;
        int loops = 0;
        for (io.netty.util.concurrent.EventExecutor ignored : internal.getEventLoopGroup()) {
            loops++;
        }
        List<Context> found = new java.util.ArrayList<>();
        java.util.Set<Object> used = new java.util.HashSet<>();
        // new contexts take the event loops in turn; a loop seen twice is skipped
        for (int i = 0; i < 2 * loops && found.size() < Math.min(wanted, loops); i++) {
            io.vertx.core.impl.ContextInternal c = internal.createEventLoopContext();
            if (used.add(c.nettyEventLoop())) {
                found.add(c);
            }
        }
        return found.toArray(Context[]::new);
    }

    /** The torrent context with the fewest running sessions (engine context only). */
    private int leastBusyLoop() {
        int best = 0;
        for (int i = 1; i < sessionsOn.length; i++) {
            if (sessionsOn[i] < sessionsOn[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The context a running torrent's session lives on (tests). */
    Context contextOf(String id) {
        Running r = running.get(id);
        return r == null ? null : torrentContexts[r.loop];
    }

    static byte[] newPeerId() {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(Version.PEER_ID_PREFIX);
        while (id.length() < 20) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Public torrents find peers through {@code service} and tell peers our DHT port (BEP 5); never private ones. */
    void dht(DhtService service) {
        dht = service;
    }

    /** Switches peer exchange for every public torrent: new connections follow at once, sending stops or resumes. */
    void pex(boolean on) {
        pex = on;
    }

    /** Public torrents are announced on the LAN and find peers there (BEP 14); never private ones. */
    void lsd(LsdService service) {
        lsd = service;
    }

    /** Called with a torrent id on every state change of its session and about once a second while it runs. */
    void onChange(Consumer<String> listener) {
        changed = listener;
    }

    // ---- start-up and shutdown ---------------------------------------------------------------------------

    /** Listens for peers on the engine context; a failure is logged and kept for /health, never thrown. */
    Uni<Void> listen(String host, int port) {
        return Uni.createFrom().completionStage(() -> peers.listen(vertx, context, host, port).toCompletionStage())
                .emitOn(onContext)
                .invoke(bound -> {
                    listenPort = bound;
                    LOG.infof("Listening for peers on %s:%d; at most %d peer connections in all; sockets: %s", host,
                            bound, connections.maxTotal(), transport());
                    everySecondOnTheSecond();
                })
                .onFailure().recoverWithItem(e -> {
                    listenProblem = "Cannot listen for peers on " + host + ":" + port + ": " + e.getMessage()
                            + " (set BT_PEER_PORT to a free port); downloads still work, but no peer can connect to us";
                    LOG.error(listenProblem);
                    context.runOnContext(v -> everySecondOnTheSecond());
                    return null;
                })
                .replaceWithVoid();
    }

    /**
     * A new max_concurrent_downloads: a lower one queues the newest active downloads (most recently added first;
     * their sessions stop and they wait in the queue, still wanting to run), a higher one starts queued ones.
     */
    void maxConcurrent(int n) {
        context.runOnContext(v -> {
            maxConcurrent = Math.max(1, n);
            rebalance("max_concurrent_downloads is now " + maxConcurrent);
        });
    }

    /**
     * The queue order or a force start changed (or the cap): the first max_concurrent_downloads torrents in queue
     * order that want to download hold the slots. A running download behind them is queued (its session stops),
     * then the queue starts the ones ahead as slots free. Forced torrents are outside the count. Engine context.
     */
    private void rebalance(String why) {
        for (String id : new ArrayList<>(queued.keySet())) { // a forced torrent does not wait for a slot
            if (forced(id) && !running.containsKey(id) && !busy.containsKey(id)) {
                queued.remove(id);
                registry.find(id).filter(SessionRunner::wantsToRun).ifPresent(this::launch);
            }
        }
        List<String> candidates = new ArrayList<>();
        int launchingCounted = 0;
        for (String id : launching) {
            launchingCounted += forced(id) ? 0 : 1;
        }
        for (Running r : running.values()) {
            if (r.holdsSlot() && !forced(r.id)) {
                candidates.add(r.id);
            }
        }
        for (String id : queued.keySet()) {
            if (!running.containsKey(id) && !candidates.contains(id)) {
                candidates.add(id);
            }
        }
        candidates.sort(queueOrder());
        Set<String> keep = new java.util.HashSet<>(candidates.subList(0,
                Math.max(0, Math.min(candidates.size(), maxConcurrent - launchingCounted))));
        for (Running r : new ArrayList<>(running.values())) {
            if (r.holdsSlot() && !forced(r.id) && !keep.contains(r.id)) {
                LOG.infof("'%s' is queued: %s", r.story.name(), why);
                queued.put(r.id, arrivals++);
                stopSession(r, TorrentLifecycle.DOWNLOADING, true);
            }
        }
        pumpQueue();
    }

    /** Call after a change of queue positions or force start: rebalances on the engine context. */
    void queueChanged(String why) {
        context.runOnContext(v -> rebalance(why));
    }

    /** Queue order: the stored queue position, then arrival in the queue. */
    private Comparator<String> queueOrder() {
        return Comparator.comparingLong((String id) -> registry.find(id)
                .map(t -> t.stored().library().queuePosition()).orElse(Long.MAX_VALUE))
                .thenComparingLong(id -> queued.getOrDefault(id, Long.MAX_VALUE));
    }

    private boolean forced(String id) {
        return registry.find(id).map(t -> t.stored().library().forceStart()).orElse(false);
    }

    /** Moves the peer listener to {@code port}; running sessions announce the new port from their next announce. */
    Uni<Void> moveListener(String host, int port) {
        return onEngine(() -> Uni.createFrom().completionStage(() -> peers.close()
                .compose(closed -> peers.listen(vertx, context, host, port)).toCompletionStage()))
                .invoke(bound -> {
                    listenPort = bound;
                    listenProblem = null;
                    running.values().forEach(r -> r.session.updateListenPort(bound));
                    LOG.infof("Listening for peers on %s:%d now", host, bound);
                })
                .onFailure().invoke(e -> {
                    listenProblem = "Cannot listen for peers on " + host + ":" + port + ": " + e.getMessage()
                            + " (choose another peer_port); downloads still work, but no peer can connect to us";
                    LOG.error(listenProblem);
                })
                .replaceWithVoid();
    }

    Optional<String> listenProblem() {
        return Optional.ofNullable(listenProblem);
    }

    int listenPort() {
        return listenPort;
    }

    /**
     * Starts again every torrent that was downloading, seeding or queued when the service stopped; {@code then} runs
     * once each is admitted (launching or queued), on the engine context.
     */
    void resumeAll(Runnable then) {
        context.runOnContext(v -> {
            try {
                registry.all().stream()
                        .filter(t -> (t.meta() != null || t.awaitsMetadata()) && !t.inError() && wantsToRun(t))
                        .sorted(Comparator.comparingLong((RegisteredTorrent t) -> t.stored().library().queuePosition())
                                .thenComparing(t -> t.stored().addedAt()))
                        .forEach(t -> admit(t.id()));
            } finally {
                then.run();
            }
        });
    }

    /** Stops every session (each announces stopped, bounded), persists each keeping its lifecycle. */
    void shutdown(Duration bound) {
        shuttingDown = true;
        List<Uni<Void>> stops = new ArrayList<>();
        for (Running r : new ArrayList<>(running.values())) {
            stops.add(onEngine(() -> stopSession(r, null, true)));
        }
        for (String id : new ArrayList<>(fetching.keySet())) {
            stops.add(onEngine(() -> stopFetch(id)));
        }
        try {
            if (!stops.isEmpty()) {
                Uni.join().all(stops).andCollectFailures().replaceWithVoid().await().atMost(bound);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Not every torrent stopped cleanly at shutdown: %s", e.getMessage());
        }
        peers.close();
    }

    // ---- controls (any thread; the work runs on the engine context) --------------------------------------

    Uni<Void> start(String id) {
        return onEngine(() -> {
            RegisteredTorrent torrent = require(id);
            if (torrent.awaitsMetadata()) {
                return fetching.containsKey(id) ? Uni.createFrom().voidItem() : startNow(id);
            }
            if (torrent.meta() == null) {
                throw new ConflictException("This download cannot start: " + torrent.stored().error());
            }
            Running r = running.get(id);
            if (r != null) {
                if (r.stopping != null) {
                    throw new ConflictException("The download is stopping; start it again in a moment");
                }
                if (r.state == SessionState.ERROR) {
                    throw new ConflictException("The download stopped with an error: stop it, then start it again");
                }
                return r.state == SessionState.PAUSED ? resumeSession(r) : Uni.createFrom().voidItem();
            }
            if (queued.containsKey(id) || launching.contains(id)) {
                return Uni.createFrom().voidItem();
            }
            if (busy.containsKey(id)) { // checked or moved now: it starts when that ends
                return lifecycle(id, TorrentLifecycle.DOWNLOADING);
            }
            return startNow(id);
        });
    }

    // ---- recheck, reannounce, move ----------------------------------------------------------------------------

    /**
     * Checks every piece on disk again (state checking). A running torrent's session stops (saving what it has)
     * and starts again with a full check, outside the queue; a queued one checks when it launches; one without a
     * session is checked here on a worker and keeps its lifecycle (a stopped torrent stays stopped).
     */
    Uni<Void> recheck(String id) {
        return onEngine(() -> {
            RegisteredTorrent torrent = require(id);
            if (torrent.meta() == null) {
                throw new ConflictException("This download cannot be checked: " + torrent.stored().error());
            }
            refuseBusy(id, torrent);
            Uni<RegisteredTorrent> flagged = registry.update(id, t -> new RegisteredTorrent(t.meta(),
                    t.stored().withSettings(withForcedCheck(t.stored().settings(), true)))).emitOn(onContext);
            Running r = running.get(id);
            if (r != null) {
                if (r.stopping != null) {
                    throw new ConflictException("The download is stopping; check it again in a moment");
                }
                LOG.infof("'%s': checking its files again (asked by the user)", torrent.name());
                return flagged.chain(() -> {
                    // a running torrent starts again with the check; a paused one is checked in place, stays paused
                    afterSession(id, () -> registry.find(id).ifPresent(t -> {
                        if (wantsToRun(t)) {
                            queued.remove(id);
                            launch(t);
                        } else {
                            checkInPlace(t);
                        }
                    }));
                    return stopSession(r, null, true);
                });
            }
            if (queued.containsKey(id) || launching.contains(id)) {
                return flagged.replaceWithVoid(); // checks when it launches
            }
            return flagged.invoke(this::checkInPlace).replaceWithVoid();
        });
    }

    /** Checks a torrent without a session on a worker (state checking); its lifecycle is kept. Engine context. */
    private void checkInPlace(RegisteredTorrent torrent) {
        String id = torrent.id();
        if (busy.containsKey(id) || running.containsKey(id) || torrent.meta() == null) {
            return;
        }
        busy.put(id, SessionState.CHECKING);
        changed.accept(id);
        LOG.infof("'%s': checking its files on disk against the piece hashes (asked by the user)", torrent.name());
        Path dir = Path.of(torrent.stored().downloadDir());
        boolean[] selected = torrent.selectedByIndex();
        vertx.executeBlocking(() -> {
            try (PieceStore store = new PieceStore(torrent.meta(), dir, selected, false)) {
                return new Object[] {store.checkAll(), store.fingerprints().stream()
                        .map(f -> new StoredFingerprint(f.fileIndex(), f.size(), f.modifiedMillis())).toList()};
            }
        }, false).onComplete(ar -> {
            Uni<RegisteredTorrent> saved;
            if (ar.succeeded()) {
                java.util.BitSet verified = (java.util.BitSet) ar.result()[0];
                @SuppressWarnings("unchecked")
                List<StoredFingerprint> prints = (List<StoredFingerprint>) ar.result()[1];
                LOG.infof("'%s': the check found %d of %d pieces", torrent.name(), verified.cardinality(),
                        torrent.meta().pieceCount());
                saved = registry.update(id, t -> new RegisteredTorrent(t.meta(), t.stored()
                        .withVerified(Bitfields.toBase64(verified, t.meta().pieceCount()), prints)
                        .withSettings(withForcedCheck(t.stored().settings(), false)).withError(null)));
            } else {
                LOG.warnf("'%s': its files could not be checked: %s", torrent.name(),
                        me.bittorrent.storage.FileFailures.inWords(ar.cause()));
                saved = Uni.createFrom().nullItem();
            }
            saved.emitOn(onContext).onTermination().invoke(() -> context.runOnContext(v -> {
                busy.remove(id);
                changed.accept(id);
                registry.find(id).filter(t -> wantsToRun(t) && !t.inError()).ifPresent(t -> admit(id));
            })).subscribe().with(ok -> { }, e -> { });
        });
    }

    /** Asks every tracker of the running torrent for peers now. */
    Uni<Void> reannounce(String id) {
        return onEngine(() -> {
            RegisteredTorrent torrent = require(id);
            Running r = running.get(id);
            if (r == null || r.stopping != null) {
                throw new ConflictException("The download is " + torrent.status(null, queued.containsKey(id)).state()
                        + ", not running: start it to announce it");
            }
            r.session.reannounce();
            LOG.infof("'%s': announcing to its trackers now (asked by the user)", torrent.name());
            return Uni.createFrom().voidItem();
        });
    }

    /** The disk work of a move, on a worker: from the old folder to the new one; throws with the reason in words. */
    interface Move {
        void run(RegisteredTorrent torrent, Path from, Path to) throws Exception;

        /** A move that leaves the files alone (they are at the new place already: Transmission's move false). */
        Move NONE = (torrent, from, to) -> {
        };
    }

    /**
     * Moves the torrent's files to {@code target} (state moving): its session stops first (saving what it has),
     * the files move on a worker, the new folder is stored, and a torrent that wants to run starts again (through
     * the queue). A failure leaves the files and the stored folder where they were and fails with its reason.
     */
    Uni<Void> relocate(String id, Path target, Move move) {
        return onEngine(() -> {
            RegisteredTorrent torrent = require(id);
            refuseBusy(id, torrent);
            Path from = Path.of(torrent.stored().downloadDir());
            if (from.equals(target)) {
                return Uni.createFrom().voidItem();
            }
            busy.put(id, SessionState.MOVING);
            changed.accept(id);
            Running r = running.get(id);
            Uni<Void> ended = r == null ? Uni.createFrom().voidItem()
                    : stopSession(r, null, true).onFailure().recoverWithNull().chain(() -> sessionEnded(id));
            return ended.chain(() -> Uni.createFrom().completionStage(() -> vertx.executeBlocking(() -> {
                        RegisteredTorrent now = require(id);
                        if (now.meta() != null) {
                            move.run(now, from, target);
                        }
                        return now;
                    }, false).toCompletionStage()))
                    .chain(() -> registry.update(id, t -> new RegisteredTorrent(t.meta(),
                            t.stored().withDownloadDir(target.toString()))))
                    .emitOn(onContext)
                    .invoke(() -> LOG.infof(move == Move.NONE ? "'%s': its folder is now %3$s (was %2$s; nothing moved)"
                            : "'%s': its files moved from %s to %s", torrent.name(), from, target))
                    .onFailure().invoke(e -> LOG.warnf("'%s': its files could not be moved to %s (%s); they stay in %s",
                            torrent.name(), target, e.getMessage(), from))
                    .onTermination().invoke(() -> context.runOnContext(v -> {
                        busy.remove(id);
                        changed.accept(id);
                        registry.find(id).filter(t -> wantsToRun(t) && !t.inError()).ifPresent(t -> admit(id));
                    }))
                    .replaceWithVoid();
        });
    }

    private void refuseBusy(String id, RegisteredTorrent torrent) {
        SessionState state = busy.get(id);
        if (state != null) {
            throw new ConflictException("'" + torrent.name() + "' is being "
                    + (state == SessionState.MOVING ? "moved" : "checked") + "; try again when that ends");
        }
    }

    /** What the torrent is doing without a session (checking, moving), or null. */
    SessionState busy(String id) {
        return busy.get(id);
    }

    /** Seconds the torrent has been active (downloading or seeding): the live clock while it runs, else stored. */
    long activeSeconds(RegisteredTorrent torrent) {
        Running r = running.get(torrent.id());
        return r != null ? r.activeSeconds() : torrent.stored().activeSeconds();
    }

    /** Seconds the torrent has seeded: the live clock while it runs, else what is stored. */
    long seedingSeconds(RegisteredTorrent torrent) {
        Running r = running.get(torrent.id());
        return r != null ? r.seedingSeconds() : torrent.stored().library().seedingSeconds();
    }

    /** Runs {@code action} once the torrent's session has ended (at once when it has none). Engine context. */
    private void afterSession(String id, Runnable action) {
        if (!running.containsKey(id)) {
            action.run();
        } else {
            afterSession.computeIfAbsent(id, k -> new ArrayList<>()).add(action);
        }
    }

    private Uni<Void> sessionEnded(String id) {
        return Uni.createFrom().<Void>emitter(em -> afterSession(id, () -> em.complete(null)))
                .runSubscriptionOn(onContext);
    }

    /** The registry changes at once (only its save is awaited), so the session starts without waiting for disk. */
    private Uni<Void> startNow(String id) {
        // admitted once the registry says it wants to run: launch's resume check re-reads it when done, and a
        // quick check finishing before the lifecycle was stored dropped the start (SessionRunnerContextsTest)
        return lifecycle(id, TorrentLifecycle.DOWNLOADING).invoke(() -> admit(id));
    }

    Uni<Void> pause(String id) {
        return onEngine(() -> {
            RegisteredTorrent torrent = require(id);
            Running r = running.get(id);
            if (r != null && r.stopping == null) {
                return r.session.pause().emitOn(onContext)
                        .chain(() -> persist(r, TorrentLifecycle.PAUSED, false));
            }
            if (fetching.containsKey(id)) {
                return stopFetch(id).chain(() -> lifecycle(id, TorrentLifecycle.PAUSED));
            }
            if (queued.remove(id) != null || launching.contains(id) || wantsToRun(torrent)) {
                return lifecycle(id, TorrentLifecycle.PAUSED);
            }
            if (torrent.stored().lifecycle() == TorrentLifecycle.PAUSED) {
                return Uni.createFrom().voidItem();
            }
            throw new ConflictException("The download is " + torrent.status().state() + ", not running: start it");
        });
    }

    Uni<Void> resume(String id) {
        return onEngine(() -> {
            RegisteredTorrent torrent = require(id);
            Running r = running.get(id);
            if (r != null && r.stopping == null && r.state == SessionState.PAUSED) {
                return resumeSession(r);
            }
            if (r == null && torrent.stored().lifecycle() == TorrentLifecycle.PAUSED && !torrent.inError()) {
                // paused before a restart: no session yet
                return startNow(id);
            }
            throw new ConflictException("The download is not paused (it is "
                    + (r != null ? r.state.apiName() : torrent.status(null, queued.containsKey(id)).state()) + ")");
        });
    }

    Uni<Void> stop(String id) {
        return onEngine(() -> {
            RegisteredTorrent torrent = require(id);
            Running r = running.get(id);
            if (r != null) {
                return stopSession(r, TorrentLifecycle.STOPPED, true);
            }
            if (fetching.containsKey(id)) {
                return stopFetch(id).chain(() -> lifecycle(id, TorrentLifecycle.STOPPED));
            }
            queued.remove(id);
            return torrent.stored().lifecycle() == TorrentLifecycle.STOPPED ? Uni.createFrom().voidItem()
                    : lifecycle(id, TorrentLifecycle.STOPPED);
        });
    }

    /** Before a removal: the session stops (announcing stopped); nothing is persisted any more. */
    Uni<Void> stopForRemoval(String id) {
        return onEngine(() -> {
            queued.remove(id);
            if (fetching.containsKey(id)) {
                return stopFetch(id);
            }
            Running r = running.get(id);
            return r == null ? Uni.createFrom().voidItem() : stopSession(r, null, false);
        });
    }

    Multi<TorrentEvent> events(String id) {
        Running r = running.get(id);
        return r == null ? Multi.createFrom().empty() : r.session.events();
    }

    /** The connected peers of a running torrent; none when it has no session. */
    Uni<List<PeerSnapshot>> peers(String id) {
        Running r = running.get(id);
        return r == null ? Uni.createFrom().item(List.of()) : r.session.peers();
    }

    Optional<LiveView> live(String id) {
        Running r = running.get(id);
        return r == null ? Optional.empty() : Optional.of(r.live());
    }

    /** A magnet's metadata fetch, as the status shows it; empty when the torrent does not fetch. */
    Optional<MetadataProgress> fetching(String id) {
        MetadataSession m = fetching.get(id);
        return m == null ? Optional.empty()
                : Optional.of(new MetadataProgress(m.peersAsked(), m.peersConnected(), m.trackers()));
    }

    /** Peers found for an info-hash (DHT, user): to its running session, or its metadata fetch. Any thread. */
    void peersFound(String infoHashHex, List<PeerAddress> found) {
        Running r = running.get(infoHashHex);
        MetadataSession m = fetching.get(infoHashHex);
        for (PeerAddress address : found) {
            if (r != null && r.stopping == null) {
                r.session.addPeer(address.host(), address.port());
            } else if (m != null) {
                m.addPeer(address.host(), address.port());
            }
        }
    }

    boolean isQueued(String id) {
        return queued.containsKey(id);
    }

    /** The torrent's settings or file selection changed: the running session takes them at once. */
    void changed(RegisteredTorrent torrent) {
        Running r = running.get(torrent.id());
        if (r != null && torrent.meta() != null) {
            r.session.updateSettings(sessionSettings(torrent.stored().settings()));
            r.session.updateSelection(torrent.selectedByIndex());
            r.session.updatePriorities(torrent.prioritiesByIndex());
        }
    }

    int peersConnected() {
        int peers = 0;
        for (Running r : running.values()) {
            peers += r.session.latestSnapshot().peersConnected();
        }
        return peers;
    }

    // ---- engine context ----------------------------------------------------------------------------------

    private void admit(String id) {
        RegisteredTorrent torrent = registry.find(id).orElse(null);
        if (torrent == null || shuttingDown || running.containsKey(id) || launching.contains(id)
                || busy.containsKey(id)) {
            return;
        }
        if (torrent.awaitsMetadata()) {
            fetch(torrent);
            return;
        }
        boolean complete = torrent.wantedComplete(torrent.verifiedPieces());
        if (!complete && !torrent.stored().library().forceStart() && downloadSlotsUsed() >= maxConcurrent) {
            if (queued.putIfAbsent(id, arrivals++) == null) {
                LOG.infof("'%s' is queued: %d download(s) already running (BT_MAX_CONCURRENT_DOWNLOADS)",
                        torrent.name(), maxConcurrent);
                changed.accept(id);
            }
            return;
        }
        queued.remove(id);
        launch(torrent);
    }

    /** Slots held: launching and downloading (or checking) sessions, forced ones not counted. */
    private int downloadSlotsUsed() {
        int used = 0;
        for (String id : launching) {
            used += forced(id) || launchingComplete.contains(id) ? 0 : 1;
        }
        for (Running r : running.values()) {
            used += r.holdsSlot() && !forced(r.id) ? 1 : 0;
        }
        return used;
    }

    private void pumpQueue() {
        while (!shuttingDown && !queued.isEmpty() && downloadSlotsUsed() < maxConcurrent) {
            // a torrent queued by a lowered max_concurrent_downloads waits until its old session has stopped
            String next = queued.keySet().stream().filter(id -> !running.containsKey(id) && !busy.containsKey(id))
                    .min(queueOrder()).orElse(null);
            if (next == null) {
                return;
            }
            queued.remove(next);
            registry.find(next).filter(SessionRunner::wantsToRun).ifPresent(this::launch);
        }
    }

    /** Compares the files with their stored fingerprints (on a worker), then creates and starts the session. */
    private void launch(RegisteredTorrent torrent) {
        String id = torrent.id();
        launching.add(id);
        BitSet saved = torrent.verifiedPieces();
        if (torrent.wantedComplete(saved)) {
            launchingComplete.add(id);
        }
        Path dir = Path.of(torrent.stored().downloadDir());
        boolean[] selected = torrent.selectedByIndex();
        Path journal = registry.journal(id);
        vertx.executeBlocking(() -> ResumePlan.plan(torrent.meta(), dir, selected, torrent.stored().fingerprints(),
                saved, journal, new java.util.Random()), false).onComplete(ar -> {
            if (!stillWanted(id)) {
                return;
            }
            ResumePlan plan = ar.succeeded() ? ar.result()
                    : ResumePlan.full("its files cannot be compared: " + ar.cause());
            if (hashes(plan, registry.find(id).orElseThrow()) && checksRunning >= MAX_CHECKS) {
                LOG.infof("'%s' waits for its turn to check its files (%d torrent(s) checking)", torrent.name(),
                        checksRunning);
                checkWaiting.add(() -> {
                    if (stillWanted(id)) {
                        begin(torrent, saved, dir, journal, plan);
                    }
                });
                return;
            }
            begin(torrent, saved, dir, journal, plan);
        });
    }

    /** Whether the session will hash pieces as it opens: a full check (asked, or the plan's), or unsaved pieces. */
    private static boolean hashes(ResumePlan plan, RegisteredTorrent now) {
        // an unclean stop's suspects are hashed while the torrent downloads (TorrentSession#checkInBackground)
        return now.stored().settings().verifyPieces() || plan.kind() == ResumePlan.Kind.FULL
                || !plan.sample().isEmpty();
    }

    /** After a launch's plan (or its wait for a check place): false, and the launch dropped, when it no longer runs. */
    private boolean stillWanted(String id) {
        RegisteredTorrent now = registry.find(id).orElse(null);
        if (now == null || !wantsToRun(now) || shuttingDown || busy.containsKey(id)) {
            launching.remove(id);
            launchingComplete.remove(id);
            pumpQueue();
            return false;
        }
        return true;
    }

    /** A check place ended (the session left CHECKING or stopped): the next torrent waiting for one begins. */
    private void releaseCheck(Running r) {
        if (!r.checkHeld) {
            return;
        }
        r.checkHeld = false;
        checksRunning--;
        while (checksRunning < MAX_CHECKS && !checkWaiting.isEmpty()) {
            checkWaiting.poll().run();
        }
    }

    /** Creates and starts the session of a launch whose plan is known. Engine context. */
    private void begin(RegisteredTorrent torrent, BitSet saved, Path dir, Path journal, ResumePlan planned) {
        String id = torrent.id();
        launching.remove(id);
        launchingComplete.remove(id);
        RegisteredTorrent now = registry.find(id).orElseThrow();
        if (!Path.of(now.stored().downloadDir()).equals(dir)) {
            launch(now); // moved while it waited for its check (the move's admit found it launching): plan again
            return;
        }
        boolean force = now.stored().settings().verifyPieces(); // read now: a recheck asked while it waited counts
        ResumePlan plan = force ? ResumePlan.full(null) : planned;
        boolean hashes = hashes(plan, now);
        boolean recheck = plan.kind() == ResumePlan.Kind.FULL;
        if (plan.kind() == ResumePlan.Kind.UNSAVED) {
            LOG.infof("'%s' was not stopped cleanly: checking the %d piece(s) written since the last save "
                    + "and %d saved one(s)%s", now.name(), plan.suspects().cardinality(), plan.sample().cardinality(),
                    plan.reason() == null ? "" : " (" + plan.reason() + ")");
        } else if (plan.reason() != null) {
            LOG.infof("'%s': %s; checking every piece again", now.name(), plan.reason());
        }
        int loop = leastBusyLoop();
        TorrentSession session = new TorrentSession(vertx, torrentContexts[loop], peerId, listenPort, trackers, now.meta(),
                dir, sessionSettings(now.stored().settings()), now.selectedByIndex(),
                recheck ? null : saved, globalDownload, globalUpload);
        session.journal(journal);
        session.updatePriorities(now.prioritiesByIndex());
        session.checkFirst(plan.suspects(), plan.sample());
        Running r = new Running(id, session, new TorrentStory(now.name(), meters), now.stored().uploaded(),
                now.stored().downloaded());
        r.loop = loop;
        sessionsOn[loop]++;
        session.connectionBudget(connections);
        r.seedingBefore = now.stored().library().seedingSeconds();
        r.activeBefore = now.stored().activeSeconds();
        running.put(id, r);
        if (hashes) {
            r.checkHeld = true;
            checksRunning++;
        }
        r.trusted = plan.kind() == ResumePlan.Kind.TRUST;
        r.savedComplete = now.wantedComplete(saved);
        DhtService d = dht;
        if (!now.meta().isPrivate()) { // BEP 27: a private torrent never uses PEX (the session checks it too)
            session.pex(() -> pex);
        }
        if (d != null && !now.meta().isPrivate()) { // BEP 27: a private torrent never touches the DHT
            session.dht(d.link());
            d.track(now.meta().infoHash(), () -> listenPort, session::addPeer);
        }
        LsdService l = lsd;
        if (l != null && !now.meta().isPrivate()) { // BEP 27: nor local service discovery
            l.track(now.meta().infoHash(), session::addPeer);
        }
        peers.register(session, peerId);
        // events are emitted on the session's context; the runner's state changes on the engine context. Each
        // event hops there by itself (in order: one emitting thread): emitOn's bounded queue made the session's
        // BroadcastProcessor fail this subscriber when the engine context fell 256 events behind (a fast
        // download on a busy machine), and from then on no verified piece was saved until the next stop
        session.events().subscribe().with(event -> context.runOnContext(v -> onEvent(r, event)),
                e -> LOG.errorf("'%s': its events stopped: %s", now.name(), e.getMessage()));
        session.start().subscribe().with(ok -> { }, e -> LOG.errorf("'%s' could not start: %s", now.name(),
                e.getMessage()));
        // a magnet's peers: its x.pe, and those its metadata fetch learned
        List<PeerAddress> peersToDial = new ArrayList<>(MagnetTorrents.peers(MagnetTorrents.parse(
                now.stored().magnet())));
        peersToDial.addAll(handover.getOrDefault(id, List.of()));
        handover.remove(id);
        peersToDial.forEach(p -> session.addPeer(p.host(), p.port()));
        if (force) {
            registry.update(id, t -> new RegisteredTorrent(t.meta(), t.stored().withSettings(
                    withoutForcedCheck(t.stored().settings())))).subscribe().with(ok -> { }, e -> { });
        }
        changed.accept(id);
    }

    /**
     * A magnet link without metadata: a {@link MetadataSession} finds peers and fetches the info dictionary; once
     * it is saved as the torrent's .torrent, the fetch stops and the torrent is admitted like any other (queue,
     * check, download). Engine context.
     */
    private void fetch(RegisteredTorrent torrent) {
        String id = torrent.id();
        if (fetching.containsKey(id)) {
            return;
        }
        me.bittorrent.magnet.MagnetLink magnet = MagnetTorrents.parse(torrent.stored().magnet());
        if (magnet == null) {
            registry.update(id, t -> new RegisteredTorrent(null, t.stored().withError(
                    "The saved magnet link cannot be read"))).subscribe().with(ok -> changed.accept(id), e -> { });
            return;
        }
        MetadataSession session = new MetadataSession(vertx, context, peerId, listenPort, trackers, magnet.infoHash(),
                torrent.name(), MagnetTorrents.tiers(magnet), MagnetTorrents.peers(magnet),
                sessionSettings(torrent.stored().settings()));
        fetching.put(id, session);
        peers.register(magnet.infoHash(), session::acceptIncoming, peerId);
        DhtService d = dht;
        if (d != null) { // from the info-hash alone; a private torrent's metadata stops it when it arrives
            d.track(magnet.infoHash(), () -> listenPort, session::addPeer);
        }
        LsdService l = lsd;
        if (l != null) {
            l.track(magnet.infoHash(), session::addPeer);
        }
        session.start().subscribe().with(ok -> { }, e -> { });
        session.metadata().onSuccess(fetched -> {
            if (fetching.get(id) != session) {
                return;
            }
            handover.put(id, fetched.peers());
            registry.metadataArrived(id, fetched.info()).emitOn(onContext)
                    .onFailure().recoverWithNull()
                    .call(() -> stopFetch(id))
                    .subscribe().with(ok -> {
                        RegisteredTorrent now = registry.find(id).orElse(null);
                        if (now != null && now.meta() != null && wantsToRun(now) && !now.inError()) {
                            admit(id);
                        } else {
                            handover.remove(id);
                        }
                        changed.accept(id);
                    }, e -> LOG.warnf("'%s': %s", torrent.name(), e.getMessage()));
        });
        changed.accept(id);
    }

    /** Stops a magnet's metadata fetch (engine context); nothing to persist: the registry has its state. */
    private Uni<Void> stopFetch(String id) {
        MetadataSession session = fetching.remove(id);
        if (session == null) {
            return Uni.createFrom().voidItem();
        }
        peers.unregister(session.infoHash());
        DhtService d = dht;
        if (d != null) {
            d.untrack(session.infoHash());
        }
        LsdService l = lsd;
        if (l != null) {
            l.untrack(session.infoHash());
        }
        return session.stop().emitOn(onContext).invoke(() -> changed.accept(id))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private void onEvent(Running r, TorrentEvent event) {
        r.story.on(event);
        if (event instanceof TorrentEvent.StateChanged changedState) {
            SessionState state = changedState.state();
            if (state == SessionState.DOWNLOADING && r.state != SessionState.DOWNLOADING) {
                r.lastDataNanos = System.nanoTime(); // the 60 s of a stall count from when downloading begins
            }
            r.state = state;
            if (state != SessionState.CHECKING) {
                releaseCheck(r);
            }
            r.seedingClock(state == SessionState.SEEDING);
            r.activeClock(state == SessionState.SEEDING || state == SessionState.DOWNLOADING);
            if (r.stopping == null) {
                if (state == SessionState.SEEDING) {
                    boolean autoStop = registry.find(r.id).map(t -> t.stored().settings().autoStop()).orElse(false);
                    if (autoStop) {
                        LOG.infof("'%s' is complete and auto_stop is on: stopping it", r.story.name());
                        stopSession(r, TorrentLifecycle.STOPPED, true).subscribe().with(ok -> { }, e -> { });
                    } else if (!savedAsSeeding(r)) {
                        persist(r, TorrentLifecycle.SEEDING, false).subscribe().with(ok -> { }, e -> { });
                    }
                } else if (state == SessionState.DOWNLOADING && registry.find(r.id)
                        .filter(t -> t.stored().lifecycle() == TorrentLifecycle.SEEDING).isPresent()) {
                    persist(r, TorrentLifecycle.DOWNLOADING, false).subscribe().with(ok -> { }, e -> { });
                } else if (state == SessionState.ERROR) {
                    persist(r, null, true).subscribe().with(ok -> { }, e -> { });
                }
            }
            pumpQueue();
            changed.accept(r.id);
        } else if (event instanceof TorrentEvent.PieceVerified && r.persistTimer < 0 && r.stopping == null) {
            r.persistTimer = vertx.setTimer(PERSIST_DEBOUNCE_MILLIS, t -> {
                r.persistTimer = -1;
                if (r.stopping == null) {
                    saveProgress(r).subscribe().with(ok -> { }, e -> { });
                }
            });
        }
    }

    /**
     * Runs {@link #everySecond} on each whole second of the monotonic clock, where the idle sessions' ticks, the
     * announce and DHT timers fall too: an idle loop wakes once for all of them.
     */
    private void everySecondOnTheSecond() {
        long delay = 1000 - Math.floorMod(Math.floorDiv(System.nanoTime(), 1_000_000L), 1000L);
        vertx.setTimer(delay < 500 ? delay + 1000 : delay, id -> {
            try {
                everySecond();
            } finally {
                everySecondOnTheSecond();
            }
        });
    }

    private void everySecond() {
        for (Running r : running.values()) {
            SessionSnapshot now = r.session.latestSnapshot();
            String stalled = r.live().stalledReason();
            boolean stallChanged = (stalled != null) != r.stalled;
            if (stalled != null && !r.stalled) {
                LOG.infof("'%s' is stalled: %s", r.story.name(), stalled);
            } else if (stalled == null && r.stalled && r.state == SessionState.DOWNLOADING) {
                LOG.infof("'%s' is downloading again", r.story.name());
            }
            r.stalled = stalled != null;
            if (r.state == SessionState.SEEDING && r.stopping == null && !r.shareLimitDone) {
                applyShareLimit(r); // the seeding clock moves even when the snapshot does not
            }
            if (now == r.seen && !stallChanged) {
                continue; // an idle session keeps its snapshot: nothing to count or to publish
            }
            r.seen = now;
            r.story.count(now);
            r.tick(now);
            changed.accept(r.id);
        }
        fetching.keySet().forEach(changed);
    }

    /**
     * A restarted seed whose saved state already says all of it (seeding, these pieces and totals, its completion
     * time) and whose files matched their fingerprints: nothing to save. 1,000 seeds starting again wrote 2,000
     * state files with 4,000 fsyncs before.
     */
    private boolean savedAsSeeding(Running r) {
        RegisteredTorrent t = registry.find(r.id).orElse(null);
        if (t == null || t.meta() == null || !r.trusted) {
            return false;
        }
        StoredTorrent stored = t.stored();
        LiveView live = r.live();
        return stored.lifecycle() == TorrentLifecycle.SEEDING && stored.error() == null
                && stored.library().completedAt() != null && stored.uploaded() == live.uploaded()
                && stored.downloaded() == live.downloaded()
                && Bitfields.toBase64(live.snapshot().verified(), t.meta().pieceCount()).equals(stored.verifiedPieces());
    }

    /** A seeding torrent that reached its share limit (its own or the global one) stops or is removed. */
    private void applyShareLimit(Running r) {
        RegisteredTorrent torrent = registry.find(r.id).orElse(null);
        if (torrent == null || torrent.meta() == null) {
            return;
        }
        ShareLimits limits = ShareLimits.of(torrent.stored().library(), registry.global());
        if (limits.ratio() < 0 && limits.seedingMinutes() < 0) {
            return;
        }
        LiveView live = r.live();
        double ratio = ShareLimits.ratio(live.uploaded(), live.downloaded(),
                torrent.selectedVerifiedBytes(live.snapshot().verified()));
        String why = limits.reached(ratio, r.seedingSeconds());
        if (why == null) {
            return;
        }
        r.shareLimitDone = true;
        if (limits.action() == me.bittorrent.state.ShareLimitAction.REMOVE) {
            LOG.infof("'%s' is removed from the list (its files stay): %s", r.story.name(), why);
            registry.remove(r.id).subscribe().with(ok -> { }, e -> LOG.warnf("'%s' could not be removed: %s",
                    r.story.name(), e.getMessage()));
        } else {
            LOG.infof("'%s' stops: %s", r.story.name(), why);
            stopSession(r, TorrentLifecycle.STOPPED, true).subscribe().with(ok -> { }, e -> { });
        }
    }

    private Uni<Void> resumeSession(Running r) {
        // the session has emitted its new state (seeding or downloading) by the time resume() answers
        return r.session.resume().emitOn(onContext).chain(() -> persist(r,
                r.state == SessionState.SEEDING ? TorrentLifecycle.SEEDING : TorrentLifecycle.DOWNLOADING, false));
    }

    /**
     * Stops the session (announce stopped, peers closed, store flushed and closed), then persists its final state
     * with {@code lifecycle} (null keeps it) unless the torrent is being removed. One stop per session.
     */
    private Uni<Void> stopSession(Running r, TorrentLifecycle lifecycle, boolean save) {
        if (r.stopping != null) {
            return r.stopping;
        }
        peers.unregister(r.session.meta().infoHash());
        DhtService d = dht;
        if (d != null) {
            d.untrack(r.session.meta().infoHash());
        }
        LsdService l = lsd;
        if (l != null) {
            l.untrack(r.session.meta().infoHash());
        }
        if (r.persistTimer >= 0) {
            vertx.cancelTimer(r.persistTimer);
            r.persistTimer = -1;
        }
        Uni<Void> stop = r.session.stop().emitOn(onContext)
                .chain(() -> save ? persist(r, lifecycle, false).chain(() -> forgetJournal(r.id))
                        : Uni.createFrom().voidItem())
                .onTermination().invoke(() -> context.runOnContext(v -> {
                    r.story.count(r.session.latestSnapshot());
                    releaseCheck(r);
                    if (running.remove(r.id, r)) {
                        sessionsOn[r.loop]--;
                    }
                    List<Runnable> next = afterSession.remove(r.id);
                    if (next != null) {
                        next.forEach(Runnable::run);
                    }
                    pumpQueue();
                    changed.accept(r.id);
                }))
                .memoize().indefinitely();
        r.stopping = stop;
        stop.subscribe().with(ok -> { }, e -> LOG.warnf("'%s' did not stop cleanly: %s", r.story.name(),
                e.getMessage()));
        return stop;
    }

    /**
     * Saves the session's verified pieces, totals and the files' fingerprints (taken on a worker), with
     * {@code lifecycle} (null keeps it); {@code withError} stores the session's error too. Called on the engine
     * context only, so the ordered blocking step keeps the saves in call order (an older snapshot never wins).
     */
    private Uni<Void> persist(Running r, TorrentLifecycle lifecycle, boolean withError) {
        return persist(r, lifecycle, withError, true);
    }

    /**
     * The verified pieces of a download, at most every {@link #PERSIST_DEBOUNCE_MILLIS}: a progress save, never
     * forced to the disk (a disk flush every 2 s held the download's own writes for a quarter second each time);
     * every change of lifecycle, a stop or an error is saved durably.
     */
    private Uni<Void> saveProgress(Running r) {
        return persist(r, null, false, false);
    }

    private Uni<Void> persist(Running r, TorrentLifecycle lifecycle, boolean withError, boolean durable) {
        RegisteredTorrent torrent = registry.find(r.id).orElse(null);
        if (torrent == null) {
            return Uni.createFrom().voidItem();
        }
        LiveView live = r.live();
        SessionSnapshot snapshot = live.snapshot();
        Path dir = Path.of(torrent.stored().downloadDir());
        boolean[] selected = torrent.selectedByIndex();
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(() -> {
            try (PieceStore store = new PieceStore(torrent.meta(), dir, selected, false)) {
                return store.fingerprints().stream()
                        .map(f -> new StoredFingerprint(f.fileIndex(), f.size(), f.modifiedMillis())).toList();
            }
        }, true).toCompletionStage()).chain(fingerprints -> {
            UnaryOperator<RegisteredTorrent> change = t -> {
                var library = t.stored().library();
                boolean complete = t.wantedComplete(snapshot.verified());
                var stored = t.stored()
                        .withVerified(Bitfields.toBase64(snapshot.verified(), t.meta().pieceCount()), fingerprints)
                        .withTotals(live.uploaded(), live.downloaded())
                        .withLibrary(library.withSeeding(library.completedAt() == null && complete
                                ? java.time.Instant.now() : library.completedAt(), r.seedingSeconds()))
                        .withActiveSeconds(r.activeSeconds());
                stored = lifecycle == null ? stored : stored.withLifecycle(lifecycle);
                stored = withError ? stored.withError(snapshot.error()) : stored;
                return new RegisteredTorrent(t.meta(), stored);
            };
            return durable ? registry.update(r.id, change) : registry.updateProgress(r.id, change);
        }).onFailure(TorrentNotFoundException.class).recoverWithNull().replaceWithVoid();
    }

    /** After a clean stop saved the verified set with the files' fingerprints, nothing written is unsaved. */
    private Uni<Void> forgetJournal(String id) {
        Path journal = registry.journal(id);
        if (journal == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(() -> {
            me.bittorrent.storage.PieceJournal.delete(journal);
            return null;
        }, false).toCompletionStage()).onFailure().invoke(e -> LOG.debugf("journal of %s kept: %s", id,
                e.getMessage())).onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> lifecycle(String id, TorrentLifecycle lifecycle) {
        return registry.update(id, t -> new RegisteredTorrent(t.meta(),
                t.stored().withLifecycle(lifecycle).withError(null))).emitOn(onContext)
                .invoke(() -> changed.accept(id)).replaceWithVoid();
    }

    private RegisteredTorrent require(String id) {
        return registry.find(id).orElseThrow(() -> new TorrentNotFoundException(id));
    }

    private static boolean wantsToRun(RegisteredTorrent torrent) {
        TorrentLifecycle lifecycle = torrent.stored().lifecycle();
        return lifecycle == TorrentLifecycle.DOWNLOADING || lifecycle == TorrentLifecycle.SEEDING;
    }

    static SessionSettings sessionSettings(TorrentSettings settings) {
        return new SessionSettings(settings.speedLimit() * 1024, settings.uploadLimit() * 1024, settings.maxPeers(),
                settings.maxConnections(), settings.preAllocate());
    }

    private static TorrentSettings withoutForcedCheck(TorrentSettings s) {
        return withForcedCheck(s, false);
    }

    private static TorrentSettings withForcedCheck(TorrentSettings s, boolean check) {
        return new TorrentSettings(s.speedLimit(), s.uploadLimit(), s.maxPeers(), s.maxConnections(), s.autoStop(),
                check, s.preAllocate());
    }

    /** Runs {@code action} on the engine context; its Uni's item is delivered there too. */
    private <T> Uni<T> onEngine(Supplier<Uni<T>> action) {
        return Uni.createFrom().<T>deferred(() -> action.get()).runSubscriptionOn(onContext).emitOn(onContext);
    }

    /** Which socket transport Vert.x uses: epoll where it loaded, else Java's NIO and why (said once, at start). */
    private String transport() {
        if (vertx.isNativeTransportEnabled()) {
            return "epoll";
        }
        Throwable why = vertx.unavailableNativeTransportCause();
        return "Java NIO" + (why == null ? "" : " (epoll unavailable: " + why.getMessage() + ")");
    }
}
