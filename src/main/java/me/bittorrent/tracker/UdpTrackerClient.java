package me.bittorrent.tracker;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.jboss.logging.Logger;

/**
 * BEP 15 announces over one shared UDP socket. All protocol state (pending transactions, connection ids, timers)
 * lives on one Vert.x context, the "home" context taken at construction, so it needs no locks; replies are routed
 * to their exchange by transaction id. The Uni emits on the Vert.x context that subscribed (or on an event-loop
 * thread when the subscriber is not on a Vert.x thread).
 */
@ApplicationScoped
public class UdpTrackerClient implements TrackerClient {

    private static final Logger LOG = Logger.getLogger(UdpTrackerClient.class);

    private final Vertx vertx;
    private final Context home;
    private volatile Duration baseTimeout = Duration.ofSeconds(15);
    private volatile int maxRetries = 8;
    private volatile Duration connectionIdLifetime = Duration.ofMinutes(1);
    private volatile Duration deadline = DEFAULT_DEADLINE;

    /**
     * Longest one announce may take, whatever the retransmission schedule: a silent tracker then shows as timed
     * out within a minute (not "updating" for the hour BEP 15's schedule allows) and the next tracker is tried.
     */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

    // Touched on the home context only.
    private Future<DatagramSocket> socket;
    private final Map<Integer, Consumer<DatagramPacket>> pending = new HashMap<>();
    private final Map<String, ConnectionId> connectionIds = new HashMap<>();

    private record ConnectionId(long id, long expiresAtNanos) {
    }

    @Inject
    public UdpTrackerClient(Vertx vertx) {
        this.vertx = vertx;
        this.home = vertx.getOrCreateContext();
    }

    /**
     * BEP 15 retransmission: wait {@code base * 2^n} for an answer, n = 0..maxRetries (default 15 s and 8, i.e.
     * up to 3840 s for the last try). Tests shorten it.
     */
    public void setRetransmission(Duration base, int maxRetries) {
        this.baseTimeout = base;
        this.maxRetries = maxRetries;
    }

    /** Longest one announce may take, retransmissions included (default 60 s). */
    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    /** How long a connection id is reused before connecting again (BEP 15: one minute). */
    public void setConnectionIdLifetime(Duration lifetime) {
        this.connectionIdLifetime = lifetime;
    }

    @Override
    public Uni<AnnounceResponse> announce(String url, AnnounceRequest request) {
        return Uni.createFrom().emitter(emitter -> {
            Context caller = vertx.getOrCreateContext();
            Target target;
            try {
                target = Target.parse(url);
                // our own peer port on this machine is never a tracker (the datagrams would reach ourselves)
                TrackerUrlPolicy.check(target.uri(), false, port -> port == request.port());
            } catch (TrackerException e) {
                emitter.fail(e);
                return;
            }
            Exchange exchange = new Exchange(target, request);
            emitter.onTermination(() -> home.runOnContext(v -> exchange.abandon()));
            home.runOnContext(v -> exchange.start().onComplete(ar -> deliver(caller, emitter, ar)));
        });
    }

    @PreDestroy
    public void close() {
        home.runOnContext(v -> {
            if (socket != null) {
                socket.onSuccess(DatagramSocket::close);
                socket = null;
            }
        });
    }

    private static void deliver(Context caller, UniEmitter<? super AnnounceResponse> emitter,
            AsyncResult<AnnounceResponse> result) {
        Runnable emit = () -> {
            if (result.succeeded()) {
                emitter.complete(result.result());
            } else {
                emitter.fail(result.cause());
            }
        };
        if (Vertx.currentContext() == caller) {
            emit.run();
        } else {
            caller.runOnContext(v -> emit.run());
        }
    }

    private Future<DatagramSocket> socket() {
        if (socket == null) {
            DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions());
            s.handler(this::route);
            s.exceptionHandler(e -> LOG.debugf("UDP tracker socket: %s", e.getMessage()));
            socket = s.listen(0, "0.0.0.0");
            socket.onFailure(e -> socket = null); // let the next announce try again
        }
        return socket;
    }

    private void route(DatagramPacket packet) {
        if (packet.data().length() < 8) {
            return;
        }
        Consumer<DatagramPacket> handler = pending.remove(UdpPackets.transactionId(packet.data()));
        if (handler != null) {
            handler.accept(packet);
        } // else: a late answer to a retransmitted or abandoned request
    }

    private int newTransactionId() {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt();
        } while (pending.containsKey(id));
        return id;
    }

    /** udp://host:port[/path]; the path (BEP 41 data) is ignored. */
    private record Target(String host, int port, URI uri) {

        static Target parse(String url) throws TrackerException {
            try {
                URI uri = new URI(url);
                if (!"udp".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getPort() <= 0) {
                    throw new TrackerException("invalid UDP tracker URL "
                            + me.bittorrent.text.RemoteText.clean(url, 200));
                }
                String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                        : uri.getHost();
                return new Target(host, uri.getPort(), uri);
            } catch (URISyntaxException e) {
                throw new TrackerException("invalid UDP tracker URL " + me.bittorrent.text.RemoteText.clean(url, 200));
            }
        }

        String key() {
            return host + ":" + port;
        }
    }

    /** One announce: connect if needed, announce, retransmit on silence. Runs on the home context. */
    private final class Exchange {
        private final Target target;
        private final AnnounceRequest request;
        private final Promise<AnnounceResponse> done = Promise.promise();
        private int attempt;
        private int transactionId;
        private long timer = -1;
        private long deadlineTimer = -1;
        private int tries;

        Exchange(Target target, AnnounceRequest request) {
            this.target = target;
            this.request = request;
        }

        Future<AnnounceResponse> start() {
            long ms = deadline.toMillis();
            deadlineTimer = vertx.setTimer(onTheSecond(ms, System.nanoTime()), t -> finish(new TrackerException("UDP tracker "
                    + target.key() + " did not answer within " + seconds(ms) + " (" + tries + " tries)")));
            socket().onComplete(ar -> {
                if (ar.succeeded()) {
                    send(ar.result());
                } else {
                    finish(new TrackerException("could not open a UDP socket: " + ar.cause().getMessage()));
                }
            });
            return done.future();
        }

        /** Sends the announce if we hold a fresh connection id, else a connect first. */
        private void send(DatagramSocket s) {
            ConnectionId cid = connectionIds.get(target.key());
            if (cid != null && System.nanoTime() - cid.expiresAtNanos() < 0) {
                sendAnnounce(s, cid.id());
            } else {
                transmit(s, UdpPackets::connect, reply -> onConnectReply(s, reply.data()));
            }
        }

        private void sendAnnounce(DatagramSocket s, long connectionId) {
            transmit(s, tid -> UdpPackets.announce(connectionId, tid, request),
                    reply -> onAnnounceReply(reply.data(), reply.sender().host()));
        }

        private void transmit(DatagramSocket s, IntFunction<Buffer> packet, Consumer<DatagramPacket> onReply) {
            if (done.future().isComplete()) {
                return;
            }
            transactionId = newTransactionId();
            tries++;
            pending.put(transactionId, onReply);
            timer = vertx.setTimer(onTheSecond(baseTimeout.toMillis() << attempt, System.nanoTime()),
                    t -> onSilence(s));
            s.send(packet.apply(transactionId), target.port(), target.host()).onFailure(e -> finish(
                    new TrackerException("could not send to UDP tracker " + target.key() + ": " + e.getMessage(), e)));
        }

        private void onSilence(DatagramSocket s) {
            pending.remove(transactionId);
            if (attempt >= maxRetries) {
                finish(new TrackerException("UDP tracker " + target.key() + " did not answer (" + tries + " tries)"));
            } else {
                attempt++;
                send(s);
            }
        }

        private void onConnectReply(DatagramSocket s, Buffer reply) {
            vertx.cancelTimer(timer);
            if (isError(reply)) {
                return;
            }
            if (reply.length() < 16 || UdpPackets.action(reply) != UdpPackets.CONNECT) {
                finish(new TrackerException("UDP tracker " + target.key() + " sent a malformed connect reply"));
                return;
            }
            long id = UdpPackets.connectionId(reply);
            connectionIds.put(target.key(), new ConnectionId(id, System.nanoTime() + connectionIdLifetime.toNanos()));
            attempt = 0; // the announce is a new request with its own retransmission schedule
            sendAnnounce(s, id); // with this id even if its lifetime is shorter than the round trip
        }

        private void onAnnounceReply(Buffer reply, String senderHost) {
            vertx.cancelTimer(timer);
            if (isError(reply)) {
                // Most often a connection id the tracker no longer accepts: connect afresh next time.
                connectionIds.remove(target.key());
                return;
            }
            if (reply.length() == 8 && UdpPackets.action(reply) == UdpPackets.ANNOUNCE) {
                // opentracker's answer for an info-hash it does not track: the header and nothing else.
                finish(new TrackerException("UDP tracker " + target.key()
                        + " sent an empty announce reply: it does not track this torrent"));
                return;
            }
            if (reply.length() < 20 || UdpPackets.action(reply) != UdpPackets.ANNOUNCE) {
                finish(new TrackerException("UDP tracker " + target.key() + " sent a malformed announce reply"));
                return;
            }
            finish(UdpPackets.announceResponse(reply, senderHost.indexOf(':') >= 0));
        }

        private boolean isError(Buffer reply) {
            if (UdpPackets.action(reply) != UdpPackets.ERROR) {
                return false;
            }
            String message = UdpPackets.errorMessage(reply);
            finish(new TrackerException(message.isEmpty() ? "UDP tracker " + target.key() + " refused" : message));
            return true;
        }

        /** The subscriber went away, or the exchange ended: stop timers and forget the transaction. */
        void abandon() {
            if (done.future().isComplete()) {
                return;
            }
            vertx.cancelTimer(timer);
            vertx.cancelTimer(deadlineTimer);
            pending.remove(transactionId);
            done.tryFail(new TrackerException("announce cancelled"));
        }

        private void finish(AnnounceResponse response) {
            vertx.cancelTimer(timer);
            vertx.cancelTimer(deadlineTimer);
            pending.remove(transactionId);
            done.tryComplete(response);
        }

        private void finish(TrackerException failure) {
            vertx.cancelTimer(timer);
            vertx.cancelTimer(deadlineTimer);
            pending.remove(transactionId);
            done.tryFail(failure);
        }
    }

    /**
     * A delay of a second or more, lengthened to end on a whole second of the monotonic clock (a timer wheel's 1 s
     * slot): 200 torrents announced to a silent UDP tracker within a few seconds of each other retransmit and give
     * up together, so the event loop wakes a few times per round instead of once per torrent. Shorter delays are
     * kept as they are.
     */
    static long onTheSecond(long millis, long nanoTime) {
        if (millis < 1000) {
            return Math.max(1, millis);
        }
        long past = Math.floorMod(Math.floorDiv(nanoTime, 1_000_000L) + millis, 1000L);
        return past == 0 ? millis : millis + 1000 - past;
    }

    static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
