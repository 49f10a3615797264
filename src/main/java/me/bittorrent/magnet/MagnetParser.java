package me.bittorrent.magnet;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import me.bittorrent.metainfo.InfoHash;

/**
 * A strict BEP 9 magnet URI parser. Refuses rather than guesses: one {@code xt=urn:btih:} (40 hex or 32 base32
 * characters; a second, different btih is refused), bounded lengths and counts, trackers that are http(s) or udp
 * URLs, peers as {@code host:port} / {@code [v6]:port}, and BEP 53 {@code so} ranges. Unknown parameters are
 * ignored (BEP 9 allows extensions), {@code urn:btmh:} (v2) alone is refused: we cannot fetch v2-only torrents.
 */
public final class MagnetParser {

    public static final int MAX_LENGTH = 64 * 1024;
    public static final int MAX_TRACKERS = 100;
    public static final int MAX_PEERS = 200;
    public static final int MAX_RANGES = 1000;
    public static final int MAX_FILE_INDEX = 1_000_000;
    private static final int MAX_PARAMETER = 4096;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private MagnetParser() {
    }

    public static MagnetLink parse(String uri) throws InvalidMagnetException {
        if (uri == null || uri.isBlank()) {
            throw new InvalidMagnetException("The magnet link is empty");
        }
        uri = uri.strip();
        if (uri.length() > MAX_LENGTH) {
            throw new InvalidMagnetException("The magnet link is longer than " + MAX_LENGTH + " characters");
        }
        if (!uri.regionMatches(true, 0, "magnet:?", 0, 8)) {
            int colon = uri.indexOf(':');
            String scheme = colon > 0 && colon < 20 ? uri.substring(0, colon) : "";
            throw new InvalidMagnetException(scheme.isEmpty()
                    ? "This is not a magnet link (it must start with 'magnet:?')"
                    : "Unknown link scheme '" + scheme + "': only 'magnet:?' links are accepted");
        }
        InfoHash hash = null;
        boolean sawV2 = false;
        String name = null;
        Set<String> trackers = new LinkedHashSet<>();
        List<MagnetLink.Peer> peers = new ArrayList<>();
        List<MagnetLink.FileRange> ranges = new ArrayList<>();
        for (String pair : uri.substring(8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : decode(key, pair.substring(eq + 1));
            if (value.length() > MAX_PARAMETER) {
                throw new InvalidMagnetException("The magnet parameter '" + key + "' is longer than "
                        + MAX_PARAMETER + " characters");
            }
            // BEP 9 allows numbered keys (xt.1, tr.2): they mean the same as the plain key
            String base = key.matches("[a-z.]+\\.\\d+") ? key.substring(0, key.lastIndexOf('.')) : key;
            switch (base) {
                case "xt" -> {
                    if (value.regionMatches(true, 0, "urn:btmh:", 0, 9)) {
                        sawV2 = true;
                        continue;
                    }
                    InfoHash h = btih(value);
                    if (hash != null && !hash.equals(h)) {
                        throw new InvalidMagnetException("The magnet link names two different info-hashes");
                    }
                    hash = h;
                }
                case "dn" -> name = value.isBlank() ? null : value;
                case "tr" -> {
                    trackers.add(tracker(value));
                    if (trackers.size() > MAX_TRACKERS) {
                        throw new InvalidMagnetException("The magnet link has more than " + MAX_TRACKERS + " trackers");
                    }
                }
                case "x.pe" -> {
                    peers.add(peer(value));
                    if (peers.size() > MAX_PEERS) {
                        throw new InvalidMagnetException("The magnet link has more than " + MAX_PEERS + " peers");
                    }
                }
                case "so" -> ranges(value, ranges);
                default -> {
                    // ws, xs, as, kt, xl...: allowed, not used
                }
            }
        }
        if (hash == null) {
            throw new InvalidMagnetException(sawV2
                    ? "The magnet link has only a BitTorrent v2 hash (urn:btmh:); a v1 'xt=urn:btih:' is needed"
                    : "The magnet link has no 'xt=urn:btih:' info-hash");
        }
        return new MagnetLink(hash, name, List.copyOf(trackers), peers, ranges);
    }

    private static InfoHash btih(String value) throws InvalidMagnetException {
        if (!value.regionMatches(true, 0, "urn:btih:", 0, 9)) {
            throw new InvalidMagnetException("Unsupported 'xt' value: only 'urn:btih:' is accepted");
        }
        String h = value.substring(9);
        if (h.length() == 40 && h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return InfoHash.fromHex(h.toLowerCase(Locale.ROOT));
        }
        if (h.length() == 32) {
            byte[] out = new byte[20];
            long buffer = 0;
            int bits = 0;
            int n = 0;
            for (char c : h.toUpperCase(Locale.ROOT).toCharArray()) {
                int v = BASE32.indexOf(c);
                if (v < 0) {
                    throw new InvalidMagnetException("The info-hash '" + h + "' is not valid base32");
                }
                buffer = (buffer << 5) | v;
                bits += 5;
                if (bits >= 8) {
                    bits -= 8;
                    out[n++] = (byte) (buffer >> bits);
                }
            }
            return new InfoHash(out);
        }
        throw new InvalidMagnetException("The info-hash must be 40 hex or 32 base32 characters, got "
                + h.length() + " characters");
    }

    private static String tracker(String value) throws InvalidMagnetException {
        try {
            URI u = new URI(value);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!List.of("http", "https", "udp").contains(scheme) || u.getHost() == null) {
                throw new InvalidMagnetException("Tracker '" + value + "' is not an http, https or udp URL");
            }
            return value;
        } catch (URISyntaxException e) {
            throw new InvalidMagnetException("Tracker '" + value + "' is not a valid URL");
        }
    }

    private static MagnetLink.Peer peer(String value) throws InvalidMagnetException {
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new InvalidMagnetException("Peer '" + value + "': an IPv6 address must be in brackets");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535 || !host.matches("[A-Za-z0-9.:%_-]+")) {
            throw new InvalidMagnetException("Peer '" + value + "' is not host:port");
        }
        return new MagnetLink.Peer(host, port);
    }

    private static void ranges(String value, List<MagnetLink.FileRange> out) throws InvalidMagnetException {
        for (String part : value.split(",", -1)) {
            String[] ends = part.split("-", -1);
            if (ends.length > 2) {
                throw new InvalidMagnetException("File selection 'so=" + value + "': '" + part + "' is not a range");
            }
            int first = index(ends[0], value);
            int last = ends.length == 2 ? index(ends[1], value) : first;
            if (last < first) {
                throw new InvalidMagnetException("File selection 'so=" + value + "': range " + part + " is reversed");
            }
            out.add(new MagnetLink.FileRange(first, last));
            if (out.size() > MAX_RANGES) {
                throw new InvalidMagnetException("File selection 'so' has more than " + MAX_RANGES + " ranges");
            }
        }
    }

    private static int index(String s, String whole) throws InvalidMagnetException {
        if (s.isEmpty() || s.length() > 7 || !s.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(s) > MAX_FILE_INDEX) {
            throw new InvalidMagnetException("File selection 'so=" + whole + "': '" + s
                    + "' is not a file index (0.." + MAX_FILE_INDEX + ")");
        }
        return Integer.parseInt(s);
    }

    /** Percent-decoding as UTF-8, strict: a broken escape or invalid UTF-8 is refused. '+' is a space. */
    private static String decode(String key, String s) throws InvalidMagnetException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            int c = s.codePointAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new InvalidMagnetException("The magnet parameter '" + key + "' has a broken %-escape");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+') {
                out.write(' ');
            } else {
                byte[] b = Character.toString(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += Character.charCount(c) - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidMagnetException("The magnet parameter '" + key + "' is not valid UTF-8");
        }
    }
}
