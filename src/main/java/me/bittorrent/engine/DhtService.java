package me.bittorrent.engine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
import me.bittorrent.dht.DhtConfig;
import me.bittorrent.dht.DhtNode;
import me.bittorrent.dht.DhtStats;
import me.bittorrent.engine.session.DhtLink;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.state.TorrentRepository;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The service's DHT node (BEP 5) on the peer port's UDP socket (the same number as the TCP listener), and the
 * torrents that use it: each tracked torrent does get_peers + announce_peer (our TCP peer port) at start and every
 * 15 minutes (every minute while its last lookup found nobody), and the peers found go to the torrent through the
 * same entry point trackers use. Works from an info-hash alone (a magnet without metadata yet).
 *
 * <p>The socket is ours alone today; packets that are not bencoded dictionaries (first byte 'd') are dropped, so
 * uTP or a UDP tracker client can later share it by demultiplexing on that byte. On/off: {@code BT_DHT=off} is a
 * hard off (no socket at all, the preference cannot turn it on); otherwise the {@code dht} preference switches it
 * live. Private torrents (BEP 27) are never tracked: {@link SessionRunner} does not call {@link #track} for them.
 *
 * <p>Confinement: every mutable field lives on this service's own Vert.x context (the node's too); public methods
 * hop onto it. The figures for /health and metrics are volatile values.
 */
@ApplicationScoped
public class DhtService {

    private static final Logger LOG = Logger.getLogger(DhtService.class);
    static final long ANNOUNCE_MILLIS = 15 * 60_000L;
    /** A torrent whose last lookup found no peer asks again this soon (a trackerless torrent has nothing else). */
    static final long LONELY_MILLIS = 60_000L;
    static final String TABLE_FILE = "dht-routing-table.dat";

    /**
     * The DHT as /health shows it. {@code error} says why the UDP socket could not be opened, else null;
     * {@code portMessages} counts the peers' BEP 5 PORT messages whose node we asked.
     */
    public record Status(boolean enabled, boolean running, int port, int nodes, int storedPeers, long answered,
            long malformed, long rateLimited, String error, long portMessages) {
    }

    /** One torrent using the DHT; fields on the service's context. */
    private static final class Tracked {
        final InfoHash hash;
        final IntSupplier tcpPort;
        final ObjIntConsumer<String> onPeer;
        long timer = -1;
        boolean inFlight;

        Tracked(InfoHash hash, IntSupplier tcpPort, ObjIntConsumer<String> onPeer) {
            this.hash = hash;
            this.tcpPort = tcpPort;
            this.onPeer = onPeer;
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final DhtConfig config;
    private final boolean allowed;
    // confined to context
    private final Map<InfoHash, Tracked> tracked = new HashMap<>();
    private boolean wanted;
    private String host;
    private int requestedPort = -1;
    private DatagramSocket socket;
    private DhtNode node;
    // read from any thread
    private volatile DhtNode liveNode;
    private volatile int port;
    private volatile boolean enabled;
    private volatile String problem;
    /**
     * The gauge, removed at shutdown: a registry that outlives this bean (the global one in tests that restart
     * the application) would otherwise keep answering with a stopped node's count.
     */
    private MeterRegistry meters;
    private Gauge gauge;
    private final java.util.concurrent.atomic.AtomicLong portMessages = new java.util.concurrent.atomic.AtomicLong();

    @Inject
    public DhtService(Vertx vertx, TorrentRepository repository, MeterRegistry meters,
            @ConfigProperty(name = "bt.dht", defaultValue = "true") boolean allowed,
            @ConfigProperty(name = "bt.dht-bootstrap") Optional<List<String>> bootstrap) {
        // "none" (or an empty value) asks no bootstrap node: the saved table, PORT messages and peers only
        this(vertx, DhtConfig.defaults().withBootstrap(bootstrap.orElse(List.of()).stream().map(String::trim)
                .filter(b -> !b.isEmpty() && !b.equalsIgnoreCase("none")).toList())
                .withStateFile(repository.stateDir().resolve(TABLE_FILE)), allowed);
        this.meters = meters;
        this.gauge = Gauge.builder("bittorrent.dht.nodes", this, s -> s.status().nodes())
                .description("Nodes in the DHT routing table (0 while the DHT is off)").register(meters);
        if (!allowed) {
            LOG.info("DHT is off (BT_DHT=off): torrents find peers through their trackers only");
        }
    }

    DhtService(Vertx vertx, DhtConfig config, boolean allowed) {
        this.vertx = vertx;
        // a context of its own (taken on a thread that is not Vert.x's): DHT traffic never waits for torrents
        this.context = CompletableFuture.supplyAsync(vertx::getOrCreateContext).join();
        this.config = config;
        this.allowed = allowed;
    }

    /** BT_DHT allows the DHT (false: BT_DHT=off, it never runs). */
    public boolean allowed() {
        return allowed;
    }

    /**
     * Opens the node on UDP {@code host:port} when {@code on} (and BT_DHT allows it), closes it otherwise; a new
     * port moves it. Called at start with the bound peer port, and on every change of the settings.
     */
    public Future<Void> apply(String bindHost, int peerPort, boolean on) {
        return onContext(() -> {
            boolean want = on && allowed;
            boolean moved = peerPort != requestedPort || !bindHost.equals(host);
            boolean first = requestedPort < 0;
            host = bindHost;
            requestedPort = peerPort;
            if (want == wanted && !(want && moved)) {
                return Future.succeededFuture();
            }
            if (first && !want && allowed) {
                LOG.info("DHT is off (switched off in the settings)");
            }
            if (want != wanted && !first) {
                LOG.infof("DHT switched %s", want ? "on" : "off");
            }
            wanted = want;
            enabled = want;
            return close().compose(v -> want ? open() : Future.succeededFuture());
        });
    }

    /** Closes the node (the routing table is saved); for shutdown. */
    public Future<Void> shutdown() {
        if (meters != null && gauge != null) {
            meters.remove(gauge);
        }
        return onContext(() -> {
            wanted = false;
            enabled = false;
            return close();
        });
    }

    /**
     * The torrent {@code hash} uses the DHT from now on (until {@link #untrack}): lookups at once (when the node
     * runs) and then on the schedule; each peer found goes to {@code onPeer} (host, port) on the service's context.
     */
    public void track(InfoHash hash, IntSupplier tcpPort, ObjIntConsumer<String> onPeer) {
        context.runOnContext(v -> {
            Tracked old = tracked.put(hash, new Tracked(hash, tcpPort, onPeer));
            if (old != null && old.timer >= 0) {
                vertx.cancelTimer(old.timer);
            }
            schedule(tracked.get(hash), 0);
        });
    }

    public void untrack(InfoHash hash) {
        context.runOnContext(v -> {
            Tracked t = tracked.remove(hash);
            if (t != null && t.timer >= 0) {
                vertx.cancelTimer(t.timer);
            }
        });
    }

    /** What a (public) torrent's session needs: our DHT port while the node runs, and nodes from PORT messages. */
    public DhtLink link() {
        return new DhtLink() {
            @Override
            public int port() {
                return liveNode != null ? port : 0;
            }

            @Override
            public void nodeSeen(String peerHost, int peerDhtPort) {
                addNode(peerHost, peerDhtPort);
            }
        };
    }

    /** A node to ask (an IP literal and a UDP port): a peer's PORT message, or a user. Ignored while off. */
    public void addNode(String ip, int udpPort) {
        InetSocketAddress address = literal(ip, udpPort);
        if (address == null) {
            return;
        }
        context.runOnContext(v -> {
            if (node != null) {
                portMessages.incrementAndGet();
                node.addNode(address);
            }
        });
    }

    /** True when our node has sent get_peers or announce_peer for {@code hash} since it last opened (a log). */
    public Future<Boolean> queried(InfoHash hash) {
        return onContext(() -> node == null ? Future.succeededFuture(false) : node.queried(hash));
    }

    /** Peers ("ip:port") other nodes announced to our node for {@code hash}; empty while the node is off. */
    public Future<List<String>> storedPeers(InfoHash hash) {
        return onContext(() -> node == null ? Future.succeededFuture(List.<String>of())
                : node.storedPeers(hash).map(l -> l.stream()
                        .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList()));
    }

    /** Our node's id in hex while it runs, else null. */
    public String nodeId() {
        DhtNode n = liveNode;
        return n == null ? null : new InfoHash(n.id().bytes()).hex();
    }

    public Status status() {
        DhtNode n = liveNode;
        DhtStats s = n == null ? new DhtStats(0, 0, 0, 0, 0) : n.stats();
        return new Status(enabled, n != null, n != null ? port : 0, s.nodes(), s.storedPeers(), s.answered(),
                s.malformed(), s.rateLimited(), problem, portMessages.get());
    }

    // ---- service context ---------------------------------------------------------------------------------

    private Future<Void> open() {
        DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions());
        DhtNode n = new DhtNode(vertx, config, (packet, to) -> s.send(packet, to.getPort(),
                to.getAddress().getHostAddress()));
        s.handler(p -> {
            Buffer data = p.data();
            // KRPC is a bencoded dictionary: anything else belongs to another protocol on this socket (or nobody)
            if (data.length() > 0 && data.getByte(0) == 'd') {
                InetSocketAddress from = literal(p.sender().hostAddress(), p.sender().port());
                if (from != null) {
                    n.handlePacket(data, from);
                }
            }
        });
        int wantedPort = requestedPort;
        return s.listen(wantedPort, host).compose(bound -> {
            if (!wanted || wantedPort != requestedPort) { // switched off or moved while binding
                s.close();
                return n.stop();
            }
            socket = s;
            node = n;
            port = bound.localAddress().port();
            problem = null;
            liveNode = n;
            LOG.infof("DHT node listening on UDP %s:%d (%d bootstrap node(s))", host, port, config.bootstrap().size());
            n.start();
            tracked.values().forEach(t -> schedule(t, 0));
            return Future.<Void>succeededFuture();
        }).recover(e -> {
            problem = "Cannot open the DHT on UDP " + host + ":" + wantedPort + ": " + e.getMessage()
                    + "; torrents find peers through their trackers only";
            LOG.error(problem);
            s.close();
            return Future.succeededFuture();
        });
    }

    private Future<Void> close() {
        for (Tracked t : tracked.values()) {
            if (t.timer >= 0) {
                vertx.cancelTimer(t.timer);
                t.timer = -1;
            }
        }
        DhtNode n = node;
        DatagramSocket s = socket;
        node = null;
        socket = null;
        liveNode = null;
        port = 0;
        if (n == null) {
            return Future.succeededFuture();
        }
        return n.stop().eventually(() -> s.close()).otherwiseEmpty()
                .onComplete(ar -> LOG.info("DHT node closed; its routing table is saved"));
    }

    private void schedule(Tracked t, long delayMillis) {
        if (node == null || t.timer >= 0 || t.inFlight) {
            return;
        }
        if (delayMillis == 0) {
            round(t);
        } else {
            // on a whole second of the monotonic clock: the lookups of many torrents wake the loop together
            long nowMillis = Math.floorDiv(System.nanoTime(), 1_000_000L);
            long millis = delayMillis + 1000 - Math.floorMod(nowMillis + delayMillis, 1000L);
            t.timer = vertx.setTimer(millis, id -> {
                t.timer = -1;
                round(t);
            });
        }
    }

    /** One get_peers lookup, then announce_peer with our TCP port to the closest nodes that gave a token. */
    private void round(Tracked t) {
        DhtNode n = node;
        if (n == null || tracked.get(t.hash) != t) {
            return;
        }
        t.inFlight = true;
        int[] found = {0};
        int tcp = t.tcpPort.getAsInt();
        Future<?> lookup = tcp > 0
                ? n.announce(t.hash, tcp, peer -> {
                    found[0]++;
                    t.onPeer.accept(peer.getAddress().getHostAddress(), peer.getPort());
                })
                : n.getPeers(t.hash, peer -> {
                    found[0]++;
                    t.onPeer.accept(peer.getAddress().getHostAddress(), peer.getPort());
                });
        lookup.onComplete(ar -> {
            t.inFlight = false;
            LOG.debugf("DHT lookup of %s: %d peer(s)%s", t.hash.hex(), found[0],
                    ar.succeeded() ? "" : " (" + ar.cause().getMessage() + ")");
            if (node == n && tracked.get(t.hash) == t) {
                schedule(t, found[0] > 0 ? ANNOUNCE_MILLIS : LONELY_MILLIS);
            }
        });
    }

    private <T> Future<T> onContext(Supplier<Future<T>> action) {
        if (Vertx.currentContext() == context) {
            return action.get();
        }
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> action.get().onComplete(p));
        return p.future();
    }

    /** An address from an IP literal (no DNS lookup), or null. */
    private static InetSocketAddress literal(String ip, int udpPort) {
        if (ip == null || udpPort <= 0 || udpPort > 65535 || !ip.matches("[0-9.]+")) {
            return null; // IPv4 only (BEP 32 is not implemented)
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), udpPort);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** For tests and the lead's magnet work: the state file of the routing table. */
    Path tableFile() {
        return config.stateFile();
    }
}
