package me.bittorrent.tracker;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * Which tracker URLs we may contact. A torrent's tracker URL is chosen by whoever made the torrent, and the
 * service sends a GET to it, so without rules a torrent could drive this service's own API
 * ({@code http://127.0.0.1:5001/remove/...}) or probe the local network:
 * <ul>
 * <li>never this service's own ports (its HTTP API, its peer port) on an address of this machine;
 * <li>libtorrent's SSRF rule: a tracker on a loopback or private address must have a path ending in
 * {@code /announce}, and no tracker URL may carry announce parameters of its own ({@code info_hash},
 * {@code event}, ...; a passkey is fine): only the ones we add;
 * <li>a redirect from a public tracker to a local address is refused.
 * </ul>
 * Only literal addresses and {@code localhost} are judged here (no DNS lookup on the event loop); a name that
 * resolves to a private address is contacted like any other name.
 */
public final class TrackerUrlPolicy {

    private TrackerUrlPolicy() {
    }

    /**
     * Whether {@code address:port} is this service's own HTTP API: an address of this machine (loopback, the
     * wildcard, one of its interfaces) and one of its ports. The rule the .torrent fetcher shares with trackers.
     */
    public static boolean isThisService(InetAddress address, int port, IntPredicate ownPort) {
        return address != null && (address.isLoopbackAddress() || address.isAnyLocalAddress() || isThisMachine(address))
                && ownPort.test(port);
    }

    /**
     * Throws when {@code uri} (the tracker's URL as the torrent gives it, before our parameters) may not be
     * contacted. {@code ownPort} says whether a port is one of this service's.
     */
    static void check(URI uri, boolean http, IntPredicate ownPort) throws TrackerException {
        if (http && hasAnnounceParameters(uri.getRawQuery())) {
            throw new TrackerException("the tracker URL carries announce parameters of its own: refused"
                    + " (SSRF protection)");
        }
        InetAddress address = literalAddress(uri.getHost());
        if (address == null || !isLocal(address) && !isThisMachine(address)) {
            return;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : http && "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        if (ownPort.test(port)) {
            throw new TrackerException("tracker URL points at this service's own port " + port + ": refused");
        }
        if (http && isLocal(address)) {
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (!path.endsWith("/announce")) {
                throw new TrackerException("a tracker on a local address must have a path ending in /announce:"
                        + " refused (SSRF protection)");
            }
        }
    }

    private static final java.util.Set<String> ANNOUNCE_PARAMETERS = java.util.Set.of("info_hash", "peer_id",
            "port", "uploaded", "downloaded", "left", "event", "compact", "numwant", "key", "no_peer_id", "ip",
            "ipv4", "ipv6", "corrupt", "redundant", "trackerid", "supportcrypto", "requirecrypto");

    static boolean hasAnnounceParameters(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            if (ANNOUNCE_PARAMETERS.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** A redirect target: the same rules, and never from a public tracker to a local one. */
    static void checkRedirect(URI from, URI to, IntPredicate ownPort) throws TrackerException {
        InetAddress target = literalAddress(to.getHost());
        InetAddress origin = literalAddress(from.getHost());
        if (target != null && isLocal(target) && (origin == null || !isLocal(origin))) {
            throw new TrackerException("tracker redirected to a local address: refused (SSRF protection)");
        }
        int port = to.getPort() > 0 ? to.getPort() : "https".equalsIgnoreCase(to.getScheme()) ? 443 : 80;
        if (target != null && (isLocal(target) || isThisMachine(target)) && ownPort.test(port)) {
            throw new TrackerException("tracker redirected to this service's own port " + port + ": refused");
        }
        String path = to.getRawPath() == null ? "" : to.getRawPath();
        if (target != null && isLocal(target) && !path.endsWith("/announce")) {
            throw new TrackerException("tracker redirected to a local address whose path does not end in"
                    + " /announce: refused (SSRF protection)");
        }
    }

    /** The address when {@code host} is an IP literal or localhost; null for other names. */
    public static InetAddress literalAddress(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.endsWith(".localhost") || lower.equals("localhost.")) {
            return InetAddress.getLoopbackAddress();
        }
        // Only forms InetAddress parses without a lookup: a dotted quad, or an IPv6 literal (it has a colon).
        boolean literal = h.indexOf(':') >= 0 || lower.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!literal) {
            return null;
        }
        try {
            return InetAddress.getByName(h); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    static boolean isLocal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 16) {
            return (b[0] & 0xfe) == 0xfc; // IPv6 unique local fc00::/7
        }
        return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // carrier-grade NAT 100.64.0.0/10
    }

    private static boolean isThisMachine(InetAddress a) {
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
