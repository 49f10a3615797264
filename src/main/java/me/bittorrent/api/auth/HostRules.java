package me.bittorrent.api.auth;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Host allow-list against DNS rebinding: a page on evil.example whose name is re-pointed at this machine sends
 * {@code Host: evil.example}; an IP literal, {@code localhost} or a name the owner listed (BT_ALLOWED_HOSTS) is
 * what a real user types. Pure text checks: nothing is resolved.
 */
final class HostRules {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+(%[0-9A-Za-z_.-]+)?");

    private HostRules() {
    }

    /** True when the Host header's name (port aside) is an IP literal, localhost or in {@code allowed}. */
    static boolean allowed(String hostHeader, List<String> allowed) {
        String name = hostName(hostHeader);
        if (name == null) {
            return false;
        }
        if (name.equals("localhost") || IPV4.matcher(name).matches() || isBracketedIpv6(name)) {
            return true;
        }
        return allowed.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).anyMatch(name::equals);
    }

    /** The name part of a Host header, lower case, without port and trailing dot; null when there is none. */
    static String hostName(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return null;
        }
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? null : host.substring(0, end + 1);
        }
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.isEmpty() ? null : host;
    }

    private static boolean isBracketedIpv6(String name) {
        return name.length() > 2 && name.startsWith("[") && name.endsWith("]")
                && name.contains(":") && IPV6.matcher(name.substring(1, name.length() - 1)).matches();
    }
}
