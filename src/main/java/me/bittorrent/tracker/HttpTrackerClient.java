package me.bittorrent.tracker;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import me.bittorrent.Version;

/**
 * BEP 3 announces over HTTP(S) with the Vert.x core HTTP client. The Uni emits on the Vert.x context that
 * subscribed (the client binds each request to the caller's context), or on an event-loop thread when the
 * subscriber is not on a Vert.x thread.
 */
@ApplicationScoped
public class HttpTrackerClient implements TrackerClient {

    static final int MAX_REDIRECTS = 3;
    /** Announce replies are a few KB; anything far larger is not a tracker talking. */
    static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /**
     * Longest one announce may take from connect to the reply's last byte, redirects included (libtorrent's
     * tracker_completion_timeout): a tracker that trickles a byte now and then never trips the idle timeout, and
     * without this would hold its tier forever.
     */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final HttpClient http;
    private volatile Duration timeout = DEFAULT_TIMEOUT;
    private volatile Duration deadline = DEFAULT_DEADLINE;
    /** This service's HTTP ports, which no tracker URL may point at (set at start; unknown in plain unit tests). */
    private volatile IntPredicate ownHttpPort = port -> false;

    @Inject
    public HttpTrackerClient(Vertx vertx) {
        this.vertx = vertx;
        // No keep-alive: announces are minutes apart, and opentracker closes every connection after its reply
        // without saying so, which made a pooled connection fail the next announce. So no pool cleaner either: it
        // woke an event loop every second to look for idle connections that never exist.
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setTryUseCompression(true)
                .setKeepAlive(false), new PoolOptions().setCleanerPeriod(0));
    }

    /** Connect and read timeout of each request (default 15 s). */
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** Learns this service's own HTTP ports from Quarkus's HTTP server, when there is one. */
    @Inject
    void ownHttpServer(Instance<io.quarkus.vertx.http.HttpServer> server) {
        setOwnHttpPorts(port -> {
            if (!server.isResolvable()) {
                return false;
            }
            io.quarkus.vertx.http.HttpServer s = server.get();
            return port == s.getPort() || port == s.getSecurePort() || port == s.getManagementPort();
        });
    }

    /** Which ports are this service's own HTTP ports, for {@link TrackerUrlPolicy}. */
    public void setOwnHttpPorts(IntPredicate ownHttpPort) {
        this.ownHttpPort = ownHttpPort;
    }

    /** Longest one announce may take in all (default 30 s). */
    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public Uni<AnnounceResponse> announce(String url, AnnounceRequest request) {
        return Uni.createFrom().emitter(emitter -> {
            URI uri;
            try {
                TrackerUrlPolicy.check(parse(url), true, ownPorts(request));
                uri = parse(AnnounceQuery.url(url, request));
            } catch (TrackerException e) {
                emitter.fail(e);
                return;
            }
            // The request in flight (the latest, after redirects), so the deadline or a cancel can reset it.
            AtomicReference<HttpClientRequest> current = new AtomicReference<>();
            AtomicBoolean finished = new AtomicBoolean();
            long ms = deadline.toMillis();
            long timer = vertx.setTimer(Math.max(1, ms), t -> {
                if (finished.compareAndSet(false, true)) {
                    reset(current.get());
                    emitter.fail(new TrackerException("tracker " + where(uri) + " did not finish answering within "
                            + UdpTrackerClient.seconds(ms)));
                }
            });
            emitter.onTermination(() -> {
                vertx.cancelTimer(timer);
                if (finished.compareAndSet(false, true)) {
                    reset(current.get()); // the subscriber went away
                }
            });
            fetch(uri, 0, current, ownPorts(request)).onComplete(ar -> {
                if (!finished.compareAndSet(false, true)) {
                    return;
                }
                vertx.cancelTimer(timer);
                if (ar.succeeded()) {
                    emitter.complete(ar.result());
                } else {
                    emitter.fail(inUserWords(ar.cause(), uri));
                }
            });
        });
    }

    private IntPredicate ownPorts(AnnounceRequest request) {
        IntPredicate http = ownHttpPort;
        return port -> port == request.port() || safeTest(http, port);
    }

    private static boolean safeTest(IntPredicate ownPort, int port) {
        try {
            return ownPort.test(port);
        } catch (RuntimeException e) { // the HTTP server is not up (yet): only the peer port is known
            return false;
        }
    }

    private static void reset(HttpClientRequest request) {
        if (request != null) {
            request.reset();
        }
    }

    private static String where(URI uri) {
        return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    @PreDestroy
    public void close() {
        http.close();
    }

    private Future<AnnounceResponse> fetch(URI uri, int redirects, AtomicReference<HttpClientRequest> current,
            IntPredicate ownPorts) {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        long ms = timeout.toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80)
                .setSsl(https)
                .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
                .setConnectTimeout(ms)
                .setIdleTimeout(ms)
                .putHeader("User-Agent", "bittorrent-me/" + Version.VERSION);
        // Redirects are followed here rather than by Vert.x so the percent-encoded query is never re-encoded.
        // The response handling is composed on send() itself, not on an outer future: the body handlers must be
        // set in the same event-loop turn the response arrives in, or a short reply may already have ended.
        return http.request(options).compose(req -> {
            current.set(req);
            return req.send().compose(response -> onResponse(uri, redirects, response, current, ownPorts));
        });
    }

    private Future<AnnounceResponse> onResponse(URI uri, int redirects, HttpClientResponse response,
            AtomicReference<HttpClientRequest> current, IntPredicate ownPorts) {
        int status = response.statusCode();
        String location = response.getHeader("Location");
        if (status >= 300 && status < 400 && location != null) {
            response.end(); // discard the redirect's body
            if (redirects >= MAX_REDIRECTS) {
                return Future.failedFuture(new TrackerException(
                        "tracker redirected more than " + MAX_REDIRECTS + " times"));
            }
            URI next;
            try {
                next = parse(uri.resolve(location.trim()).toString());
            } catch (IllegalArgumentException | TrackerException e) {
                return Future.failedFuture(new TrackerException("tracker redirected to an invalid URL"));
            }
            try {
                TrackerUrlPolicy.checkRedirect(uri, next, ownPorts);
            } catch (TrackerException e) {
                return Future.failedFuture(e);
            }
            return fetch(next, redirects + 1, current, ownPorts);
        }
        if (status != 200) {
            response.end();
            return Future.failedFuture(new TrackerException("tracker answered HTTP " + status));
        }
        return readBody(response).compose(body -> {
            try {
                return Future.succeededFuture(AnnounceReplyParser.parse(body.getBytes()));
            } catch (TrackerException e) {
                return Future.failedFuture(e);
            }
        });
    }

    private static Future<Buffer> readBody(HttpClientResponse response) {
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_REPLY_BYTES) {
                promise.tryFail(new TrackerException("tracker reply is larger than " + MAX_REPLY_BYTES + " bytes"));
                response.request().reset();
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(promise::tryFail);
        response.endHandler(v -> promise.tryComplete(body));
        return promise.future();
    }

    private static URI parse(String url) throws TrackerException {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new TrackerException("invalid HTTP tracker URL " + me.bittorrent.text.RemoteText.clean(url, 200));
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new TrackerException("invalid HTTP tracker URL " + me.bittorrent.text.RemoteText.clean(url, 200));
        }
    }

    private TrackerException inUserWords(Throwable failure, URI uri) {
        if (failure instanceof TrackerException e) {
            return e;
        }
        String where = where(uri);
        if (failure instanceof UnknownHostException) {
            return new TrackerException("tracker host " + uri.getHost() + " could not be resolved", failure);
        }
        if (failure instanceof TimeoutException || failure.getClass().getSimpleName().contains("Timeout")) {
            return new TrackerException("tracker " + where + " did not answer within " + timeout.toSeconds() + " s",
                    failure);
        }
        if (failure instanceof ConnectException) {
            return new TrackerException("could not connect to tracker " + where, failure);
        }
        return new TrackerException("announce to tracker " + where + " failed: " + failure.getMessage(), failure);
    }
}
