package me.bittorrent.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-site request refusal (as qBittorrent's CSRF protection): a state-changing request is refused with 403 when
 * its {@code Origin} or {@code Referer} names another host than its {@code Host}, or it says
 * {@code Sec-Fetch-Site: cross-site}. Requests with none of these headers (curl, scripts) pass.
 * State-changing: every method but GET/HEAD/OPTIONS, and GETs whose path starts with one of
 * {@link #STATE_CHANGING_GET_PREFIXES} (the original spec's GET actions).
 */
public class CsrfFilter {

    private static final Logger LOG = Logger.getLogger(CsrfFilter.class);

    /** GET routes that change state. Add a prefix here for every new GET action. */
    public static final List<String> STATE_CHANGING_GET_PREFIXES =
            List.of("/remove/", "/start/", "/pause/", "/resume/", "/stop/");
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @ServerRequestFilter(preMatching = true)
    public Response refuseCrossSite(HttpServerRequest request) {
        if (!changesState(request.method().name(), request.path())) {
            return null;
        }
        String reason = crossSiteReason(request.getHeader("Host"), request.getHeader("Origin"),
                request.getHeader("Referer"), request.getHeader("Sec-Fetch-Site"));
        if (reason == null) {
            return null;
        }
        LOG.warnf("Refused %s %s from another site (%s)", request.method().name(), request.path(), reason);
        return ErrorMappers.error(Response.Status.FORBIDDEN,
                new ApiError("Cross-site request refused: " + reason));
    }

    static boolean changesState(String method, String path) {
        if (!SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT))) {
            return true;
        }
        String normalized = path == null ? "" : path;
        return method.equalsIgnoreCase("GET")
                && STATE_CHANGING_GET_PREFIXES.stream().anyMatch(prefix -> normalized.startsWith(prefix)
                        || normalized.equals(prefix.substring(0, prefix.length() - 1)));
    }

    /** Null when the request may pass, else why not. */
    public static String crossSiteReason(String host, String origin, String referer, String secFetchSite) {
        if (secFetchSite != null && secFetchSite.trim().equalsIgnoreCase("cross-site")) {
            return "Sec-Fetch-Site is cross-site";
        }
        if (origin != null && !origin.isBlank()) {
            if (!sameHost(host, origin.trim())) {
                return "Origin " + origin.trim() + " is not this server";
            }
        } else if (referer != null && !referer.isBlank() && !sameHost(host, referer.trim())) {
            return "Referer is not this server";
        }
        return null;
    }

    /** Compares host and port ("localhost:5001") of {@code url} with the Host header; "null" origins never match. */
    private static boolean sameHost(String hostHeader, String url) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return false;
        }
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null || uri.getScheme() == null) {
                return false;
            }
            int defaultPort = uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            String theirs = authority(uri.getHost(), uri.getPort() < 0 ? defaultPort : uri.getPort());
            URI host = URI.create("http://" + hostHeader.trim());
            if (host.getHost() == null) {
                return false;
            }
            String ours = authority(host.getHost(), host.getPort() < 0 ? defaultPort : host.getPort());
            return theirs.equals(ours);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String authority(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }
}
