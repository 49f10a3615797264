package me.bittorrent.engine.session;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.FilePriority;
import me.bittorrent.state.Bitfields;
import me.bittorrent.tracker.AnnounceEvent;
import me.bittorrent.tracker.AnnounceRequest;
import me.bittorrent.tracker.AnnounceResponse;
import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.tracker.TrackerClient;
import me.bittorrent.tracker.TrackerTiers;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;

/**
 * One torrent's transfers, as a facade over its units (STATE.md "Who owns what"): the public controls hop onto
 * the engine context; here live the state machine, the start and stop order, the tick, the snapshot and what
 * follows a piece's verdict. Peers are the {@link Swarm}'s, requests the {@link Requester}'s, uploads and chokes
 * the {@link Uploader}'s, pieces in progress the {@link PieceVerifier}'s, the files the {@link DiskIo}'s.
 *
 * <p>Threading: every field is confined to the engine context given to the constructor; public methods may be
 * called from any thread and hop onto that context. SHA-1 runs on the Vert.x worker pool, disk I/O on a
 * per-session ordered queue on that pool ({@link DiskIo}). See STATE.md.
 */
public final class TorrentSession {

    private static final Logger LOG = Logger.getLogger(TorrentSession.class);

    static final long TICK_MILLIS = 200;
    /**
     * The tick of a session with nothing to do (no peer, no dial, no address to try, rates at zero): a started
     * torrent whose trackers know nobody wakes up every 5 s instead of 5 times a second (1,000 idle torrents
     * cost next to no CPU). Anything that gives it work ({@link #wake}) brings the 200 ms tick back at once.
     */
    static final long IDLE_TICK_MILLIS = 5000;
    /** Without any peer, re-announce at most this often (and never before the tracker's min interval). */
    static final long LONELY_REANNOUNCE_NANOS = 120_000_000_000L;

    private final Vertx vertx;
    private final Context context;
    private final byte[] peerId;
    /** The port announced to trackers; changes when the user moves the peer listener. */
    private int listenPort;
    private final TorrentMeta meta;
    private final Path downloadDir;
    private final Random random = new Random();
    private final int announceKey = ThreadLocalRandom.current().nextInt();
    private final Announcer announcer;
    private final RateLimiter downloadLimiter;
    private final RateLimiter uploadLimiter;
    private final BroadcastProcessor<TorrentEvent> events = BroadcastProcessor.create();

    private final BanPolicy bans = new BanPolicy();
    private final Swarm swarm;
    private final PieceVerifier verifier;
    private final Requester requester;
    private final Uploader uploader;
    private final PeerMessages messages;
    /** What we serve over BEP 9 ut_metadata; null for a private torrent or over the cap (not offered then). */
    private final byte[] infoDictionary;

    private SessionSettings settings;
    private boolean[] selected;
    /** Per {@code meta.files()} index; null = every file normal. */
    private FilePriority[] priorities;
    private final BitSet resumeVerified;
    /** Set before start by the integrator: see {@link #journal} and {@link #checkFirst}. */
    private Path journalPath;
    private BitSet suspects = new BitSet();
    private BitSet sample = new BitSet();
    private PiecePicker picker;
    private DiskIo disk;
    private Future<Void> opening = Future.succeededFuture();
    /** How the files are opened (a test injects failures here). */
    private DiskIo.Opener opener = me.bittorrent.storage.PieceStore::new;
    /** The first wait before opening the files again after a transient failure (EMFILE/ENFILE); doubles to 60 s. */
    private long openRetryMillis = 2000;
    private long openRetryTimer = -1;
    private Promise<Void> openRetry;
    private java.util.function.IntFunction<Future<Void>> writeFault;
    /** Write failures after the one that put the session in error: counted, not logged one by one. */
    private int writeFailuresSinceError;

    private SessionState state = SessionState.STOPPED;
    private String error;
    private boolean started;
    private boolean stopping;
    private boolean paused;
    private boolean completeSignalled;
    private long tickTimer = -1;
    private boolean idleTick;
    private long lastSecondNanos = System.nanoTime();
    private long lastRoundNanos = System.nanoTime();
    private long lastLonelyAnnounceNanos = System.nanoTime();
    private volatile SessionSnapshot latest;
    /** The DHT as this session sees it (BEP 5 in the peer protocol); NONE for a private torrent. */
    private volatile DhtLink dht = DhtLink.NONE;
    /** The PEX switch as this session sees it (BEP 11); off until {@link #pex} is called, never on when private. */
    private volatile java.util.function.BooleanSupplier pexSwitch = () -> false;
    private final PeerExchange exchange;

    /**
     * @param vertx        the Vert.x instance
     * @param context      the engine context: every piece of this session's state lives on it
     * @param peerId       our 20-byte peer id
     * @param listenPort   the port our PeerServer listens on (announced; dialling it is skipped)
     * @param trackers     the tracker client (e.g. the {@code Trackers} bean), used through {@link TrackerTiers}
     * @param meta         the torrent
     * @param downloadDir  where the torrent's files go
     * @param settings     limits
     * @param selected     per {@code meta.files()} index, true to download; null = every file
     * @param verified     verified pieces from resume data; null = check what is on disk first (state checking)
     * @param globalDownload parent limiter for downloads shared by all torrents, or null
     * @param globalUpload   parent limiter for uploads, or null
     */
    public TorrentSession(Vertx vertx, Context context, byte[] peerId, int listenPort, TrackerClient trackers,
            TorrentMeta meta, Path downloadDir, SessionSettings settings, boolean[] selected, BitSet verified,
            RateLimiter globalDownload, RateLimiter globalUpload) {
        this.vertx = vertx;
        this.context = context;
        this.peerId = peerId.clone();
        this.listenPort = listenPort;
        this.meta = meta;
        this.downloadDir = downloadDir;
        this.settings = settings;
        this.selected = selected == null ? null : selected.clone();
        this.resumeVerified = verified == null ? null : (BitSet) verified.clone();
        this.downloadLimiter = new RateLimiter(settings.downloadLimit(), globalDownload);
        this.uploadLimiter = new RateLimiter(settings.uploadLimit(), globalUpload);
        boolean hasTrackers = meta.announceTiers().stream().anyMatch(t -> !t.isEmpty());
        this.announcer = new Announcer(vertx, context, new TrackerTiers(meta.announceTiers(), trackers), hasTrackers,
                this::announceRequest, this::onTrackerAnswer, this::emit);
        this.swarm = new Swarm(vertx, meta, this.peerId, bans, settings, new SwarmHost());
        this.verifier = new PieceVerifier(meta, this::checkThenWrite, bans::suspect, new Verdicts());
        this.requester = new Requester(meta.name(), meta.geometry(), swarm.peers(), downloadLimiter, verifier,
                this::transferring);
        this.uploader = new Uploader(meta.name(), meta.geometry(), swarm.peers(), swarm::isConnected, uploadLimiter,
                this::transferring, random);
        this.messages = new PeerMessages(meta.name(), meta.pieceCount(), swarm, requester, uploader);
        this.messages.dhtPorts((host, port) -> dht.nodeSeen(host, port));
        this.exchange = new PeerExchange(meta.name(), swarm::peers, meta::pieceCount, swarm::learn,
                () -> !meta.isPrivate() && pexSwitch.getAsBoolean());
        this.messages.exchange(exchange);
        this.infoDictionary = infoDictionaryOf(meta);
        messages.serveMetadata(infoDictionary);
        this.latest = buildSnapshot();
    }

    public TorrentSession(Vertx vertx, Context context, byte[] peerId, int listenPort, TrackerClient trackers,
            TorrentMeta meta, Path downloadDir, SessionSettings settings, boolean[] selected, BitSet verified) {
        this(vertx, context, peerId, listenPort, trackers, meta, downloadDir, settings, selected, verified, null,
                null);
    }

    /** Runs {@code task} in the session's disk order, for tests that must hold the disk busy (a slow disk). */
    <T> void onDisk(Callable<T> task) {
        context.runOnContext(v -> disk.run(task));
    }

    public TorrentMeta meta() {
        return meta;
    }

    /**
     * Before {@link #start}, on the engine context: note each piece written in {@code journal}
     * ({@link me.bittorrent.storage.PieceJournal}), so a restart after a crash knows what may be unsaved.
     */
    public void journal(Path journal) {
        this.journalPath = journal;
    }

    /**
     * Before {@link #start}, on the engine context, with resume data given: the pieces to hash before trusting it
     * (after an unclean stop): {@code suspects} were written after the last save, {@code sample} are some saved
     * ones checked to catch files changed behind our back (one fails: every piece is checked). State
     * {@code checking} while the sample is hashed; the suspects are hashed while the torrent downloads, held
     * meanwhile (neither requested, announced nor served: {@link PiecePicker#hold}).
     */
    public void checkFirst(BitSet suspects, BitSet sample) {
        this.suspects = (BitSet) suspects.clone();
        this.sample = (BitSet) sample.clone();
    }

    // ---- public controls (any thread) --------------------------------------------------------------------

    /** Opens the store (checking it when no resume data was given), announces, starts connecting. */
    public Uni<Void> start() {
        return onContext(this::doStart);
    }

    /** Stops requesting and uploading at once; peers and the tracker registration stay. */
    public Uni<Void> pause() {
        return onContext(() -> {
            doPause();
            return Future.succeededFuture();
        });
    }

    public Uni<Void> resume() {
        return onContext(() -> {
            doResume();
            return Future.succeededFuture();
        });
    }

    /** Announces stopped, closes peers, waits for pending writes and closes the store. The session is done. */
    public Uni<Void> stop() {
        return onContext(this::doStop);
    }

    /** Hot stream of what happens; items are emitted on the engine context (do not block in a subscriber). */
    public Multi<TorrentEvent> events() {
        return events;
    }

    /** The live values, taken on the engine context. */
    public Uni<SessionSnapshot> snapshot() {
        return onContext(() -> Future.succeededFuture(buildSnapshot()));
    }

    /** The connected peers, taken on the engine context (read-only: nothing of the session changes). */
    public Uni<List<PeerSnapshot>> peers() {
        return onContext(() -> Future.succeededFuture(peerSnapshots()));
    }

    /** What the session holds in memory for transfers right now (the bound of STATE.md "Memory bounds"). */
    public Uni<BufferedBytes> buffered() {
        return onContext(() -> Future.succeededFuture(new BufferedBytes(verifier.bufferBytes(),
                verifier.pendingBytes(), requester.requestedBytes(), uploader.readBytes(), uploader.queued())));
    }

    /** The values as of the last tick (at most a second old); readable on any thread without hopping. */
    public SessionSnapshot latestSnapshot() {
        return latest;
    }

    /** Uses the DHT in the peer protocol: the handshake's DHT bit, PORT messages both ways. Any thread. */
    public void dht(DhtLink link) {
        dht = link == null ? DhtLink.NONE : link;
    }

    /**
     * Uses peer exchange (BEP 11) while {@code on} says so (read for every new connection and once a second, so
     * a switch applies live); a private torrent never does, whatever it says. Any thread.
     */
    public void pex(java.util.function.BooleanSupplier on) {
        pexSwitch = on == null ? () -> false : on;
    }

    /** For tests: the PEX messages dropped as a flood, taken on the engine context. */
    Uni<Long> pexFloods() {
        return onContext(() -> Future.succeededFuture(exchange.floods()));
    }

    /** Our DHT port as sent to peers, 0 when the DHT is off or not for this torrent. Any thread. */
    public int dhtPort() {
        return dht.port();
    }

    /**
     * An inbound connection the PeerServer accepted for this torrent's info-hash. Call it on the socket's context
     * (the listener's): the connection is handed over to this session's context first when they differ.
     */
    public void acceptIncoming(PeerConnection connection) {
        connection.handOver(context);
        context.runOnContext(v -> {
            swarm.accept(connection);
            wake();
        });
    }

    /** Announces to the trackers now, or as soon as their min interval allows (e.g. a user's "ask for peers"). */
    public void reannounce() {
        context.runOnContext(v -> {
            if (running()) {
                announcer.reannounce();
            }
        });
    }

    /** Adds an address to dial (a peer learned out of band, e.g. in tests or from a user). */
    public void addPeer(String host, int port) {
        context.runOnContext(v -> {
            swarm.learn(new PeerAddress(host, port));
            swarm.connectMore();
            wake();
        });
    }

    /**
     * Applies new limits live, without restarting or dropping peers, except: a lowered peer cap closes the least
     * useful peers ({@link PeerRanking}), and a lowered download limit cancels the newest requests beyond about one
     * second of the new limit (so the rate moves at once instead of after the old pipeline drains).
     */
    public void updateSettings(SessionSettings newSettings) {
        context.runOnContext(v -> {
            SessionSettings old = settings;
            settings = newSettings;
            swarm.settings(newSettings);
            downloadLimiter.setRate(newSettings.downloadLimit());
            uploadLimiter.setRate(newSettings.uploadLimit());
            if (newSettings.downloadLimit() > 0 && (old.downloadLimit() == 0
                    || newSettings.downloadLimit() < old.downloadLimit())) {
                requester.trim(newSettings.downloadLimit());
            }
            swarm.enforceCaps(picker != null && picker.complete());
            swarm.connectMore();
            latest = buildSnapshot();
            wake();
        });
    }

    /** The peer listener moved: announce the new port from the next announce on. */
    public void updateListenPort(int port) {
        context.runOnContext(v -> listenPort = port);
    }

    /** New file selection (per meta.files() index; null = all). */
    public void updateSelection(boolean[] newSelection) {
        context.runOnContext(v -> {
            selected = newSelection == null ? null : newSelection.clone();
            if (picker == null || stopping) {
                return; // applied when the store opens
            }
            picker.setWanted(PiecePicker.wantedPieces(meta, selected));
            disk.select(storeSelection()).onFailure(e -> LOG.warnf("could not apply the file selection of %s: %s",
                    meta.name(), e.getMessage()));
            if (picker.complete()) {
                onComplete();
            } else if (completeSignalled) {
                completeSignalled = false;
                if (!paused && state != SessionState.ERROR) {
                    setState(SessionState.DOWNLOADING);
                }
            }
            for (Peer peer : swarm.peers()) {
                requester.updateInterest(peer);
            }
        });
    }

    /**
     * New file priorities (per meta.files() index; null = all normal): pieces of higher-priority files are requested
     * first from now on (requests already sent stay).
     */
    public void updatePriorities(FilePriority[] newPriorities) {
        context.runOnContext(v -> {
            priorities = newPriorities == null ? null : newPriorities.clone();
            if (picker != null && !stopping) {
                picker.setFilePriorities(meta, priorities);
                requester.fillAll();
            }
        });
    }

    // ---- lifecycle (engine context) ----------------------------------------------------------------------

    private Future<Void> doStart() {
        if (started) {
            return Future.succeededFuture();
        }
        started = true;
        disk = new DiskIo(vertx, meta, journalPath, opener);
        boolean checking = resumeVerified == null || !sample.isEmpty();
        // a torrent whose saved pieces cover everything wanted is seeding from the start: reading "downloading"
        // while its files open took a download slot (queueing real downloads behind 1,000 seeds at a restart)
        // and made the runner save its lifecycle twice
        boolean seeded = !checking && !paused && wantedCovered(resumeVerified);
        setState(checking ? SessionState.CHECKING : seeded ? SessionState.SEEDING : SessionState.DOWNLOADING);
        opening = openFiles(openRetryMillis)
                .map(verified -> {
                    if (stopping) {
                        return null;
                    }
                    picker = PiecePicker.forMeta(meta, verified, selected, random);
                    if (priorities != null) {
                        picker.setFilePriorities(meta, priorities);
                    }
                    BitSet pending = pendingCheck(verified);
                    picker.hold(pending);
                    requester.open(picker);
                    uploader.open(picker, disk);
                    messages.open(picker);
                    completeSignalled = picker.complete();
                    setState(paused ? SessionState.PAUSED
                            : picker.complete() ? SessionState.SEEDING : SessionState.DOWNLOADING);
                    LOG.infof("%s started: %d of %d pieces verified", meta.name(), picker.verifiedCount(),
                            meta.pieceCount());
                    scheduleTick();
                    announcer.start();
                    swarm.connectMore();
                    checkInBackground(pending);
                    return (Void) null;
                }).onFailure(e -> fail("could not open the files: " + me.bittorrent.storage.FileFailures.inWords(e)));
        return opening;
    }

    /**
     * The suspects of an unclean stop still to hash once the files are open: none when no resume data was given
     * or a sampled piece failed (then every piece was checked at open: {@code verified} lacks a saved piece).
     */
    private BitSet pendingCheck(BitSet verified) {
        BitSet pending = new BitSet();
        if (resumeVerified == null || suspects.isEmpty()) {
            return pending;
        }
        BitSet lost = (BitSet) resumeVerified.clone();
        lost.andNot(verified);
        if (lost.isEmpty()) {
            pending.or(suspects);
            pending.andNot(verified);
        }
        return pending;
    }

    /** Pieces hashed per disk task of a background check: the piece writes queued meanwhile go in between. */
    private static final int CHECK_CHUNK = 8;

    /**
     * Hashes an unclean stop's suspects on the disk queue while the torrent downloads (they are held till then), a
     * few at a time so that new pieces are written meanwhile: each that matches is verified and announced as if
     * just downloaded, the others are fetched again.
     */
    private void checkInBackground(BitSet pending) {
        if (pending.isEmpty()) {
            return;
        }
        LOG.infof("'%s': checking the %d piece(s) written since the last save while it downloads", meta.name(),
                pending.cardinality());
        checkChunk(pending, pending.nextSetBit(0), sample.cardinality());
    }

    private void checkChunk(BitSet pending, int from, int hashedBefore) {
        BitSet chunk = new BitSet();
        int p = from;
        for (int n = 0; n < CHECK_CHUNK && p >= 0; n++, p = pending.nextSetBit(p + 1)) {
            chunk.set(p);
        }
        int next = p;
        int hashed = hashedBefore + chunk.cardinality();
        disk.check(chunk).onComplete(ar -> {
            if (stopping || picker == null) {
                return;
            }
            if (ar.failed()) {
                LOG.warnf("'%s': could not check pieces written since the last save (%s): downloading them again",
                        meta.name(), ar.cause().getMessage());
            }
            BitSet good = ar.succeeded() ? ar.result() : new BitSet();
            for (int c = chunk.nextSetBit(0); c >= 0; c = chunk.nextSetBit(c + 1)) {
                boolean fresh = good.get(c) && !picker.have(c);
                picker.checked(c, good.get(c));
                if (fresh) {
                    emit(new TorrentEvent.PieceVerified(c));
                    for (Peer peer : new ArrayList<>(swarm.peers())) {
                        peer.announceHave(c);
                    }
                }
            }
            if (next >= 0) {
                checkChunk(pending, next, hashed);
            } else {
                LOG.infof("'%s': %d piece(s) hashed from disk, %d verified", meta.name(), hashed,
                        picker.verifiedCount());
            }
            for (Peer peer : new ArrayList<>(swarm.peers())) {
                if (peer.amInterested) {
                    requester.updateInterest(peer);
                }
            }
            requester.fillAll();
            if (picker.complete()) {
                onComplete();
            }
        });
    }

    private boolean wantedCovered(BitSet verified) {
        BitSet missing = PiecePicker.wantedPieces(meta, selected);
        missing.andNot(verified);
        return missing.isEmpty();
    }

    /**
     * Opens the files; a transient failure (out of file descriptors: EMFILE/ENFILE, say during a connection
     * flood) is not an error: it is logged in words and tried again after {@code retryMillis}, doubling to 60 s,
     * until it works, fails for another reason, or the session stops (then it completes with null).
     */
    private Future<BitSet> openFiles(long retryMillis) {
        // only the sample at open: the suspects are hashed while the torrent downloads (checkInBackground)
        return disk.open(meta, downloadDir, storeSelection(), settings.preallocate(), resumeVerified, new BitSet(),
                        sample)
                .recover(e -> {
                    if (stopping) {
                        return Future.succeededFuture(); // stopped meanwhile: nothing to report
                    }
                    if (!transientFailure(e)) {
                        return Future.failedFuture(e);
                    }
                    LOG.warnf("'%s': cannot open its files for now: the service has too many files and connections "
                            + "open (%s); trying again in %d s", meta.name(), e.getMessage(),
                            Math.max(1, retryMillis / 1000));
                    openRetry = Promise.promise();
                    Future<Void> waited = openRetry.future();
                    openRetryTimer = vertx.setTimer(retryMillis, id -> {
                        openRetryTimer = -1;
                        openRetry.tryComplete();
                    });
                    return waited.compose(v -> stopping ? Future.succeededFuture()
                            : openFiles(Math.min(60_000, retryMillis * 2)));
                });
    }

    /**
     * A piece's check and, if it matched, its write, on the disk thread; when a test injects write failures
     * ({@link #writeFault}), the check on a worker and then the injected write.
     */
    private Future<PieceVerifier.Checked> checkThenWrite(int piece, ByteBuffer data,
            Callable<PieceVerifier.Checked> check) {
        java.util.function.IntFunction<Future<Void>> fault = writeFault;
        return fault == null ? disk.checkThenWrite(piece, data, check)
                : PieceVerifier.inSteps(this::offload, (p, d) -> fault.apply(p)).checkThenWrite(piece, data, check);
    }

    /** Before {@link #start}: outgoing dials take a place in this cap shared by every torrent (SessionRunner). */
    public void connectionBudget(me.bittorrent.wire.ConnectionBudget budget) {
        context.runOnContext(v -> swarm.connectionBudget(budget));
    }

    /** For tests: every piece write answers this instead of reaching the disk (a full disk, say). */
    void diskWriteFault(java.util.function.IntFunction<Future<Void>> fault) {
        this.writeFault = fault;
    }

    /** For tests: how the files are opened, and the first retry delay after a transient failure. */
    void diskOpener(DiskIo.Opener opener, long firstRetryMillis) {
        this.opener = opener;
        this.openRetryMillis = firstRetryMillis;
    }

    private void doPause() {
        if (paused) {
            return;
        }
        paused = true;
        for (Peer peer : swarm.peers()) {
            requester.releaseAll(peer, true);
        }
        uploader.chokeAll();
        if (state != SessionState.ERROR && state != SessionState.STOPPED) {
            setState(SessionState.PAUSED);
        }
        if (disk != null && !stopping) {
            // what is verified is on disk when the caller persists the verified set
            disk.flush().onFailure(e -> LOG.warnf("%s: could not flush to disk: %s", meta.name(), e.getMessage()));
        }
    }

    private void doResume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (state == SessionState.PAUSED) {
            setState(picker == null ? SessionState.CHECKING
                    : picker.complete() ? SessionState.SEEDING : SessionState.DOWNLOADING);
        }
        uploader.chokeRound(true);
        requester.fillAll();
        wake();
    }

    /** Stop order: no more ticks, limiters leave their parents, peers close, stopped is announced, the
     * verifications in flight finish, the opening check ends; then the store closes and the stream completes. */
    private Future<Void> doStop() {
        if (stopping) {
            return Future.succeededFuture();
        }
        stopping = true;
        if (tickTimer >= 0) {
            vertx.cancelTimer(tickTimer);
            tickTimer = -1;
        }
        if (writeFailuresSinceError > 0) {
            LOG.infof("'%s': %d more piece(s) in flight could not be written after the first failure; they will be "
                    + "downloaded again", meta.name(), writeFailuresSinceError);
        }
        if (openRetryTimer >= 0) { // waiting to open the files again: give up now
            vertx.cancelTimer(openRetryTimer);
            openRetryTimer = -1;
            openRetry.tryComplete();
        }
        downloadLimiter.close(); // no longer takes part in the global limits' sharing
        uploadLimiter.close();
        swarm.closeAll("torrent stopped");
        Future<Void> announced = announcer.stop();
        // a stop during the opening check waits for it, so the store it opens is closed too
        return Future.join(announced, verifier.drain(), opening.otherwiseEmpty())
                .transform(ignored -> disk != null ? disk.close() : Future.<Void>succeededFuture())
                .transform(ar -> {
                    verifier.close(); // nothing is in flight: the piece buffers are freed
                    swarm.close();
                    if (state != SessionState.ERROR) {
                        setState(SessionState.STOPPED);
                    }
                    latest = buildSnapshot();
                    events.onComplete();
                    return Future.succeededFuture();
                });
    }

    private boolean running() {
        return started && !stopping && picker != null;
    }

    private boolean transferring() {
        return running() && !paused && state != SessionState.ERROR;
    }

    private void fail(String message) {
        LOG.errorf("%s: %s", meta.name(), message);
        error = message;
        setState(SessionState.ERROR);
        for (Peer peer : swarm.peers()) {
            requester.releaseAll(peer, true);
            peer.choke();
        }
    }

    private void setState(SessionState newState) {
        if (newState != state) {
            state = newState;
            latest = buildSnapshot();
            emit(new TorrentEvent.StateChanged(newState));
        }
    }

    private void emit(TorrentEvent event) {
        if (event instanceof TorrentEvent.TrackerFailed || event instanceof TorrentEvent.TrackerReplied) {
            latest = buildSnapshot(); // shown at once, even by an idle session that ticks every 5 s
        }
        events.onNext(event);
    }

    private boolean[] storeSelection() {
        if (selected != null) {
            return selected.clone();
        }
        boolean[] all = new boolean[meta.files().size()];
        Arrays.fill(all, true);
        return all;
    }

    private <T> Future<T> offload(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    // ---- what follows a piece's verdict ------------------------------------------------------------------

    /** The {@link PieceVerifier}'s verdicts, on the engine context. */
    private final class Verdicts implements PieceVerifier.Outcome {

        @Override
        public void passed(int piece, String[] senders, byte[][] blockDigests) {
            picker.pieceVerified(piece);
            BanPolicy.Verdict verdict = bans.pieceVerified(piece, senders, blockDigests);
            for (String liar : verdict.liars()) {
                LOG.warnf("'%s': piece %d passed now; peer %s had sent corrupt blocks of it", meta.name(), piece,
                        swarm.addressOf(liar));
            }
            swarm.ban(verdict.banned());
            emit(new TorrentEvent.PieceVerified(piece));
            for (Peer peer : new ArrayList<>(swarm.peers())) {
                peer.announceHave(piece);
                if (peer.amInterested) {
                    requester.updateInterest(peer);
                }
            }
            if (picker.complete()) {
                onComplete();
            }
        }

        @Override
        public void failed(int piece, String[] senders, byte[][] blockDigests) {
            picker.pieceFailed(piece);
            String from = swarm.describeSenders(senders);
            LOG.warnf("'%s': piece %d failed its hash check (data from %s), downloading it again", meta.name(),
                    piece, from);
            emit(new TorrentEvent.PieceFailed(piece, "hash mismatch (data from " + from + ")"));
            swarm.ban(bans.pieceFailed(piece, senders, blockDigests));
        }

        @Override
        public void writeFailed(int piece, Throwable cause) {
            picker.pieceFailed(piece);
            emit(new TorrentEvent.PieceFailed(piece, "could not write: " + me.bittorrent.storage.FileFailures.inWords(cause)));
            if (state == SessionState.ERROR) {
                // the pieces in flight when the disk failed fail too: one ERROR line per event, not one per piece
                writeFailuresSinceError++;
                LOG.debugf("'%s': could not write piece %d either (%s)", meta.name(), piece, cause.getMessage());
                return;
            }
            if (transientFailure(cause)) {
                // out of file descriptors (a connection flood, say) passes: the piece is downloaded again
                LOG.warnf("'%s': could not write piece %d for now (%s); downloading it again", meta.name(), piece,
                        cause.getMessage());
                return;
            }
            fail(writeFailure(piece, cause));
        }

        @Override
        public void settled() {
            requester.fillAll();
        }
    }

    private void onComplete() {
        if (completeSignalled) {
            return;
        }
        completeSignalled = true;
        verifier.releaseSpare();
        LOG.infof("%s: download complete", meta.name());
        if (!paused && state != SessionState.ERROR) {
            setState(SessionState.SEEDING);
        }
        emit(new TorrentEvent.Completed());
        if (haveAll()) {
            announcer.completed();
        }
        for (Peer peer : new ArrayList<>(swarm.peers())) {
            if (!swarm.closeIfBothSeeds(peer)) {
                requester.updateInterest(peer);
            }
        }
    }

    private boolean haveAll() {
        return picker != null && picker.verifiedCount() == meta.pieceCount();
    }

    // ---- peers -------------------------------------------------------------------------------------------

    /** What the {@link Swarm} asks of the session. */
    private final class SwarmHost implements Swarm.Host {

        @Override
        public boolean running() {
            return TorrentSession.this.running();
        }

        @Override
        public boolean dialling() {
            return running() && !(paused && picker.complete());
        }

        @Override
        public boolean haveAll() {
            return TorrentSession.this.haveAll();
        }

        @Override
        public int listenPort() {
            return listenPort;
        }

        @Override
        public boolean dht() {
            return dht.port() > 0;
        }

        @Override
        public void connected(Peer peer, PeerConnection connection) {
            messages.listen(peer, connection);
            connection.drainHandler(() -> uploader.pump(peer));
            if (picker.verifiedCount() > 0) {
                peer.send(new PeerMessage.Bitfield(Bitfields.toBytes(picker.verified(), meta.pieceCount())));
            }
            if (connection.remoteHandshake().supportsExtensions()) {
                peer.pexOffered = exchange.on();
                peer.send(new PeerMessage.Extended(0, ExtensionHandshake.ours(listenPort,
                        infoDictionary == null ? 0 : infoDictionary.length, peer.pexOffered)));
            }
            int dhtPort = dht.port();
            if (dhtPort > 0 && connection.remoteHandshake().supportsDht()) {
                peer.send(new PeerMessage.Port(dhtPort));
            }
            emit(new TorrentEvent.PeerConnected(peer.address));
        }

        @Override
        public void disconnected(Peer peer, String reason) {
            requester.releaseAll(peer, false);
            uploader.left(peer);
            if (picker != null) {
                picker.peerLeft(peer.has);
            }
            emit(new TorrentEvent.PeerDisconnected(peer.address, reason));
            requester.fillAll();
        }
    }

    // ---- trackers ----------------------------------------------------------------------------------------

    private AnnounceRequest announceRequest(AnnounceEvent event) {
        long left = picker != null ? picker.bytesLeft() : meta.totalLength();
        return new AnnounceRequest(meta.infoHash(), peerId, listenPort, uploader.uploaded(), requester.downloaded(),
                left, event, event == AnnounceEvent.STOPPED ? 0 : 50, announceKey);
    }

    private void onTrackerAnswer(AnnounceResponse answer) {
        for (PeerAddress address : answer.peers()) {
            swarm.learn(address);
        }
        swarm.connectMore();
        wake();
    }

    // ---- timers ------------------------------------------------------------------------------------------

    /** Arms the next tick: 200 ms while the session has work, {@link #IDLE_TICK_MILLIS} while it has none. */
    private void scheduleTick() {
        idleTick = idle();
        tickTimer = vertx.setTimer(idleTick ? idleTickDelay(System.nanoTime()) : TICK_MILLIS, id -> {
            tickTimer = -1;
            tick();
            if (running()) {
                scheduleTick();
            }
        });
    }

    /**
     * Millis to the next multiple of {@link #IDLE_TICK_MILLIS} on the monotonic clock (at least half of it): every
     * idle session of an event loop ticks at the same instant, so 200 idle torrents wake their loop once per
     * period instead of 40 times a second (what one shared timer wheel would do, without one more timer).
     */
    static long idleTickDelay(long nanoTime) {
        long now = Math.floorDiv(nanoTime, 1_000_000L);
        long delay = IDLE_TICK_MILLIS - Math.floorMod(now, IDLE_TICK_MILLIS);
        return delay < IDLE_TICK_MILLIS / 2 ? delay + IDLE_TICK_MILLIS : delay;
    }

    /** Something may have given the session work: a slow idle tick is replaced by the 200 ms one. */
    private void wake() {
        if (idleTick && tickTimer >= 0 && running()) {
            vertx.cancelTimer(tickTimer);
            tickTimer = -1;
            scheduleTick();
            idleTick = false;
        }
    }

    /** Nothing to retry, dial, expire, choke or count: no peer, no dial, no known address, rates at zero. */
    private boolean idle() {
        return swarm.size() == 0 && swarm.halfOpen() == 0 && swarm.knownOrConnected() == 0
                && latest.downloadRate() == 0 && latest.uploadRate() == 0;
    }

    private void tick() {
        if (!running()) {
            return;
        }
        if (settings.downloadLimit() > 0 || downloadLimiter.available() != Long.MAX_VALUE) {
            requester.fillAll();
        }
        uploader.pumpAll();
        long now = System.nanoTime();
        // timed by the clock, not by counting ticks: the tick's period changes with idleness
        if (now - lastSecondNanos >= 1_000_000_000L - TICK_MILLIS * 500_000L) {
            lastSecondNanos = now;
            everySecond();
        }
        if (now - lastRoundNanos >= (Choker.ROUND_MILLIS - TICK_MILLIS / 2) * 1_000_000L) {
            lastRoundNanos = now;
            uploader.periodicRound();
        }
    }

    private void everySecond() {
        requester.expire();
        exchange.everySecond(System.nanoTime());
        swarm.connectMore();
        if (swarm.size() == 0 && swarm.halfOpen() == 0 && !picker.complete() && !paused
                && System.nanoTime() - lastLonelyAnnounceNanos > LONELY_REANNOUNCE_NANOS) {
            // nobody to download from: ask the trackers again (they may know new peers by now)
            lastLonelyAnnounceNanos = System.nanoTime();
            announcer.reannounceIfDue(); // never before the tracker's interval
        }
        SessionSnapshot next = buildSnapshot();
        if (!next.equals(latest)) {
            latest = next; // an idle session keeps its snapshot: readers see nothing changed
        }
    }

    private SessionSnapshot buildSnapshot() {
        long now = System.currentTimeMillis();
        long downRate = requester.rate(now);
        long left = picker != null ? picker.bytesLeft() : meta.totalLength();
        BitSet verified = picker != null ? picker.verified()
                : resumeVerified != null ? resumeVerified : new BitSet();
        long eta = left == 0 ? 0 : downRate > 0 ? (left + downRate - 1) / downRate : -1;
        return new SessionSnapshot(state, error, verified, left, requester.downloaded(), uploader.uploaded(),
                downRate, uploader.rate(now), swarm.size(), swarm.knownOrConnected(), swarm.seeds(),
                announcer.statuses(), eta);
    }

    private List<PeerSnapshot> peerSnapshots() {
        long now = System.currentTimeMillis();
        int pieces = Math.max(1, meta.pieceCount());
        List<PeerSnapshot> list = new ArrayList<>(swarm.size());
        for (Peer peer : swarm.peers()) {
            StringBuilder flags = new StringBuilder();
            if (peer.amInterested) {
                flags.append(peer.peerChoking ? 'd' : 'D');
            }
            if (peer.peerInterested) {
                flags.append(peer.amChoking ? 'u' : 'U');
            }
            if (peer.snubbed) {
                flags.append('S');
            }
            if (!peer.outbound) {
                flags.append('I');
            }
            String client = peer.client != null ? peer.client : PeerSnapshot.clientOf(peer.peerIdHex);
            list.add(new PeerSnapshot(peer.address, client, flags.toString(),
                    Math.min(100.0, Math.round(peer.hasCount * 1000.0 / pieces) / 10.0),
                    peer.downloadMeter.rate(now), peer.uploadMeter.rate(now),
                    peer.downloadMeter.total(), peer.uploadMeter.total()));
        }
        return list;
    }

    private <T> Uni<T> onContext(Supplier<Future<T>> action) {
        return Uni.createFrom().emitter(emitter -> context.runOnContext(v -> {
            Future<T> future;
            try {
                future = action.get();
            } catch (RuntimeException e) {
                emitter.fail(e);
                return;
            }
            future.onComplete(ar -> {
                if (ar.succeeded()) {
                    emitter.complete(ar.result());
                } else {
                    emitter.fail(ar.cause());
                }
            });
        }));
    }

    /** Null for a private torrent (BEP 27: as libtorrent, we do not hand out its metadata) or one over the cap. */
    private static byte[] infoDictionaryOf(TorrentMeta meta) {
        if (meta.isPrivate()) {
            return null;
        }
        try {
            byte[] info = MetainfoParser.infoDictionary(meta.torrentBytes());
            return info.length <= UtMetadata.MAX_SIZE ? info : null;
        } catch (me.bittorrent.metainfo.InvalidTorrentException | RuntimeException e) {
            return null;
        }
    }

    /** A write failure in words, with what to do about it. */
    static String writeFailure(int piece, Throwable cause) {
        String message = me.bittorrent.storage.FileFailures.inWords(cause); // Java's message may be the path alone
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("no space left") || lower.contains("disk quota")) {
            return "the disk is full (could not write piece " + piece + ": " + message
                    + "); free some space, then start it again";
        }
        // FileFailures says "permission denied" for an AccessDeniedException, whose own message is the path alone
        if (lower.contains("read-only file system") || lower.contains("permission denied")) {
            return "the download folder cannot be written (piece " + piece + ": " + message
                    + "); fix its permissions, then start it again";
        }
        return "could not write piece " + piece + ": " + message;
    }

    /** EMFILE/ENFILE: the process or the system ran out of file descriptors for a moment; never an error state. */
    static boolean transientFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("Too many open files")) { // EMFILE, and ENFILE "... in system"
                return true;
            }
        }
        return false;
    }
}
