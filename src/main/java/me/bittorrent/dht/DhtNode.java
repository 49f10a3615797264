package me.bittorrent.dht;

import io.vertx.core.CompositeFuture;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import me.bittorrent.metainfo.InfoHash;
import org.jboss.logging.Logger;

/**
 * A BEP 5 DHT node. It does no socket I/O of its own: it sends through a {@link PacketSender} and is fed the
 * packets that arrive ({@link #handlePacket}), so the engine can run it on the peer port's UDP socket beside uTP
 * (a KRPC packet starts with 'd'). {@link #bind} gives it a socket of its own instead.
 *
 * <p>All state lives on one Vert.x context (the one current at construction, or a new one): public methods hop
 * onto it, so callers on any thread are safe and nothing needs a lock.
 */
public final class DhtNode {

    private static final Logger LOG = Logger.getLogger(DhtNode.class);
    static final int MAX_PENDING = 1024;
    static final int MAX_VALUES_ANSWERED = 50;
    static final int MAX_SAVED = 200;
    private static final long MAINTENANCE_MS = 60_000;
    /** A join that found nobody is tried again after 5 s, then 10, 20, 40, then at each maintenance. */
    static final long FIRST_REJOIN_MS = 5_000;

    /** Sends one UDP payload. */
    @FunctionalInterface
    public interface PacketSender {
        void send(Buffer packet, InetSocketAddress to);
    }

    private record Pending(InetSocketAddress to, Promise<KrpcMessage.Response> promise, long timer) {
    }

    private final Vertx vertx;
    private final Context context;
    private final DhtConfig config;
    private final PacketSender sender;
    private final SecureRandom random = new SecureRandom();
    private final KrpcCodec codec = new KrpcCodec();
    private final NodeId id;
    private final RoutingTable table;
    private final TokenSecrets tokens;
    private final PeerStore store;
    private final PacketRateLimit rateLimit;
    private final List<Contact> savedNodes;

    // confined to context
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final Set<InetSocketAddress> verifying = new HashSet<>();
    private int nextTid = new SecureRandom().nextInt(1 << 16);
    private long maintenanceTimer = -1;
    private long rejoinTimer = -1;
    private long rejoinDelayMs = FIRST_REJOIN_MS;
    private Future<Void> joining;
    private long malformed;
    private long answered;
    private boolean stopped;
    private boolean emptyJoinLogged;
    private Future<Void> started;
    private Runnable onStop = () -> { };
    private volatile int boundPort = -1;
    private volatile DhtStats stats = new DhtStats(0, 0, 0, 0, 0);
    /** Info-hashes we sent get_peers or announce_peer for (the newest {@link #MAX_QUERIED_HASHES}): a log. */
    private final Set<NodeId> queriedHashes = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Boolean> eldest) {
            return size() > MAX_QUERIED_HASHES;
        }
    });
    static final int MAX_QUERIED_HASHES = 4096;

    public DhtNode(Vertx vertx, DhtConfig config, PacketSender sender) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.config = config;
        this.sender = sender;
        var saved = config.stateFile() == null ? java.util.Optional.<RoutingTableFile.Saved>empty()
                : RoutingTableFile.load(config.stateFile());
        this.id = saved.map(RoutingTableFile.Saved::id).orElseGet(() -> NodeId.random(random));
        this.savedNodes = saved.map(RoutingTableFile.Saved::nodes).orElse(List.of());
        this.table = new RoutingTable(id, System::nanoTime);
        this.tokens = new TokenSecrets(random, System::nanoTime, config.tokenRotation().toNanos());
        this.store = new PeerStore(config.maxPeersPerHash(), config.maxHashes(), config.maxStoredPeers(),
                30L * 60 * 1_000_000_000L, System::nanoTime);
        this.rateLimit = new PacketRateLimit(config.packetsPerSecond(), config.packetsPerAddress(), System::nanoTime);
    }

    /** A node on a UDP socket of its own at {@code host:port} (port 0 picks one), started. */
    public static Future<DhtNode> bind(Vertx vertx, String host, int port, DhtConfig config) {
        Context ctx = vertx.getOrCreateContext();
        Promise<DhtNode> result = Promise.promise();
        ctx.runOnContext(v -> {
            DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions());
            DhtNode node = new DhtNode(vertx, config,
                    (packet, to) -> socket.send(packet, to.getPort(), to.getAddress().getHostAddress()));
            node.onStop = socket::close;
            socket.handler(p -> {
                InetSocketAddress from = address(p.sender().hostAddress(), p.sender().port());
                if (from != null) {
                    node.handlePacket(p.data(), from);
                }
            });
            socket.listen(port, host).compose(s -> {
                node.boundPort = s.localAddress().port();
                return node.start();
            }).map(node).onComplete(result);
        });
        return result.future();
    }

    /** The UDP port of the node's own socket ({@link #bind}), or -1 when it shares another socket. */
    public int port() {
        return boundPort;
    }

    public NodeId id() {
        return id;
    }

    /** Figures for /status and /health; safe from any thread. */
    public DhtStats stats() {
        return stats;
    }

    /** The routing table's nodes, closest to our id first (a copy, taken on the node's context). */
    public Future<List<Contact>> nodes() {
        return onContext(() -> Future.succeededFuture(table.closest(id, Integer.MAX_VALUE)));
    }

    /** Good and questionable nodes in the routing table; safe from any thread. */
    public int nodeCount() {
        return stats.nodes();
    }

    /**
     * Joins the DHT: asks the saved nodes and the bootstrap nodes, then looks up our own id to fill the table.
     * Completes when that first lookup ends (also when nobody answered: maintenance keeps retrying).
     */
    public Future<Void> start() {
        return onContext(() -> {
            if (started == null) {
                started = bootstrap().onComplete(ar -> {
                    if (!stopped) {
                        maintenanceTimer = vertx.setPeriodic(Math.min(MAINTENANCE_MS,
                                config.refreshInterval().toMillis()), t -> maintain());
                    }
                });
            }
            return started;
        });
    }

    /** Stops timers, fails pending queries, saves the routing table, closes an own socket. */
    public Future<Void> stop() {
        return onContext(() -> {
            stopped = true;
            if (maintenanceTimer >= 0) {
                vertx.cancelTimer(maintenanceTimer);
            }
            if (rejoinTimer >= 0) {
                vertx.cancelTimer(rejoinTimer);
            }
            for (Pending p : new ArrayList<>(pending.values())) {
                vertx.cancelTimer(p.timer);
                p.promise.tryFail("DHT node stopped");
            }
            pending.clear();
            save();
            onStop.run();
            return Future.succeededFuture();
        });
    }

    /**
     * Iterative get_peers for {@code infoHash}: {@code onPeer} sees each new peer as answers arrive (on the
     * node's context); the future gives them all when the lookup has converged.
     */
    public Future<Set<InetSocketAddress>> getPeers(InfoHash infoHash, Consumer<InetSocketAddress> onPeer) {
        NodeId target = new NodeId(infoHash.bytes());
        return onContext(() -> joined().compose(v -> lookup(target, true, onPeer)).map(Lookup::peers));
    }

    /**
     * Announces that we have {@code infoHash} on TCP {@code port}: a get_peers lookup, then announce_peer with
     * each token to the (up to 8) closest nodes. Completes with how many accepted.
     */
    public Future<Integer> announce(InfoHash infoHash, int port) {
        return announce(infoHash, port, p -> { });
    }

    /** {@link #announce(InfoHash, int)} that also hands each peer its get_peers lookup finds to {@code onPeer}. */
    public Future<Integer> announce(InfoHash infoHash, int port, Consumer<InetSocketAddress> onPeer) {
        NodeId target = new NodeId(infoHash.bytes());
        return onContext(() -> joined().compose(v -> lookup(target, true, onPeer)).compose(l -> {
            List<Future<KrpcMessage.Response>> acks = new ArrayList<>();
            for (Lookup.Candidate c : l.closestWithTokens()) {
                acks.add(query(c.contact.address(),
                        tid -> new KrpcMessage.AnnouncePeer(tid, id, target, port, c.token, false)));
            }
            return Future.join(new ArrayList<>(acks)).transform(ar -> Future.succeededFuture(
                    (int) acks.stream().filter(Future::succeeded).count()));
        }));
    }

    /**
     * A node learned out of band (a peer's BEP 5 PORT message, a user): pinged, and it enters the table if it
     * answers. When the table was empty, a lookup of our own id follows, so the node joins through it.
     */
    public Future<Void> addNode(InetSocketAddress address) {
        return onContext(() -> {
            if (stopped || !(address.getAddress() instanceof Inet4Address) || address.getPort() <= 0) {
                return Future.succeededFuture();
            }
            boolean wasEmpty = table.size() == 0;
            return query(address, tid -> new KrpcMessage.Ping(tid, id)).compose(r -> wasEmpty
                    ? lookup(id, false, p -> { }).<Void>mapEmpty() : Future.<Void>succeededFuture())
                    .otherwiseEmpty().onComplete(ar -> updateStats());
        });
    }

    /** True when this node has sent get_peers or announce_peer for {@code infoHash} (among the newest 4096). */
    public Future<Boolean> queried(InfoHash infoHash) {
        return onContext(() -> Future.succeededFuture(queriedHashes.contains(new NodeId(infoHash.bytes()))));
    }

    /** Peers other nodes announced to this one for {@code infoHash} (what a get_peers to us answers). */
    public Future<List<InetSocketAddress>> storedPeers(InfoHash infoHash) {
        return onContext(() -> Future.succeededFuture(store.get(new NodeId(infoHash.bytes()), MAX_VALUES_ANSWERED)));
    }

    /** One incoming UDP payload. Safe from any thread. */
    public void handlePacket(Buffer data, InetSocketAddress from) {
        if (Vertx.currentContext() != context) {
            context.runOnContext(v -> handlePacket(data, from));
            return;
        }
        if (stopped || !(from.getAddress() instanceof Inet4Address)) {
            return;
        }
        if (!rateLimit.allow(from.getAddress())) {
            updateStats();
            return;
        }
        KrpcMessage message;
        try {
            message = codec.decode(data.getBytes());
        } catch (KrpcException e) {
            malformed++;
            LOG.debugf("DHT: dropped a packet from %s: %s", from, e.getMessage());
            updateStats();
            return;
        }
        if (message instanceof KrpcMessage.Query q) {
            answer(q, from);
        } else {
            Pending p = pending.remove(tid(message.tid()));
            if (p == null || !p.to.equals(from)) {
                if (p != null) {
                    pending.put(tid(message.tid()), p); // not the node we asked: keep waiting for it
                }
                return;
            }
            vertx.cancelTimer(p.timer);
            if (message instanceof KrpcMessage.Response r) {
                table.responded(new Contact(r.id(), from));
                p.promise.tryComplete(r);
            } else {
                KrpcMessage.Error e = (KrpcMessage.Error) message;
                p.promise.tryFail("KRPC error " + e.code() + ": " + e.message());
            }
        }
        updateStats();
    }

    private void answer(KrpcMessage.Query q, InetSocketAddress from) {
        Contact asker = new Contact(q.id(), from);
        if (table.state(q.id()) == null && table.wouldAccept(q.id()) && verifying.size() < 64
                && verifying.add(from)) {
            // only nodes that answer us enter the table: ping this one
            query(from, tid -> new KrpcMessage.Ping(tid, id)).onComplete(ar -> verifying.remove(from));
        }
        KrpcMessage reply;
        if (q instanceof KrpcMessage.Ping) {
            reply = new KrpcMessage.Response(q.tid(), id, List.of(), List.of(), null);
        } else if (q instanceof KrpcMessage.FindNode f) {
            reply = new KrpcMessage.Response(q.tid(), id, closestExcept(f.target(), asker), List.of(), null);
        } else if (q instanceof KrpcMessage.GetPeers g) {
            reply = new KrpcMessage.Response(q.tid(), id, closestExcept(g.infoHash(), asker),
                    store.get(g.infoHash(), MAX_VALUES_ANSWERED), tokens.token(from.getAddress()));
        } else if (q instanceof KrpcMessage.AnnouncePeer a) {
            if (!tokens.valid(a.token(), from.getAddress())) {
                reply = new KrpcMessage.Error(q.tid(), 203, "bad token");
            } else {
                store.add(a.infoHash(), new InetSocketAddress(from.getAddress(),
                        a.impliedPort() ? from.getPort() : a.port()));
                reply = new KrpcMessage.Response(q.tid(), id, List.of(), List.of(), null);
            }
        } else {
            reply = new KrpcMessage.Error(q.tid(), 204, "Method Unknown");
        }
        answered++;
        sender.send(Buffer.buffer(codec.encode(reply)), from);
    }

    private List<Contact> closestExcept(NodeId target, Contact asker) {
        return table.closest(target, RoutingTable.K + 1).stream()
                .filter(c -> !c.address().equals(asker.address())).limit(RoutingTable.K).toList();
    }

    /** Sends a query; the future fails on timeout, a KRPC error, or too many queries pending. */
    Future<KrpcMessage.Response> query(InetSocketAddress to, Function<byte[], KrpcMessage.Query> make) {
        if (stopped) {
            return Future.failedFuture("DHT node stopped");
        }
        if (pending.size() >= MAX_PENDING) {
            return Future.failedFuture("too many DHT queries pending");
        }
        int t;
        do {
            t = nextTid = (nextTid + 1) & 0xffff;
        } while (pending.containsKey(t));
        int tid = t;
        Promise<KrpcMessage.Response> promise = Promise.promise();
        long timer = vertx.setTimer(config.queryTimeout().toMillis(), x -> {
            if (pending.remove(tid) != null) {
                table.failed(to);
                promise.tryFail("no answer from " + to);
                updateStats();
            }
        });
        pending.put(tid, new Pending(to, promise, timer));
        KrpcMessage.Query q = make.apply(new byte[] {(byte) (tid >> 8), (byte) tid});
        if (q instanceof KrpcMessage.GetPeers g) {
            queriedHashes.add(g.infoHash());
        } else if (q instanceof KrpcMessage.AnnouncePeer a) {
            queriedHashes.add(a.infoHash());
        }
        sender.send(Buffer.buffer(codec.encode(q)), to);
        return promise.future();
    }

    private Future<Lookup> lookup(NodeId target, boolean getPeers, Consumer<InetSocketAddress> onPeer) {
        Lookup l = new Lookup(target, config.alpha(), table.closest(target, RoutingTable.K * 2));
        if (getPeers) {
            // peers announced to our own node count too (as in Transmission's DHT): in a small swarm we may be the
            // closest node, the only one a seeder that bootstrapped from us ever announced to
            l.known(store.get(target, MAX_VALUES_ANSWERED)).forEach(onPeer);
        }
        return lookup(l, getPeers, onPeer);
    }

    private Future<Lookup> lookup(Lookup lookup, boolean getPeers, Consumer<InetSocketAddress> onPeer) {
        Promise<Lookup> done = Promise.promise();
        step(lookup, getPeers, onPeer, done);
        return done.future();
    }

    private void step(Lookup l, boolean getPeers, Consumer<InetSocketAddress> onPeer, Promise<Lookup> done) {
        for (Contact c : l.next()) {
            query(c.address(), tid -> getPeers ? new KrpcMessage.GetPeers(tid, id, l.target())
                    : new KrpcMessage.FindNode(tid, id, l.target())).onComplete(ar -> {
                        if (ar.succeeded()) {
                            KrpcMessage.Response r = ar.result();
                            l.answered(c, r.nodes(), r.values(), r.token()).forEach(onPeer);
                        } else {
                            l.failed(c);
                        }
                        step(l, getPeers, onPeer, done);
                    });
        }
        if (l.done()) {
            done.tryComplete(l);
        }
    }

    /**
     * Saved nodes and bootstrap nodes, then a lookup of our own id. One join at a time; one that ends with an
     * empty table (a lost packet, a network not up yet) is tried again soon, backing off to the maintenance
     * interval, rather than a minute later.
     */
    private Future<Void> bootstrap() {
        if (joining != null) {
            return joining;
        }
        Future<Void> attempt = join();
        joining = attempt;
        attempt.onComplete(ar -> {
            joining = null;
            if (table.size() > 0) {
                rejoinDelayMs = FIRST_REJOIN_MS;
            } else if (!stopped && rejoinTimer < 0) {
                rejoinTimer = vertx.setTimer(rejoinDelayMs, t -> {
                    rejoinTimer = -1;
                    if (!stopped && table.size() == 0) {
                        bootstrap();
                    }
                });
                rejoinDelayMs = Math.min(2 * rejoinDelayMs, MAINTENANCE_MS);
            }
        });
        return attempt;
    }

    private Future<Void> join() {
        return vertx.executeBlocking(() -> resolve(config.bootstrap()), false).compose(routers -> {
            List<Future<KrpcMessage.Response>> asked = new ArrayList<>();
            Set<Contact> heard = new LinkedHashSet<>();
            for (Contact c : savedNodes) {
                asked.add(query(c.address(), tid -> new KrpcMessage.Ping(tid, id)));
            }
            for (InetSocketAddress r : routers) {
                asked.add(query(r, tid -> new KrpcMessage.FindNode(tid, id, id))
                        .onSuccess(resp -> heard.addAll(resp.nodes())));
            }
            return Future.join(new ArrayList<>(asked)).transform(ar -> {
                List<Contact> start = new ArrayList<>(table.closest(id, RoutingTable.K * 2));
                start.addAll(heard);
                return lookup(new Lookup(id, config.alpha(), start), false, p -> { });
            });
        }).transform(ar -> {
            updateStats();
            // an empty table joins again and again: say so once, not at every attempt
            if (table.size() > 0 || !emptyJoinLogged) {
                LOG.infof("DHT: node %s joined with %d nodes in its table", id, table.size());
            }
            emptyJoinLogged = table.size() == 0;
            return Future.succeededFuture();
        });
    }

    private Future<Void> joined() {
        return started == null ? start() : started;
    }

    /** Bucket refresh, questionable nodes pinged, bootstrap again when the table emptied, table saved. */
    private void maintain() {
        store.expireAll(System.nanoTime());
        if (table.size() == 0) {
            if (rejoinTimer < 0) {
                bootstrap();
            }
            return;
        }
        for (NodeId target : table.refreshTargets(config.refreshInterval().toNanos(), random)) {
            lookup(target, false, p -> { });
        }
        table.questionable().stream().limit(16).forEach(c -> query(c.address(), tid -> new KrpcMessage.Ping(tid, id)));
        if (config.stateFile() != null) {
            List<Contact> snapshot = table.closest(id, MAX_SAVED);
            vertx.executeBlocking(() -> {
                writeTable(snapshot);
                return null;
            }, false);
        }
    }

    /** On stop: small enough (at most 200 x 26 bytes) to write on the context. */
    private void save() {
        if (config.stateFile() != null) {
            writeTable(table.closest(id, MAX_SAVED));
        }
    }

    private void writeTable(List<Contact> nodes) {
        try {
            RoutingTableFile.save(config.stateFile(), id, nodes);
        } catch (IOException e) {
            LOG.warnf("DHT: could not save the routing table to %s: %s", config.stateFile(), e.getMessage());
        }
    }

    private void updateStats() {
        stats = new DhtStats(table.size(), store.total(), rateLimit.dropped(), malformed, answered);
    }

    private <T> Future<T> onContext(Supplier<Future<T>> action) {
        if (Vertx.currentContext() == context) {
            return action.get();
        }
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> action.get().onComplete(p));
        return p.future();
    }

    private static int tid(byte[] t) {
        return t.length == 2 ? (t[0] & 0xff) << 8 | (t[1] & 0xff) : -1;
    }

    private static List<InetSocketAddress> resolve(List<String> hostPorts) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String hp : hostPorts) {
            int colon = hp.lastIndexOf(':');
            try {
                int port = Integer.parseInt(hp.substring(colon + 1));
                for (InetAddress a : InetAddress.getAllByName(hp.substring(0, colon))) {
                    if (a instanceof Inet4Address) {
                        out.add(new InetSocketAddress(a, port));
                        break;
                    }
                }
            } catch (UnknownHostException | NumberFormatException | StringIndexOutOfBoundsException e) {
                LOG.warnf("DHT: bootstrap node '%s' skipped: %s", hp, e.getMessage());
            }
        }
        return out;
    }

    private static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port); // an IP literal: no DNS lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
