package me.bittorrent.engine;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import me.bittorrent.Version;
import me.bittorrent.tracker.TrackerUrlPolicy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;

/**
 * Fetches a .torrent file from a web link (an indexer such as Prowlarr or Jackett, a tracker's download link) for
 * every API: non-blocking on Vert.x' HTTP client, http and https only, at most {@value #MAX_REDIRECTS} redirects (a
 * redirect to a {@code magnet:} link ends the fetch with that link, as Prowlarr and Jackett answer for magnet-only
 * releases), one deadline over the whole fetch (a server that trickles bytes cannot hold it), the body counted while
 * it is read and refused past {@link #MAX_BYTES}. The user is signed in, so indexers on this machine or the LAN are
 * allowed; this service's own HTTP port on an address of this machine is not (issue 11.6): checked on the literal
 * address before connecting and on the connected address (a name resolving to this machine) before any request
 * byte is sent. Failures are {@link WebFetchException}s in words; a link's query (often an API key) is never shown.
 */
@ApplicationScoped
public class WebTorrentFetcher {

    public static final int MAX_REDIRECTS = 5;
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    /** What a link gave: the bytes of a .torrent file (still to be validated), or a magnet link. */
    public sealed interface Fetched permits TorrentBytes, Magnet {
    }

    /** A body that starts like a bencoded dictionary; {@code url} is the link as shown to users. */
    public record TorrentBytes(String url, byte[] bytes) implements Fetched {
    }

    /** The link was, or redirected to, a magnet link. */
    public record Magnet(String link) implements Fetched {
    }

    /** A link that could not be fetched or is not a torrent: an HTTP 400 with the message. */
    public static final class WebFetchException extends InvalidRequestException {
        public WebFetchException(String message) {
            super(message);
        }
    }

    /** A fetched body that failed the .torrent validation of an upload, in words naming the link. */
    public static NotATorrentLink notATorrent(TorrentBytes fetched, Throwable reason) {
        return new NotATorrentLink(fetched.url() + " is not a torrent file: " + reason.getMessage());
    }

    /** What a link gave failed the .torrent validation; the message names the link. */
    public static final class NotATorrentLink extends InvalidTorrentFileException {
        NotATorrentLink(String message) {
            super(message);
        }
    }

    private final Vertx vertx;
    private final HttpClient http;
    private volatile Duration deadline = DEFAULT_DEADLINE;
    private volatile IntPredicate ownHttpPort = port -> false;

    @Inject
    public WebTorrentFetcher(Vertx vertx) {
        this.vertx = vertx;
        // no keep-alive, so no pool cleaner (it woke an event loop every second for connections never kept)
        this.http = vertx.createHttpClient(new HttpClientOptions().setTryUseCompression(true).setKeepAlive(false)
                .setVerifyHost(true), new io.vertx.core.http.PoolOptions().setCleanerPeriod(0));
    }

    /** Learns this service's own HTTP ports from Quarkus' HTTP server. */
    @Inject
    void ownHttpServer(Instance<io.quarkus.vertx.http.HttpServer> server) {
        ownHttpPort = port -> {
            if (!server.isResolvable()) {
                return false;
            }
            io.quarkus.vertx.http.HttpServer s = server.get();
            return port == s.getPort() || port == s.getSecurePort() || port == s.getManagementPort();
        };
    }

    /** Longest one fetch may take, redirects included (default 30 s); tests shorten it. */
    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    public Duration deadline() {
        return deadline;
    }

    /** Whether {@code link} is a web link this fetcher takes (http or https). */
    public static boolean isWebLink(String link) {
        String l = link == null ? "" : link.trim().toLowerCase(Locale.ROOT);
        return l.startsWith("http://") || l.startsWith("https://");
    }

    /**
     * Fetches {@code link}; a magnet link is handed back as it is. {@code cookie} (null: none) is sent as the
     * Cookie header to the link's own host only (not to the host a redirect leads to), as qBittorrent does with
     * its {@code cookie} parameter and Transmission with {@code cookies}.
     */
    public Uni<Fetched> fetch(String link, String cookie) {
        String trimmed = link == null ? "" : link.trim();
        if (trimmed.regionMatches(true, 0, "magnet:", 0, 7)) {
            return Uni.createFrom().item(new Magnet(trimmed));
        }
        URI uri;
        try {
            uri = parse(trimmed);
            checkCookie(cookie);
            checkTarget(uri);
        } catch (WebFetchException e) {
            return Uni.createFrom().failure(e);
        }
        Duration limit = deadline;
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<HttpClientRequest> current = new AtomicReference<>();
            AtomicBoolean finished = new AtomicBoolean();
            long timer = vertx.setTimer(Math.max(1, limit.toMillis()), t -> {
                if (finished.compareAndSet(false, true)) {
                    reset(current.get());
                    emitter.fail(new WebFetchException("could not fetch " + shown(uri) + ": it took longer than "
                            + seconds(limit)));
                }
            });
            emitter.onTermination(() -> {
                vertx.cancelTimer(timer);
                if (finished.compareAndSet(false, true)) {
                    reset(current.get());
                }
            });
            get(uri, uri, cookie, 0, current, limit).onComplete(ar -> {
                if (!finished.compareAndSet(false, true)) {
                    return;
                }
                vertx.cancelTimer(timer);
                if (ar.succeeded()) {
                    emitter.complete(ar.result());
                } else {
                    emitter.fail(inWords(ar.cause(), uri, limit));
                }
            });
        });
    }

    @PreDestroy
    void close() {
        http.close();
    }

    private Future<Fetched> get(URI first, URI uri, String cookie, int redirects,
            AtomicReference<HttpClientRequest> current, Duration limit) {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(uri.getHost())
                .setPort(port(uri))
                .setSsl(https)
                .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
                .setConnectTimeout(limit.toMillis())
                .setIdleTimeout(limit.toMillis())
                .putHeader("User-Agent", "bittorrent-me/" + Version.VERSION)
                .putHeader("Accept", "application/x-bittorrent, */*;q=0.8");
        if (cookie != null && !cookie.isBlank() && sameOrigin(first, uri)) {
            options.putHeader("Cookie", cookie.trim());
        }
        // Redirects are followed here, not by Vert.x: each target is checked, and a magnet: target ends the fetch.
        return http.request(options).compose(req -> {
            current.set(req);
            // The connected address, before a byte of the request is sent: a name may resolve to this machine.
            if (req.connection() != null && req.connection().remoteAddress() != null) {
                try {
                    InetAddress connected = InetAddress.getByName(req.connection().remoteAddress().hostAddress());
                    if (TrackerUrlPolicy.isThisService(connected, port(uri), ownHttpPort)) {
                        req.reset();
                        return Future.failedFuture(ownPort(uri));
                    }
                } catch (UnknownHostException | RuntimeException e) {
                    // not a literal address (a Unix socket): nothing to judge
                }
            }
            return req.send().compose(response -> onResponse(first, uri, cookie, redirects, response, current, limit));
        });
    }

    private Future<Fetched> onResponse(URI first, URI uri, String cookie, int redirects, HttpClientResponse response,
            AtomicReference<HttpClientRequest> current, Duration limit) {
        int status = response.statusCode();
        String location = response.getHeader("Location");
        if (status >= 300 && status < 400 && location != null) {
            response.request().reset(); // the redirect's body is not wanted
            String target = location.trim();
            if (target.regionMatches(true, 0, "magnet:", 0, 7)) {
                return Future.succeededFuture(new Magnet(target));
            }
            if (redirects >= MAX_REDIRECTS) {
                return Future.failedFuture(new WebFetchException("could not fetch " + shown(first)
                        + ": more than " + MAX_REDIRECTS + " redirects"));
            }
            URI next;
            try {
                next = parse(uri.resolve(target).toString());
                checkTarget(next);
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(new WebFetchException("could not fetch " + shown(first)
                        + ": it redirected to an invalid address"));
            } catch (WebFetchException e) {
                return Future.failedFuture(e);
            }
            return get(first, next, cookie, redirects + 1, current, limit);
        }
        if (status < 200 || status > 299) {
            response.request().reset();
            return Future.failedFuture(new WebFetchException("could not fetch " + shown(first) + ": HTTP " + status));
        }
        String length = response.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > MAX_BYTES) {
                    response.request().reset();
                    return Future.failedFuture(tooLarge(first));
                }
            } catch (NumberFormatException e) {
                // a wrong Content-Length: the count while reading decides
            }
        }
        Promise<Fetched> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_BYTES) {
                if (promise.tryFail(tooLarge(first))) {
                    response.request().reset();
                }
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(promise::tryFail);
        response.endHandler(v -> {
            byte[] bytes = body.getBytes();
            // A .torrent is a bencoded dictionary; an HTML login page or an error text is not a torrent at all.
            if (bytes.length == 0 || bytes[0] != 'd') {
                promise.tryFail(new WebFetchException(shown(first) + " is not a torrent file"
                        + (bytes.length == 0 ? " (the answer was empty)" : "")));
            } else {
                promise.tryComplete(new TorrentBytes(shown(first), bytes));
            }
        });
        return promise.future();
    }

    private void checkTarget(URI uri) throws WebFetchException {
        InetAddress literal = TrackerUrlPolicy.literalAddress(uri.getHost());
        if (literal != null && TrackerUrlPolicy.isThisService(literal, port(uri), ownHttpPort)) {
            throw ownPort(uri);
        }
    }

    private static WebFetchException ownPort(URI uri) {
        return new WebFetchException("could not fetch " + shown(uri) + ": it points at this service's own port "
                + port(uri) + " (refused)");
    }

    private static WebFetchException tooLarge(URI uri) {
        return new WebFetchException("could not fetch " + shown(uri) + ": it is larger than "
                + MAX_BYTES / (1024 * 1024) + " MiB");
    }

    private static void checkCookie(String cookie) throws WebFetchException {
        if (cookie == null) {
            return;
        }
        if (cookie.length() > 8192 || cookie.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw new WebFetchException("the cookie must be one line of name=value pairs (at most 8 KiB)");
        }
    }

    private static URI parse(String link) throws WebFetchException {
        try {
            URI uri = new URI(link);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new WebFetchException("only http and https links to .torrent files and magnet links can be "
                        + "added, not " + (scheme.isEmpty() ? "\"" + clean(link) + "\"" : scheme + ": links"));
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new WebFetchException("\"" + clean(link) + "\" has no host name");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new WebFetchException("\"" + clean(link) + "\" is not a valid web address");
        }
    }

    private static String clean(String link) {
        String noQuery = link.indexOf('?') >= 0 ? link.substring(0, link.indexOf('?')) : link;
        return me.bittorrent.text.RemoteText.clean(noQuery, 200);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b)
                && a.getScheme().equalsIgnoreCase(b.getScheme());
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** The link as shown in answers and logs: without its query, which often carries an indexer's API key. */
    static String shown(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return me.bittorrent.text.RemoteText.clean(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost()
                + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path, 300);
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static void reset(HttpClientRequest request) {
        if (request != null) {
            request.reset();
        }
    }

    private static WebFetchException inWords(Throwable failure, URI uri, Duration limit) {
        if (failure instanceof WebFetchException e) {
            return e;
        }
        String where = "could not fetch " + shown(uri) + ": ";
        if (failure instanceof UnknownHostException) {
            return new WebFetchException(where + "the host name " + uri.getHost() + " could not be resolved");
        }
        if (failure instanceof ConnectException) {
            return new WebFetchException(where + "the connection was refused");
        }
        if (failure.getClass().getSimpleName().contains("Timeout")) {
            return new WebFetchException(where + "it took longer than " + seconds(limit));
        }
        if (failure instanceof javax.net.ssl.SSLException) {
            return new WebFetchException(where + "its TLS certificate was not accepted (" + failure.getMessage() + ")");
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return new WebFetchException(where + me.bittorrent.text.RemoteText.clean(message, 200));
    }
}
