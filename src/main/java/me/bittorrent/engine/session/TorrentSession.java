package me.bittorrent.engine.session;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import me.bittorrent.engine.Block;
import me.bittorrent.engine.Choker;
import me.bittorrent.engine.PiecePicker;
import me.bittorrent.engine.RateLimiter;
import me.bittorrent.engine.RateMeter;
import me.bittorrent.engine.TorrentEvent;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.storage.PieceStore;
import me.bittorrent.storage.Sha1;
import me.bittorrent.tracker.AnnounceEvent;
import me.bittorrent.tracker.AnnounceRequest;
import me.bittorrent.tracker.AnnounceResponse;
import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.tracker.TrackerClient;
import me.bittorrent.tracker.TrackerTiers;
import me.bittorrent.wire.ConnectionSettings;
import me.bittorrent.wire.FrameDecoder;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;

/**
 * One torrent's transfers: trackers, peer connections, requests, verification, storage and seeding.
 *
 * <p>Threading: every field is confined to the engine context given to the constructor; public methods may be
 * called from any thread and hop onto that context. SHA-1 runs on the Vert.x worker pool, disk I/O on a
 * one-thread worker executor per session (so the PieceStore sees one thread at a time). See STATE.md.
 */
public final class TorrentSession {

    private static final Logger LOG = Logger.getLogger(TorrentSession.class);

    public static final String CHECKING = "checking";
    public static final String DOWNLOADING = "downloading";
    public static final String SEEDING = "seeding";
    public static final String PAUSED = "paused";
    public static final String STOPPED = "stopped";
    public static final String ERROR = "error";

    /** Pieces waiting for their hash check or their write may hold this many bytes; beyond it we stop requesting. */
    static final long MAX_PENDING_VERIFY_BYTES = 32L << 20;
    /** Disk reads for uploads in flight per session (16 KiB each, usually). */
    static final int MAX_READS_IN_FLIGHT = 32;
    static final int MAX_READS_PER_PEER = 8;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicLong SESSION_NUMBERS = new AtomicLong();
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_HALF_OPEN = 16;
    static final int MAX_KNOWN = 2000;
    static final int MAX_REQUEST_LENGTH = 128 * 1024;
    static final int STRIKES_TO_BAN = 3;
    static final long TICK_MILLIS = 200;
    /** Without any peer, re-announce at most this often (and never before the tracker's min interval). */
    static final Duration LONELY_REANNOUNCE = Duration.ofMinutes(2);

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
    private final RateMeter downloadMeter = new RateMeter();
    private final RateMeter uploadMeter = new RateMeter();
    private final BroadcastProcessor<TorrentEvent> events = BroadcastProcessor.create();

    private SessionSettings settings;
    private boolean[] selected;
    private final BitSet resumeVerified;

    private PiecePicker picker;
    private PieceStore store;
    private WorkerExecutor disk;
    private NetClient netClient;

    /** Established connections by address. */
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Set<String> connectedPeerIds = new HashSet<>();
    /** Addresses to dial, from trackers and {@link #addPeer}: address -> failed attempts. */
    private final Map<String, PeerAddress> known = new LinkedHashMap<>();
    private final Map<String, Integer> connectFailures = new HashMap<>();
    private final Map<String, Long> retryAfterNanos = new HashMap<>();
    private final Set<String> connecting = new HashSet<>();
    /** Addresses of seeds we hung up on because we have everything too. */
    private final Set<String> seedAddresses = new HashSet<>();
    /** Strikes, bans and suspect blocks (STATE.md "Ban policy"). */
    private final BanPolicy bans;

    /** Piece buffers of pieces being downloaded (one copy of each block from the network slice lands here). */
    private final Map<Integer, byte[]> buffers = new HashMap<>();
    /** Per piece being downloaded, the peer id (hex) that sent each block (for strikes when its hash fails). */
    private final Map<Integer, String[]> contributors = new HashMap<>();
    private long pendingVerifyBytes;
    private int verifiesInFlight;
    private int readsInFlight;
    private Promise<Void> drained;
    private Future<Void> opening = Future.succeededFuture();

    private String state = STOPPED;
    private String error;
    private boolean started;
    private boolean stopping;
    private boolean paused;
    private boolean completeSignalled;
    private long downloaded;
    private long uploaded;
    private long tickTimer = -1;
    private int ticks;
    private Peer optimistic;
    private long lastLonelyAnnounceNanos = System.nanoTime();
    private volatile SessionSnapshot latest;

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
        this.bans = new BanPolicy(meta.name(), peers);
        this.latest = buildSnapshot();
    }

    public TorrentSession(Vertx vertx, Context context, byte[] peerId, int listenPort, TrackerClient trackers,
            TorrentMeta meta, Path downloadDir, SessionSettings settings, boolean[] selected, BitSet verified) {
        this(vertx, context, peerId, listenPort, trackers, meta, downloadDir, settings, selected, verified, null,
                null);
    }

    /** The session's one disk thread, for tests that must hold it busy (a disk slower than the network). */
    WorkerExecutor diskExecutor() {
        return disk;
    }

    public TorrentMeta meta() {
        return meta;
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

    /** What the session holds in memory for transfers right now (the bound of STATE.md "Memory bounds"). */
    public Uni<BufferedBytes> buffered() {
        return onContext(() -> {
            long pieceBuffers = 0;
            for (byte[] buffer : buffers.values()) {
                pieceBuffers += buffer.length;
            }
            long requested = 0;
            int uploadQueued = 0;
            for (Peer peer : peers.values()) {
                requested += (long) peer.outstanding.size() * PiecePicker.BLOCK_SIZE;
                uploadQueued += peer.uploadQueue.size();
            }
            return Future.succeededFuture(new BufferedBytes(pieceBuffers, pendingVerifyBytes, requested,
                    (long) readsInFlight * PiecePicker.BLOCK_SIZE, uploadQueued));
        });
    }

    /** The values as of the last tick (at most a second old); readable on any thread without hopping. */
    public SessionSnapshot latestSnapshot() {
        return latest;
    }

    /** An inbound connection the PeerServer accepted for this torrent's info-hash. */
    public void acceptIncoming(PeerConnection connection) {
        context.runOnContext(v -> {
            String address = connection.remoteHost() + ":" + connection.remotePort();
            if (!running() || peers.size() >= settings.maxPeers()
                    || peers.size() + connecting.size() >= settings.maxConnections()) {
                connection.close(running() ? "too many connections" : "torrent not running");
                return;
            }
            attach(connection, address, false);
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
            learn(new PeerAddress(host, port));
            connectMore();
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
            downloadLimiter.setRate(newSettings.downloadLimit());
            uploadLimiter.setRate(newSettings.uploadLimit());
            if (newSettings.downloadLimit() > 0 && (old.downloadLimit() == 0
                    || newSettings.downloadLimit() < old.downloadLimit())) {
                trimRequests(newSettings.downloadLimit());
            }
            int cap = Math.min(newSettings.maxPeers(), newSettings.maxConnections() - connecting.size());
            if (peers.size() > cap) {
                long now = System.currentTimeMillis();
                boolean seeding = picker != null && picker.complete();
                List<Peer> ranked = PeerRanking.leastUsefulFirst(peers.values(), now, seeding);
                int excess = peers.size() - Math.max(0, cap); // counted first: closing removes them at once
                for (int i = 0; i < excess; i++) {
                    Peer peer = ranked.get(i);
                    LOG.infof("%s: closing %s, the least useful peer, to honour the new connection limit",
                            meta.name(), peer.address);
                    peer.connection.close("fewer connections allowed now");
                }
            }
            connectMore();
            latest = buildSnapshot();
        });
    }

    /** Cancels the newest requests so that at most about one second of {@code limit} stays in flight. */
    private void trimRequests(long limit) {
        if (picker == null || peers.isEmpty()) {
            return;
        }
        long perPeer = Math.max(PiecePicker.BLOCK_SIZE, limit / peers.size());
        for (Peer peer : peers.values()) {
            long keep = perPeer / PiecePicker.BLOCK_SIZE;
            int excess = (int) (peer.outstanding.size() - keep);
            if (excess <= 0) {
                continue;
            }
            List<Long> keys = new ArrayList<>(peer.outstanding.keySet());
            for (int i = keys.size() - 1; i >= keys.size() - excess; i--) {
                long key = keys.get(i);
                peer.outstanding.remove(key);
                int piece = (int) (key >>> 32);
                int begin = (int) key * PiecePicker.BLOCK_SIZE;
                int length = picker.blockLength(piece, begin / PiecePicker.BLOCK_SIZE);
                picker.requestDropped(piece, begin);
                downloadLimiter.giveBack(length);
                peer.connection.send(new PeerMessage.Cancel(piece, begin, length));
            }
        }
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
            boolean[] forStore = storeSelection();
            disk.executeBlocking(() -> {
                store.setSelection(forStore);
                return null;
            }, true).onFailure(e -> LOG.warnf("could not apply the file selection of %s: %s", meta.name(),
                    e.getMessage()));
            if (picker.complete()) {
                onComplete();
            } else if (completeSignalled) {
                completeSignalled = false;
                if (!paused && !ERROR.equals(state)) {
                    setState(DOWNLOADING);
                }
            }
            for (Peer peer : peers.values()) {
                updateInterest(peer);
            }
        });
    }

    // ---- lifecycle (engine context) ----------------------------------------------------------------------

    private record Opened(PieceStore store, BitSet verified) {
    }

    private Future<Void> doStart() {
        if (started) {
            return Future.succeededFuture();
        }
        started = true;
        // Vert.x shares worker executors by name: the name must be unique per session, or two sessions of one
        // torrent (a restart while the old one closes, a seeder and a leecher in one process) share a pool and
        // the first to close it takes the other's queued disk work with it.
        disk = vertx.createSharedWorkerExecutor("bt-disk-" + meta.infoHash().hex().substring(0, 12) + "-"
                + SESSION_NUMBERS.incrementAndGet(), 1);
        netClient = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true)
                .setConnectTimeout((int) HANDSHAKE_TIMEOUT.toMillis()));
        setState(resumeVerified == null ? CHECKING : DOWNLOADING);
        boolean[] forStore = storeSelection();
        BitSet given = resumeVerified;
        boolean preallocate = settings.preallocate();
        opening = disk.executeBlocking(() -> {
            PieceStore opened = new PieceStore(meta, downloadDir, forStore, preallocate);
            BitSet verified = given != null ? given : opened.checkAll();
            return new Opened(opened, verified);
        }, true).map(opened -> {
            store = opened.store();
            if (stopping) {
                return null;
            }
            picker = PiecePicker.forMeta(meta, opened.verified(), selected, random);
            completeSignalled = picker.complete();
            setState(paused ? PAUSED : picker.complete() ? SEEDING : DOWNLOADING);
            LOG.infof("%s started: %d of %d pieces verified", meta.name(), picker.verifiedCount(),
                    meta.pieceCount());
            tickTimer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
            announcer.start();
            connectMore();
            return (Void) null;
        }).onFailure(e -> fail("could not open the files: " + e.getMessage()));
        return opening;
    }

    private void doPause() {
        if (paused) {
            return;
        }
        paused = true;
        for (Peer peer : peers.values()) {
            dropRequests(peer, true);
            peer.uploadQueue.clear();
            choke(peer);
        }
        if (!ERROR.equals(state) && !STOPPED.equals(state)) {
            setState(PAUSED);
        }
        if (store != null && !stopping) {
            PieceStore flushing = store;
            disk.executeBlocking(() -> {
                flushing.flush(); // what is verified is on disk when the caller persists the verified set
                return null;
            }, true).onFailure(e -> LOG.warnf("%s: could not flush to disk: %s", meta.name(), e.getMessage()));
        }
    }

    private void doResume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (PAUSED.equals(state)) {
            setState(picker != null && picker.complete() ? SEEDING : picker == null ? CHECKING : DOWNLOADING);
        }
        chokeRound(true);
        fillAll();
    }

    private Future<Void> doStop() {
        if (stopping) {
            return Future.succeededFuture();
        }
        stopping = true;
        if (tickTimer >= 0) {
            vertx.cancelTimer(tickTimer);
        }
        downloadLimiter.close(); // no longer takes part in the global limits' sharing
        uploadLimiter.close();
        for (Peer peer : new ArrayList<>(peers.values())) {
            peer.connection.close("torrent stopped");
        }
        Future<Void> announced = announcer.stop();
        drained = Promise.promise();
        if (verifiesInFlight == 0) {
            drained.tryComplete();
        }
        // a stop during the opening check waits for it, so the store it opens is closed too
        return Future.join(announced, drained.future(), opening.otherwiseEmpty())
                .transform(ignored -> closeStore()).transform(ar -> {
            if (netClient != null) {
                netClient.close();
            }
            if (disk != null) {
                disk.close();
            }
            if (!ERROR.equals(state)) {
                setState(STOPPED);
            }
            latest = buildSnapshot();
            events.onComplete();
            return Future.succeededFuture();
        });
    }

    private Future<Void> closeStore() {
        if (store == null) {
            return Future.succeededFuture();
        }
        PieceStore closing = store;
        return disk.executeBlocking(() -> {
            closing.close();
            return null;
        }, true);
    }

    private boolean running() {
        return started && !stopping && picker != null;
    }

    private boolean transferring() {
        return running() && !paused && !ERROR.equals(state);
    }

    private void fail(String message) {
        LOG.errorf("%s: %s", meta.name(), message);
        error = message;
        setState(ERROR);
        for (Peer peer : peers.values()) {
            dropRequests(peer, true);
            choke(peer);
        }
    }

    private void setState(String newState) {
        if (!newState.equals(state)) {
            state = newState;
            latest = buildSnapshot();
            emit(new TorrentEvent.StateChanged(newState));
        }
    }

    private void emit(TorrentEvent event) {
        events.onNext(event);
    }

    private boolean[] storeSelection() {
        if (selected != null) {
            return selected.clone();
        }
        boolean[] all = new boolean[meta.files().size()];
        java.util.Arrays.fill(all, true);
        return all;
    }

    // ---- trackers and connections ------------------------------------------------------------------------

    private AnnounceRequest announceRequest(AnnounceEvent event) {
        long left = picker != null ? picker.bytesLeft() : meta.totalLength();
        return new AnnounceRequest(meta.infoHash(), peerId, listenPort, uploaded, downloaded, left, event,
                event == AnnounceEvent.STOPPED ? 0 : 50, announceKey);
    }

    private void onTrackerAnswer(AnnounceResponse answer) {
        for (PeerAddress address : answer.peers()) {
            learn(address);
        }
        connectMore();
    }

    private void learn(PeerAddress address) {
        if (address.port() <= 0 || isSelf(address) || known.size() >= MAX_KNOWN) {
            return;
        }
        known.putIfAbsent(address.host() + ":" + address.port(), address);
    }

    private boolean isSelf(PeerAddress address) {
        if (address.port() != listenPort) {
            return false;
        }
        String h = address.host();
        return h.startsWith("127.") || h.equals("localhost") || h.equals("0.0.0.0") || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    private void connectMore() {
        if (!running() || paused && picker.complete()) {
            return;
        }
        long now = System.nanoTime();
        boolean complete = picker.verifiedCount() == meta.pieceCount();
        int limit = Math.min(settings.maxPeers(), settings.maxConnections());
        for (Map.Entry<String, PeerAddress> entry : known.entrySet()) {
            if (peers.size() + connecting.size() >= limit || connecting.size() >= MAX_HALF_OPEN) {
                return;
            }
            String address = entry.getKey();
            Long retry = retryAfterNanos.get(address);
            if (peers.containsKey(address) || connecting.contains(address) || bans.isBanned(address)
                    || (retry != null && retry - now > 0) || (complete && seedAddresses.contains(address))) {
                continue;
            }
            connect(address, entry.getValue());
        }
    }

    private void connect(String address, PeerAddress target) {
        connecting.add(address);
        PeerConnection.connect(vertx, netClient, target.host(), target.port(),
                Handshake.ours(meta.infoHash(), peerId), HANDSHAKE_TIMEOUT,
                ConnectionSettings.forPieceCount(meta.pieceCount())).onComplete(ar -> {
                    connecting.remove(address);
                    if (ar.failed()) {
                        if (String.valueOf(ar.cause().getMessage()).contains("ourselves")) {
                            known.remove(address); // the tracker handed us our own address
                            bans.banAddress(address);
                            return;
                        }
                        int failures = connectFailures.merge(address, 1, Integer::sum);
                        LOG.debugf("could not connect to %s: %s", address, ar.cause().getMessage());
                        // back off 10 s, 20 s, 40 s ... and forget an address after 6 failures
                        retryAfterNanos.put(address, System.nanoTime() + (10_000_000_000L << Math.min(failures, 6)));
                        if (failures >= 6) {
                            known.remove(address);
                        }
                        return;
                    }
                    connectFailures.remove(address);
                    PeerConnection connection = ar.result();
                    if (!running()) {
                        connection.close("torrent not running");
                        return;
                    }
                    attach(connection, address, true);
                });
    }

    private void attach(PeerConnection connection, String address, boolean outbound) {
        Peer peer = new Peer(connection, address, outbound);
        if (bans.isBanned(peer.peerIdHex) || bans.isBanned(address)) {
            connection.close("banned: sent corrupt data before");
            return;
        }
        if (peers.containsKey(address) || connectedPeerIds.contains(peer.peerIdHex)) {
            connection.close("already connected to this peer");
            return;
        }
        if (peers.size() >= settings.maxPeers() || peers.size() + connecting.size() >= settings.maxConnections()) {
            connection.close("too many connections");
            return;
        }
        peers.put(address, peer);
        connectedPeerIds.add(peer.peerIdHex);
        connection.maxFrameLength(FrameDecoder.maxFrameLengthFor(meta.pieceCount())); // room for the bitfield
        connection.handler(message -> onMessage(peer, message));
        connection.closeHandler(reason -> onClosed(peer, reason));
        connection.drainHandler(() -> pumpUploads(peer));
        if (picker.verifiedCount() > 0) {
            connection.send(new PeerMessage.Bitfield(Bitfields.toBytes(picker.verified(), meta.pieceCount())));
        }
        if (connection.remoteHandshake().supportsExtensions()) {
            connection.send(new PeerMessage.Extended(0, ExtensionHandshake.ours(listenPort)));
        }
        LOG.debugf("%s: connected to %s (%s)", meta.name(), address, outbound ? "outgoing" : "incoming");
        emit(new TorrentEvent.PeerConnected(address));
    }

    private void onClosed(Peer peer, String reason) {
        if (peers.get(peer.address) != peer) {
            return;
        }
        peers.remove(peer.address);
        connectedPeerIds.remove(peer.peerIdHex);
        dropRequests(peer, false);
        peer.uploadQueue.clear();
        if (picker != null) {
            picker.peerLeft(peer.has);
        }
        if (optimistic == peer) {
            optimistic = null;
        }
        if (peer.outbound) {
            // do not hammer a peer that just hung up on us
            retryAfterNanos.put(peer.address, System.nanoTime() + 30_000_000_000L);
        }
        LOG.debugf("%s: %s disconnected: %s", meta.name(), peer.address, reason);
        emit(new TorrentEvent.PeerDisconnected(peer.address, reason));
        fillAll();
    }

    // ---- messages ----------------------------------------------------------------------------------------

    private void onMessage(Peer peer, PeerMessage message) {
        if (peers.get(peer.address) != peer || picker == null) {
            return;
        }
        if (message instanceof PeerMessage.Piece piece) {
            onPiece(peer, piece);
        } else if (message instanceof PeerMessage.Request request) {
            onRequest(peer, request);
        } else if (message instanceof PeerMessage.Have have) {
            onHave(peer, have.piece());
        } else if (message instanceof PeerMessage.Bitfield bitfield) {
            onBitfield(peer, bitfield.bits());
        } else if (message instanceof PeerMessage.Choke) {
            peer.peerChoking = true;
            dropRequests(peer, false); // a choke discards our requests at the peer (no fast extension)
            fillAll();
        } else if (message instanceof PeerMessage.Unchoke) {
            peer.peerChoking = false;
            fillRequests(peer);
        } else if (message instanceof PeerMessage.Interested) {
            peer.peerInterested = true;
            if (peer.amChoking && transferring() && unchokedCount() <= Choker.REGULAR_SLOTS) {
                unchoke(peer); // a free slot: no need to wait for the next choker round
            }
        } else if (message instanceof PeerMessage.NotInterested) {
            peer.peerInterested = false;
        } else if (message instanceof PeerMessage.Cancel cancel) {
            peer.uploadQueue.remove(new PeerMessage.Request(cancel.piece(), cancel.begin(), cancel.length()));
        } else if (message instanceof PeerMessage.Extended extended) {
            if (extended.id() == 0) {
                int reqq = ExtensionHandshake.reqq(extended.payload());
                if (reqq > 0) {
                    peer.reqq = reqq;
                }
            }
        }
        // KeepAlive and Port need nothing
    }

    private void onBitfield(Peer peer, byte[] bits) {
        int count = meta.pieceCount();
        if (bits.length != (count + 7) / 8 || !Bitfields.spareBitsClear(bits, count)) {
            peer.connection.close("sent a bitfield of the wrong size");
            return;
        }
        picker.peerLeft(peer.has);
        peer.has.clear();
        peer.has.or(Bitfields.fromBytes(bits, count));
        peer.hasCount = peer.has.cardinality();
        picker.peerBitfield(peer.has);
        if (closeIfBothSeeds(peer)) {
            return;
        }
        updateInterest(peer);
    }

    private void onHave(Peer peer, int piece) {
        if (piece < 0 || piece >= meta.pieceCount()) {
            peer.connection.close("announced a piece index out of range (" + piece + ")");
            return;
        }
        if (peer.has.get(piece)) {
            return;
        }
        peer.has.set(piece);
        peer.hasCount++;
        picker.peerHave(piece);
        if (closeIfBothSeeds(peer)) {
            return;
        }
        if (!peer.amInterested && picker.interestedIn(piece)) {
            peer.amInterested = true;
            peer.connection.send(PeerMessage.INTERESTED);
        }
        fillRequests(peer);
    }

    private boolean closeIfBothSeeds(Peer peer) {
        if (peer.isSeed(meta.pieceCount()) && picker.verifiedCount() == meta.pieceCount()) {
            seedAddresses.add(peer.address); // not worth dialling again while we seed
            peer.connection.close("both sides have every piece");
            return true;
        }
        return false;
    }

    private void updateInterest(Peer peer) {
        boolean want = picker.interestedIn(peer.has);
        if (want != peer.amInterested) {
            peer.amInterested = want;
            peer.connection.send(want ? PeerMessage.INTERESTED : PeerMessage.NOT_INTERESTED);
        }
        if (want) {
            fillRequests(peer);
        }
    }

    // ---- downloading -------------------------------------------------------------------------------------

    private void fillAll() {
        for (Peer peer : peers.values()) {
            fillRequests(peer);
        }
    }

    /** Tops up the peer's pipeline, as far as the rate limit and the verification backlog allow. */
    private void fillRequests(Peer peer) {
        if (!transferring() || peer.peerChoking || !peer.amInterested
                || pendingVerifyBytes > MAX_PENDING_VERIFY_BYTES) {
            return;
        }
        int want = peer.targetDepth(System.currentTimeMillis()) - peer.outstanding.size();
        if (want <= 0) {
            return;
        }
        long budget = downloadLimiter.available();
        if (budget <= 0) {
            return; // the tick retries once tokens are back
        }
        if (budget != Long.MAX_VALUE) {
            want = (int) Math.min(want, (budget + PiecePicker.BLOCK_SIZE - 1) / PiecePicker.BLOCK_SIZE);
        }
        List<Block> blocks = picker.pick(peer.has, want, peer::hasOutstanding,
                peer.outstanding.size() < Peer.ENDGAME_IDLE);
        long now = System.nanoTime();
        for (Block block : blocks) {
            downloadLimiter.consume(block.length());
            peer.outstanding.put(block.key(), now);
            peer.connection.send(new PeerMessage.Request(block.piece(), block.begin(), block.length()));
        }
    }

    private void onPiece(Peer peer, PeerMessage.Piece message) {
        int piece = message.piece();
        int begin = message.begin();
        Buffer data = message.data();
        int length = data.length();
        if (piece < 0 || piece >= meta.pieceCount()) {
            peer.connection.close("sent a piece index out of range (" + piece + ")");
            return;
        }
        long key = Block.key(piece, begin);
        boolean requested = peer.outstanding.remove(key) != null;
        long nowMillis = System.currentTimeMillis();
        downloaded += length;
        downloadMeter.add(length, nowMillis);
        peer.downloadMeter.add(length, nowMillis);
        peer.blockReceived(nowMillis);
        int block = begin / PiecePicker.BLOCK_SIZE;
        boolean wellFormed = begin >= 0 && begin % PiecePicker.BLOCK_SIZE == 0 && block < picker.blockCount(piece)
                && length == picker.blockLength(piece, block);
        if (wellFormed && picker.blockNeeded(piece, begin)) {
            byte[] buffer = buffers.computeIfAbsent(piece, p -> new byte[picker.pieceSize(p)]);
            data.getBytes(0, length, buffer, begin);
            contributors.computeIfAbsent(piece, p -> new String[picker.blockCount(p)])[block] = peer.peerIdHex;
            int outstanding = picker.blockReceived(piece, begin);
            if ((requested ? outstanding - 1 : outstanding) > 0) {
                cancelElsewhere(peer, piece, begin, length, key);
            }
            if (picker.pieceComplete(piece)) {
                verify(piece);
            }
        }
        fillRequests(peer);
    }

    /** Endgame: the block came in, so the duplicate requests at other peers are cancelled. */
    private void cancelElsewhere(Peer from, int piece, int begin, int length, long key) {
        for (Peer other : peers.values()) {
            if (other != from && other.outstanding.remove(key) != null) {
                downloadLimiter.giveBack(length);
                other.connection.send(new PeerMessage.Cancel(piece, begin, length));
            }
        }
    }

    /** Gives back the peer's outstanding requests to the picker; {@code cancel} tells the peer too. */
    private void dropRequests(Peer peer, boolean cancel) {
        for (long key : peer.outstanding.keySet()) {
            int piece = (int) (key >>> 32);
            int begin = (int) key * PiecePicker.BLOCK_SIZE;
            if (picker != null) {
                picker.requestDropped(piece, begin);
                downloadLimiter.giveBack(picker.blockLength(piece, begin / PiecePicker.BLOCK_SIZE));
                if (cancel) {
                    peer.connection.send(new PeerMessage.Cancel(piece, begin,
                            picker.blockLength(piece, begin / PiecePicker.BLOCK_SIZE)));
                }
            }
        }
        peer.outstanding.clear();
    }

    /** SHA-1 on the worker pool, then the write on the disk thread; the result comes back to the engine context. */
    private void verify(int piece) {
        byte[] buffer = buffers.remove(piece);
        String[] senders = contributors.remove(piece);
        boolean suspect = bans.suspect(piece);
        int size = buffer.length;
        pendingVerifyBytes += size;
        verifiesInFlight++;
        // block digests only when someone must be judged: a failure, or the pass of a piece that failed before
        vertx.executeBlocking(() -> {
            boolean ok = meta.pieceHashEquals(piece, Sha1.digest(buffer, 0, size));
            return new Checked(ok, ok && !suspect ? null : SuspectBlocks.blockDigests(buffer));
        }, false)
                .compose(checked -> !checked.ok() ? Future.succeededFuture(checked) : disk.executeBlocking(() -> {
                    store.writePiece(piece, buffer, 0);
                    return checked;
                }, true))
                .onComplete(ar -> {
                    pendingVerifyBytes -= size;
                    verifiesInFlight--;
                    if (ar.failed()) {
                        picker.pieceFailed(piece);
                        emit(new TorrentEvent.PieceFailed(piece, "could not write: " + ar.cause().getMessage()));
                        fail("could not write piece " + piece + ": " + ar.cause().getMessage());
                    } else if (ar.result().ok()) {
                        onVerified(piece, senders, ar.result().blockDigests());
                    } else {
                        onHashFailed(piece, senders, ar.result().blockDigests());
                    }
                    if (verifiesInFlight == 0 && drained != null) {
                        drained.tryComplete();
                    }
                    fillAll();
                });
    }

    /** The hash result of a piece, with each block's SHA-1 when someone must be judged (else null). */
    private record Checked(boolean ok, byte[][] blockDigests) {
    }

    private void onVerified(int piece, String[] senders, byte[][] blockDigests) {
        picker.pieceVerified(piece);
        bans.pieceVerified(piece, senders, blockDigests);
        emit(new TorrentEvent.PieceVerified(piece));
        for (Peer peer : new ArrayList<>(peers.values())) {
            if (!peer.has.get(piece)) {
                peer.connection.send(new PeerMessage.Have(piece));
            }
            if (peer.amInterested) {
                updateInterest(peer);
            }
        }
        if (picker.complete()) {
            onComplete();
        }
    }

    private void onHashFailed(int piece, String[] blockSenders, byte[][] blockDigests) {
        picker.pieceFailed(piece);
        String from = bans.describeSenders(blockSenders);
        LOG.warnf("'%s': piece %d failed its hash check (data from %s), downloading it again", meta.name(), piece,
                from);
        emit(new TorrentEvent.PieceFailed(piece, "hash mismatch (data from " + from + ")"));
        bans.pieceFailed(piece, blockSenders, blockDigests);
    }

    private void onComplete() {
        if (completeSignalled) {
            return;
        }
        completeSignalled = true;
        LOG.infof("%s: download complete", meta.name());
        if (!paused && !ERROR.equals(state)) {
            setState(SEEDING);
        }
        emit(new TorrentEvent.Completed());
        if (picker.verifiedCount() == meta.pieceCount()) {
            announcer.completed();
        }
        for (Peer peer : new ArrayList<>(peers.values())) {
            if (!closeIfBothSeeds(peer)) {
                updateInterest(peer);
            }
        }
    }

    // ---- seeding -----------------------------------------------------------------------------------------

    private void onRequest(Peer peer, PeerMessage.Request request) {
        int piece = request.piece();
        if (piece < 0 || piece >= meta.pieceCount() || request.begin() < 0 || request.length() <= 0
                || request.length() > MAX_REQUEST_LENGTH
                || (long) request.begin() + request.length() > picker.pieceSize(piece)) {
            peer.connection.close("requested data outside the torrent");
            return;
        }
        if (!picker.have(piece)) {
            peer.connection.close("requested piece " + piece + " which we do not have");
            return;
        }
        if (peer.amChoking || paused || peer.uploadQueue.size() >= ExtensionHandshake.OUR_REQQ) {
            return; // a request that crossed our choke, or beyond the queue depth we announced
        }
        peer.uploadQueue.add(request);
        pumpUploads(peer);
    }

    /** Reads queued blocks from disk and sends them, within the upload budget and the read cap. */
    private void pumpUploads(Peer peer) {
        while (transferring() && !peer.amChoking && !peer.uploadQueue.isEmpty()
                && readsInFlight < MAX_READS_IN_FLIGHT && peer.readsInFlight < MAX_READS_PER_PEER
                && !peer.connection.writeQueueFull()) {
            PeerMessage.Request request = peer.uploadQueue.peek();
            if (!uploadLimiter.tryAcquire(request.length())) {
                return; // the tick retries once tokens are back
            }
            peer.uploadQueue.poll();
            readsInFlight++;
            peer.readsInFlight++;
            byte[] block = new byte[request.length()];
            disk.executeBlocking(() -> {
                store.readBlock(request.piece(), request.begin(), request.length(), block, 0);
                return block;
            }, true).onComplete(ar -> {
                readsInFlight--;
                peer.readsInFlight--;
                if (ar.failed()) {
                    LOG.warnf("%s: could not read piece %d for upload: %s", meta.name(), request.piece(),
                            ar.cause().getMessage());
                    uploadLimiter.giveBack(request.length());
                } else if (peers.get(peer.address) == peer && !peer.amChoking && transferring()) {
                    peer.connection.send(new PeerMessage.Piece(request.piece(), request.begin(),
                            Buffer.buffer(block)));
                    long nowMillis = System.currentTimeMillis();
                    uploaded += block.length;
                    uploadMeter.add(block.length, nowMillis);
                    peer.uploadMeter.add(block.length, nowMillis);
                }
                pumpUploads(peer);
            });
        }
    }

    private int unchokedCount() {
        int n = 0;
        for (Peer peer : peers.values()) {
            if (!peer.amChoking) {
                n++;
            }
        }
        return n;
    }

    private void unchoke(Peer peer) {
        if (peer.amChoking) {
            peer.amChoking = false;
            peer.connection.send(PeerMessage.UNCHOKE);
        }
    }

    private void choke(Peer peer) {
        if (!peer.amChoking) {
            peer.amChoking = true;
            peer.uploadQueue.clear();
            peer.connection.send(PeerMessage.CHOKE);
        }
    }

    private int chokeRounds;

    private void chokeRound(boolean rotate) {
        if (!transferring()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<Choker.PeerStat<Peer>> stats = new ArrayList<>(peers.size());
        for (Peer peer : peers.values()) {
            stats.add(new Choker.PeerStat<>(peer, peer.peerInterested, peer.downloadMeter.rate(now),
                    peer.uploadMeter.rate(now), peer.snubbed));
        }
        Choker.Decision<Peer> decision = Choker.decide(stats, picker.complete(), Choker.REGULAR_SLOTS, optimistic,
                rotate, random);
        optimistic = decision.optimistic();
        for (Peer peer : peers.values()) {
            if (decision.unchoke().contains(peer)) {
                unchoke(peer);
            } else {
                choke(peer);
            }
        }
    }

    // ---- timers ------------------------------------------------------------------------------------------

    private void tick() {
        if (!running()) {
            return;
        }
        ticks++;
        if (settings.downloadLimit() > 0 || downloadLimiter.available() != Long.MAX_VALUE) {
            fillAll();
        }
        for (Peer peer : peers.values()) {
            if (!peer.uploadQueue.isEmpty()) {
                pumpUploads(peer);
            }
        }
        if (ticks % (1000 / TICK_MILLIS) == 0) {
            everySecond();
        }
        if (ticks % (Choker.ROUND_MILLIS / TICK_MILLIS) == 0) {
            chokeRounds++;
            chokeRound(chokeRounds % Choker.ROUNDS_PER_OPTIMISTIC == 0);
        }
    }

    private void everySecond() {
        long deadline = System.nanoTime() - REQUEST_TIMEOUT.toNanos();
        boolean freed = false;
        for (Peer peer : peers.values()) {
            int expired = peer.expireRequests(deadline, key -> {
                int piece = (int) (key >>> 32);
                int begin = (int) key * PiecePicker.BLOCK_SIZE;
                picker.requestDropped(piece, begin);
                downloadLimiter.giveBack(picker.blockLength(piece, begin / PiecePicker.BLOCK_SIZE));
                peer.connection.send(new PeerMessage.Cancel(piece, begin,
                        picker.blockLength(piece, begin / PiecePicker.BLOCK_SIZE)));
            });
            if (expired > 0) {
                LOG.debugf("%s: %d requests to %s timed out; the peer is snubbed", meta.name(), expired,
                        peer.address);
                peer.snubbed = true;
                peer.endSlowStart();
                freed = true;
            }
        }
        if (freed) {
            fillAll();
        }
        connectMore();
        if (peers.isEmpty() && connecting.isEmpty() && !picker.complete() && !paused
                && System.nanoTime() - lastLonelyAnnounceNanos > LONELY_REANNOUNCE.toNanos()) {
            // nobody to download from: ask the trackers again (they may know new peers by now)
            lastLonelyAnnounceNanos = System.nanoTime();
            announcer.reannounce();
        }
        latest = buildSnapshot();
    }

    // ---- snapshot ----------------------------------------------------------------------------------------

    private SessionSnapshot buildSnapshot() {
        long now = System.currentTimeMillis();
        long downRate = downloadMeter.rate(now);
        long upRate = uploadMeter.rate(now);
        long left = picker != null ? picker.bytesLeft() : meta.totalLength();
        BitSet verified = picker != null ? picker.verified()
                : resumeVerified != null ? resumeVerified : new BitSet();
        int seeds = 0;
        for (Peer peer : peers.values()) {
            if (peer.isSeed(meta.pieceCount())) {
                seeds++;
            }
        }
        Set<String> knownOrConnected = new HashSet<>(known.keySet());
        knownOrConnected.addAll(peers.keySet());
        long eta = left == 0 ? 0 : downRate > 0 ? (left + downRate - 1) / downRate : -1;
        return new SessionSnapshot(state, error, verified, left, downloaded, uploaded, downRate, upRate,
                peers.size(), knownOrConnected.size(), seeds, announcer.statuses(), eta);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

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
}
