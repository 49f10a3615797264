package me.bittorrent.api.auth;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may drive the service. A Vert.x filter, not a JAX-RS one: it sees EVERY request (the REST routes, the
 * dashboard, static files, the SSE stream and Quarkus' own /q/* endpoints), which a JAX-RS filter would not.
 * <p>
 * Order: security headers on every answer; the probes always pass; the Host allow-list ({@link HostRules}) when
 * sign-in cannot stop a rebinding page (sign-in off, or a localhost bypass) or when the owner set a list; a banned
 * address is refused; then one of HTTP Basic, {@code Authorization: Bearer <API key>} or the session cookie.
 * Without credentials an API call gets 401 {"detail"} and a page navigation is sent to /login.
 */
@ApplicationScoped
public class AuthFilter {

    private static final Logger LOG = Logger.getLogger(AuthFilter.class);
    /** Above Quarkus' own filters (CORS is 100), so nothing runs for a refused request. */
    static final int PRIORITY = 200;
    static final Set<String> PROBES = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");
    private static final Pattern BEARER_TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{1,200}");
    private static final int MAX_BASIC = 2048;

    @Inject
    AuthConfig config;
    @Inject
    Credentials credentials;
    @Inject
    SessionTokens sessions;
    @Inject
    SignInGuard guard;

    void register(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        ctx.addHeadersEndHandler(v -> SecurityHeaders.add(ctx.response(), path));
        if (PROBES.contains(path)) {
            ctx.next();
            return;
        }
        HttpServerRequest request = ctx.request();
        String address = clientAddress(request);
        boolean bypass = config.enabled() && config.localhostBypass() && isLoopback(address);
        if ((!config.enabled() || bypass || config.allowedHosts().isPresent())
                && !HostRules.allowed(request.getHeader("Host"), config.allowedHosts().orElse(List.of()))) {
            LOG.warnf("Refused %s %s for Host '%s' from %s: not an IP address, localhost or a name in "
                    + "BT_ALLOWED_HOSTS", request.method(), path, request.getHeader("Host"), address);
            refuse(ctx, 403, "Host '" + request.getHeader("Host") + "' is not allowed; add it to BT_ALLOWED_HOSTS",
                    false);
            return;
        }
        if (!config.enabled() || bypass || isPublic(path)) {
            ctx.next();
            return;
        }
        Optional<Duration> ban = guard.banRemaining(address);
        if (ban.isPresent()) {
            refuse(ctx, 403, banned(ban.get()), false);
            return;
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null) {
            checkAuthorization(ctx, authorization.trim(), address);
            return;
        }
        Cookie cookie = request.getCookie(SessionTokens.COOKIE);
        if (cookie != null && sessions.verify(cookie.getValue()).isPresent()) {
            ctx.next();
            return;
        }
        // qBittorrent clients: the same session token, as cookie SID (only on the WebAPI's paths)
        String sid = QbittorrentAuth.isApi(path) ? QbittorrentAuth.sid(request.getHeader("Cookie")) : null;
        if (sid != null && sessions.verify(sid).isPresent()) {
            ctx.next();
            return;
        }
        unauthenticated(ctx);
    }

    private void checkAuthorization(RoutingContext ctx, String authorization, String address) {
        int space = authorization.indexOf(' ');
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        String value = space < 0 ? "" : authorization.substring(space + 1).trim();
        if (value.length() > MAX_BASIC) {
            refuse(ctx, 400, "The Authorization header is too long", false);
        } else if (scheme.equalsIgnoreCase("Bearer")) {
            if (!BEARER_TOKEN.matcher(value).matches()) {
                refuse(ctx, 400, "Malformed Authorization header: send 'Bearer <API key>'", false);
            } else if (credentials.apiKey(value).isPresent()) {
                guard.succeeded(address);
                ctx.next();
            } else {
                failed(ctx, address, "unknown API key", "Unknown or revoked API key");
            }
        } else if (scheme.equalsIgnoreCase("Basic")) {
            String[] pair = basicPair(value);
            if (pair == null) {
                refuse(ctx, 400, "Malformed Authorization header: send 'Basic <base64 of user:password>'", false);
            } else if (credentials.knownGood(pair[0], pair[1])) {
                guard.succeeded(address);
                ctx.next();
            } else {
                // PBKDF2 takes a few hundred ms: on a worker. Quarkus keeps the request paused until a handler
                // reads it, so calling next() later loses no body.
                ctx.vertx().executeBlocking(() -> credentials.verify(pair[0], pair[1]), false)
                        .onComplete(result -> {
                            if (result.succeeded() && result.result()) {
                                guard.succeeded(address);
                                ctx.next();
                            } else {
                                failed(ctx, address, "HTTP Basic", "Wrong user name or password");
                            }
                        });
            }
        } else {
            // not a credential this service knows: like none at all (not counted as a failure)
            refuse(ctx, 401, "Unsupported Authorization scheme '" + scheme
                    + "': use Basic (user and password) or Bearer (an API key)", true);
        }
    }

    /** user and password of a Basic value, null when it is not base64 of "user:password". */
    static String[] basicPair(String value) {
        if (value.isEmpty() || value.length() > MAX_BASIC) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private void failed(RoutingContext ctx, String address, String how, String detail) {
        if (guard.failed(address, how)) {
            refuse(ctx, 403, banned(config.banDuration()), false);
        } else {
            refuse(ctx, 401, detail, true);
        }
    }

    private void unauthenticated(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String accept = request.getHeader("Accept");
        boolean navigation = !QbittorrentAuth.isApi(ctx.normalizedPath())
                && (request.method().name().equals("GET") || request.method().name().equals("HEAD"))
                && accept != null && accept.contains("text/html");
        if (navigation) {
            String next = request.uri();
            ctx.response().setStatusCode(303)
                    .putHeader("Location", "/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8))
                    .putHeader("Cache-Control", "no-store")
                    .end();
            return;
        }
        refuse(ctx, 401, "Sign-in required: send HTTP Basic credentials or an API key "
                + "(Authorization: Bearer <key>), or sign in at /login", true);
    }

    private void refuse(RoutingContext ctx, int status, String detail, boolean challenge) {
        if (QbittorrentAuth.isApi(ctx.normalizedPath()) && (status == 401 || status == 403)) {
            // as qBittorrent: 403 in plain text, no challenge (a 401 makes Sonarr report "failed to connect")
            ctx.response().setStatusCode(403).putHeader("Content-Type", "text/plain; charset=UTF-8")
                    .putHeader("Cache-Control", "no-store").end(status == 401 ? "Forbidden" : detail);
            return;
        }
        var response = ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store");
        // a browser's own fetch (it sends Sec-Fetch-Mode) must not pop up the browser's Basic dialog
        if (challenge && ctx.request().getHeader("Sec-Fetch-Mode") == null) {
            // transmission-remote sends its credentials only after a challenge; it shows the realm
            response.putHeader("WWW-Authenticate", isTransmissionRpc(ctx.normalizedPath())
                    ? "Basic realm=\"Transmission\"" : "Basic realm=\"bittorrent-me\", charset=\"UTF-8\"");
        }
        response.end(new JsonObject().put("detail", detail).encode());
    }

    /** Transmission's RPC (api.transmission.TransmissionRpc.PATH), with and without the trailing slash. */
    static boolean isTransmissionRpc(String path) {
        return "/transmission/rpc".equals(path) || "/transmission/rpc/".equals(path);
    }

    public static String banned(Duration remaining) {
        return "Too many failed sign-ins from this address: refused for " + SignInGuard.describe(remaining);
    }

    /** Open without sign-in: the sign-in page, what it loads, and /q/metrics when BT_METRICS_PUBLIC=true. */
    private boolean isPublic(String path) {
        return path.equals("/login") || path.equals("/logout") || path.equals("/favicon.ico")
                || path.equals(QbittorrentAuth.LOGIN) // answers Ok./Fails. itself and counts failures
                || path.startsWith("/webjars/") || path.startsWith("/ui/")
                || (config.metricsPublic() && path.equals("/q/metrics"));
    }

    public static String clientAddress(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    }

    static boolean isLoopback(String address) {
        return address.equals("127.0.0.1") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1");
    }
}
