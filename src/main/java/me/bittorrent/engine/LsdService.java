package me.bittorrent.engine;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
import me.bittorrent.dht.PacketRateLimit;
import me.bittorrent.lsd.LsdAnnounce;
import me.bittorrent.lsd.LsdCodec;
import me.bittorrent.metainfo.InfoHash;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Local service discovery (BEP 14): our public torrents announced to the LAN's multicast group
 * (239.192.152.143:6771) and the peers other clients announce there handed to the torrent with that info-hash, like
 * the DHT's. Each tracked torrent is announced at once and then every 5 minutes (libtorrent's rhythm), at most one
 * datagram a second: one hash in it while few torrents wait (readable by every client), up to 20 when many do. Received datagrams are parsed strictly (1,400 bytes at most), rate
 * limited, ignored when they carry our own cookie or come from outside the interface's networks.
 *
 * <p>On/off: {@code BT_LSD=off} is a hard off (no socket, the preference cannot turn it on); otherwise the
 * {@code lsd} preference switches it live. {@code BT_LSD_INTERFACE} names the interface (or one of its addresses);
 * by default the first multicast-capable interface that is up and not the loopback. Private torrents (BEP 27) are
 * never tracked: {@link SessionRunner} does not call {@link #track} for them.
 *
 * <p>Confinement: every mutable field lives on this service's own Vert.x context; public methods hop onto it. The
 * counters for /health are atomic or volatile.
 */
@ApplicationScoped
public class LsdService {

    private static final Logger LOG = Logger.getLogger(LsdService.class);
    static final long ANNOUNCE_MILLIS = 5 * 60_000L;
    /** At most one datagram this often (libtorrent and Transmission send one per torrent; we batch). */
    static final long SEND_GAP_MILLIS = 1000;
    static final int PACKETS_PER_SECOND = 100;
    /**
     * While no more torrents than this wait for their announce, each datagram carries one hash: the announce is then
     * byte for byte libtorrent's, and Transmission (which reads only the first Infohash of a datagram of at most 200
     * bytes) hears every torrent. A longer backlog is batched, up to 20 hashes a datagram.
     */
    static final int SINGLE_HASH_BACKLOG = 5;
    static final int PACKETS_PER_ADDRESS = 20;

    /**
     * Local service discovery as /health shows it: {@code networkInterface} is the one joined, {@code error} why it
     * could not start (else null); {@code peersFound} counts the peers handed to our torrents.
     */
    public record Status(boolean enabled, boolean running, String networkInterface, long announcesSent,
            long packetsReceived, long peersFound, long malformed, long rateLimited, String error) {
    }

    /** One torrent announced on the LAN; fields on the service's context. */
    private static final class Tracked {
        final InfoHash hash;
        final ObjIntConsumer<String> onPeer;

        Tracked(InfoHash hash, ObjIntConsumer<String> onPeer) {
            this.hash = hash;
            this.onPeer = onPeer;
        }
    }

    /** A tracked torrent's next announce, in the order they fall due. */
    private record Due(Tracked torrent, long atMillis) {
    }

    private record Network(byte[] address, int prefix) {
        boolean contains(byte[] other) {
            if (other.length != address.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((address[bit / 8] & mask) != (other[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final boolean allowed;
    private final String configuredInterface;
    private final String cookie;
    // confined to context
    private final Map<InfoHash, Tracked> tracked = new HashMap<>();
    /** Announced as soon as the send gap allows: new torrents, and all after an open or a port change. */
    private final Deque<Tracked> urgent = new ArrayDeque<>();
    /** Announced again when due; appended in sending order, so ordered by due time. */
    private final Deque<Due> scheduled = new ArrayDeque<>();
    private final PacketRateLimit rateLimit = new PacketRateLimit(PACKETS_PER_SECOND, PACKETS_PER_ADDRESS,
            System::nanoTime);
    private List<Network> networks = List.of();
    private boolean wanted;
    private boolean applied;
    /** Counts opens and closes: a join that completes after a newer switch closes its socket. */
    private long generation;
    private int peerPort;
    private LsdSocket socket;
    private long timer = -1;
    private long lastSendMillis = Long.MIN_VALUE / 2;
    // read from any thread
    private volatile boolean enabled;
    private volatile String interfaceName;
    private volatile String problem;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong peersFound = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();

    @Inject
    public LsdService(Vertx vertx, @ConfigProperty(name = "bt.lsd", defaultValue = "true") boolean allowed,
            @ConfigProperty(name = "bt.lsd-interface") Optional<String> networkInterface) {
        this(vertx, allowed, networkInterface.map(String::trim).filter(s -> !s.isEmpty()).orElse(null));
        if (!allowed) {
            LOG.info("Local service discovery is off (BT_LSD=off): torrents are not announced on the LAN");
        }
    }

    LsdService(Vertx vertx, boolean allowed, String networkInterface) {
        this.vertx = vertx;
        // a context of its own (taken on a thread that is not Vert.x's), like the DHT's
        this.context = CompletableFuture.supplyAsync(vertx::getOrCreateContext).join();
        this.allowed = allowed;
        this.configuredInterface = networkInterface;
        this.cookie = Integer.toHexString(new SecureRandom().nextInt(0x7fffffff) | 1);
    }

    /** BT_LSD allows it (false: BT_LSD=off, it never runs). */
    public boolean allowed() {
        return allowed;
    }

    /**
     * Joins the multicast group when {@code on} (and BT_LSD allows it), leaves it otherwise; announces carry
     * {@code tcpPort} (our peer port), and a new one announces every torrent again. Called at start and on every
     * change of the settings.
     */
    public Future<Void> apply(int tcpPort, boolean on) {
        return onContext(() -> {
            boolean want = on && allowed;
            boolean moved = tcpPort != peerPort;
            peerPort = tcpPort;
            if (!applied && !want && allowed) {
                LOG.info("Local service discovery is off (switched off in the settings)");
            } else if (applied && want != wanted) {
                LOG.infof("Local service discovery switched %s", want ? "on" : "off");
            }
            applied = true;
            if (want == wanted) {
                if (want && moved) { // announces carry the port: every torrent again
                    urgent.clear();
                    urgent.addAll(tracked.values());
                    pump();
                }
                return Future.succeededFuture();
            }
            wanted = want;
            enabled = want;
            return want ? open() : close();
        });
    }

    /** Leaves the group and closes the socket; for shutdown. */
    public Future<Void> shutdown() {
        return onContext(() -> {
            wanted = false;
            enabled = false;
            return close();
        });
    }

    /**
     * The torrent {@code hash} is announced on the LAN from now on (until {@link #untrack}); each peer announcing
     * it goes to {@code onPeer} (IP, TCP port) on the service's context.
     */
    public void track(InfoHash hash, ObjIntConsumer<String> onPeer) {
        context.runOnContext(v -> {
            Tracked t = new Tracked(hash, onPeer);
            tracked.put(hash, t); // a replaced one is skipped when its turn comes
            urgent.add(t);
            pump();
        });
    }

    public void untrack(InfoHash hash) {
        context.runOnContext(v -> tracked.remove(hash));
    }

    public Status status() {
        return new Status(enabled, socket() != null, interfaceName, sent.get(), received.get(), peersFound.get(),
                malformed.get(), rateLimited.get(), problem);
    }

    /** Our cookie (tests: a packet of ours is recognised by it). */
    String cookie() {
        return cookie;
    }

    private volatile LsdSocket liveSocket;

    private LsdSocket socket() {
        return liveSocket;
    }

    // ---- service context ---------------------------------------------------------------------------------

    private Future<Void> open() {
        NetworkInterface nic;
        try {
            nic = chooseInterface();
        } catch (SocketException | UnknownHostException | IllegalStateException e) {
            problem = "Local service discovery cannot start: " + e.getMessage();
            LOG.warn(problem);
            return Future.succeededFuture();
        }
        List<Network> nets = new ArrayList<>();
        for (InterfaceAddress a : nic.getInterfaceAddresses()) {
            if (a.getAddress() instanceof Inet4Address) {
                nets.add(new Network(a.getAddress().getAddress(), a.getNetworkPrefixLength()));
            }
        }
        // multicast loops back so that two clients on one machine find each other; our cookie tells ours apart
        String name = nic.getName();
        long opening = ++generation;
        return LsdSocket.open(vertx, (ContextInternal) context, nic, LsdCodec.GROUP, LsdCodec.PORT, this::onPacket)
                .compose(s -> {
                    if (!wanted || opening != generation) { // switched off (or off and on) while joining
                        s.close();
                        return Future.<Void>succeededFuture();
                    }
                    socket = s;
                    liveSocket = s;
                    networks = List.copyOf(nets);
                    interfaceName = name;
                    problem = null;
                    LOG.infof("Local service discovery on %s (%s:%d): public torrents are announced to the LAN "
                            + "every 5 minutes", name, LsdCodec.GROUP, LsdCodec.PORT);
                    urgent.clear();
                    urgent.addAll(tracked.values());
                    scheduled.clear();
                    pump();
                    return Future.<Void>succeededFuture();
                }).recover(e -> {
                    problem = "Cannot join " + LsdCodec.GROUP + ":" + LsdCodec.PORT + " on " + name + ": "
                            + e.getMessage() + "; torrents are not announced on the LAN";
                    LOG.warn(problem);
                    return Future.succeededFuture();
                });
    }

    private Future<Void> close() {
        generation++;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        urgent.clear();
        scheduled.clear();
        LsdSocket s = socket;
        socket = null;
        liveSocket = null;
        interfaceName = null;
        if (s == null) {
            return Future.succeededFuture();
        }
        return s.close().otherwiseEmpty().onComplete(ar -> LOG.info("Local service discovery stopped"));
    }

    /** The configured interface (a name or one of its addresses), or the first up, multicast, non-loopback one. */
    private NetworkInterface chooseInterface() throws SocketException, UnknownHostException {
        if (configuredInterface != null) {
            NetworkInterface nic = NetworkInterface.getByName(configuredInterface);
            if (nic == null && configuredInterface.matches("[0-9.]+")) {
                nic = NetworkInterface.getByInetAddress(InetAddress.getByName(configuredInterface));
            }
            if (nic == null || !nic.isUp()) {
                throw new IllegalStateException("the network interface " + configuredInterface
                        + " (BT_LSD_INTERFACE) does not exist or is down");
            }
            return nic;
        }
        List<NetworkInterface> all = Collections.list(NetworkInterface.getNetworkInterfaces());
        all.sort(Comparator.comparingInt(NetworkInterface::getIndex));
        for (NetworkInterface nic : all) {
            if (nic.isUp() && !nic.isLoopback() && nic.supportsMulticast() && nic.inetAddresses()
                    .anyMatch(a -> a instanceof Inet4Address)) {
                return nic;
            }
        }
        throw new IllegalStateException("no network interface with IPv4 multicast is up (set BT_LSD_INTERFACE)");
    }

    private void onPacket(InetAddress from, byte[] data) {
        if (socket == null) {
            return;
        }
        received.incrementAndGet();
        if (!(from instanceof Inet4Address)) {
            return; // IPv4 only
        }
        if (!rateLimit.allow(from)) {
            rateLimited.incrementAndGet();
            return;
        }
        LsdAnnounce announce;
        try {
            if (data.length > LsdCodec.MAX_PACKET) {
                throw new LsdCodec.MalformedException("oversized");
            }
            announce = LsdCodec.parse(data, data.length);
        } catch (LsdCodec.MalformedException e) {
            malformed.incrementAndGet();
            LOG.debugf("LSD: dropped a datagram from %s: %s", from.getHostAddress(), e.getMessage());
            return;
        }
        if (cookie.equals(announce.cookie())) {
            return; // our own announce, looped back
        }
        byte[] raw = from.getAddress();
        if (networks.stream().noneMatch(n -> n.contains(raw))) {
            LOG.debugf("LSD: ignored an announce from %s, outside the networks of %s", from.getHostAddress(),
                    interfaceName);
            return;
        }
        for (InfoHash hash : announce.hashes()) {
            Tracked t = tracked.get(hash);
            if (t != null) {
                peersFound.incrementAndGet();
                t.onPeer.accept(from.getHostAddress(), announce.port());
            }
        }
    }

    /** Sends the next datagram if the gap allows and something is due, then arms the timer for the next one. */
    private void pump() {
        if (timer >= 0) { // re-armed below: a new torrent must not wait for the next scheduled one
            vertx.cancelTimer(timer);
            timer = -1;
        }
        if (socket == null) {
            return;
        }
        long now = System.nanoTime() / 1_000_000;
        long wait = lastSendMillis + SEND_GAP_MILLIS - now;
        if (wait <= 0 && peerPort > 0) {
            int max = backlog(now) > SINGLE_HASH_BACKLOG ? LsdCodec.MAX_HASHES_PER_PACKET : 1;
            List<Tracked> batch = new ArrayList<>(max);
            while (batch.size() < max && !urgent.isEmpty()) {
                Tracked t = urgent.poll();
                if (tracked.get(t.hash) == t && !batch.contains(t)) {
                    batch.add(t);
                }
            }
            while (batch.size() < max && !scheduled.isEmpty()
                    && scheduled.peek().atMillis() <= now) {
                Tracked t = scheduled.poll().torrent();
                if (tracked.get(t.hash) == t && !batch.contains(t)) {
                    batch.add(t);
                }
            }
            if (!batch.isEmpty()) {
                send(batch);
                lastSendMillis = now;
                batch.forEach(t -> scheduled.add(new Due(t, now + ANNOUNCE_MILLIS)));
                wait = SEND_GAP_MILLIS;
            }
        }
        // drop the stale heads so an idle service arms no timer for torrents that are gone
        while (!scheduled.isEmpty() && tracked.get(scheduled.peek().torrent().hash) != scheduled.peek().torrent()) {
            scheduled.poll();
        }
        long next;
        if (!urgent.isEmpty()) {
            next = Math.max(1, wait);
        } else if (!scheduled.isEmpty()) {
            next = Math.max(Math.max(1, wait), scheduled.peek().atMillis() - now);
        } else {
            return;
        }
        timer = vertx.setTimer(next, id -> {
            timer = -1;
            pump();
        });
    }

    /** The announces due now (stale entries included: an estimate that only chooses the batch size). */
    private int backlog(long now) {
        int due = urgent.size();
        for (Due d : scheduled) {
            if (d.atMillis() > now || due > SINGLE_HASH_BACKLOG) {
                break;
            }
            due++;
        }
        return due;
    }

    private void send(List<Tracked> batch) {
        byte[] datagram = LsdCodec.render(peerPort, batch.stream().map(t -> t.hash).toList(), cookie);
        socket.send(datagram).onComplete(ar -> {
            if (ar.succeeded()) {
                sent.incrementAndGet();
            } else {
                LOG.debugf("LSD: an announce could not be sent: %s", ar.cause().getMessage());
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
}
