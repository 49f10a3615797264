package me.bittorrent.lsd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.bittorrent.metainfo.InfoHash;

/**
 * BEP 14 datagrams, both ways. Rendering follows libtorrent's {@code lsd.cpp} byte for byte for one hash
 * ({@code BT-SEARCH * HTTP/1.1}, {@code Host}, {@code Port}, {@code Infohash}, {@code cookie}, then an empty line and
 * one more CRLF), with several {@code Infohash} lines when batching (BEP 14 allows it; libtorrent, qBittorrent and
 * Transmission read every one). Parsing is strict and bounded: a datagram over {@link #MAX_PACKET} bytes, more than
 * {@link #MAX_HEADERS} header lines, a line without a colon, another request line or a missing/invalid port is
 * garbage; a malformed {@code Infohash} value is skipped (like libtorrent), a duplicate counted once.
 */
public final class LsdCodec {

    public static final String GROUP = "239.192.152.143";
    public static final int PORT = 6771;
    /** Larger datagrams are dropped unread (a LAN MTU; libtorrent reads into 1,500 bytes). */
    public static final int MAX_PACKET = 1400;
    /** Header lines read at most; a packet of 1,400 bytes holds about 26 Infohash lines. */
    public static final int MAX_HEADERS = 40;
    /** Hashes we put in one datagram: 20 x 52 bytes plus the rest stays far below {@link #MAX_PACKET}. */
    public static final int MAX_HASHES_PER_PACKET = 20;

    private static final String REQUEST_LINE = "BT-SEARCH * HTTP/1.1";

    private LsdCodec() {
    }

    /** Why a datagram was refused. */
    public static final class MalformedException extends Exception {
        public MalformedException(String message) {
            super(message, null, false, false); // no stack trace: garbage from a LAN is not an error of ours
        }
    }

    /** Our announce of {@code hashes} (1 to {@link #MAX_HASHES_PER_PACKET}) on TCP {@code port}. */
    public static byte[] render(int port, List<InfoHash> hashes, String cookie) {
        if (hashes.isEmpty() || hashes.size() > MAX_HASHES_PER_PACKET) {
            throw new IllegalArgumentException("1 to " + MAX_HASHES_PER_PACKET + " hashes per datagram");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        StringBuilder s = new StringBuilder(128 + 52 * hashes.size());
        s.append(REQUEST_LINE).append("\r\n");
        s.append("Host: ").append(GROUP).append(':').append(PORT).append("\r\n");
        s.append("Port: ").append(port).append("\r\n");
        for (InfoHash h : hashes) {
            s.append("Infohash: ").append(h.hex()).append("\r\n");
        }
        s.append("cookie: ").append(cookie).append("\r\n");
        s.append("\r\n\r\n");
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A received datagram, or {@link MalformedException} saying why it is garbage. */
    public static LsdAnnounce parse(byte[] data, int length) throws MalformedException {
        if (length > MAX_PACKET) {
            throw new MalformedException("datagram of " + length + " bytes (at most " + MAX_PACKET + ")");
        }
        String text = new String(data, 0, length, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int endLf = text.indexOf("\n\n");
        if (end < 0 && endLf < 0) {
            throw new MalformedException("no end of headers");
        }
        String head = end >= 0 && (endLf < 0 || end < endLf) ? text.substring(0, end) : text.substring(0, endLf);
        String[] lines = head.split("\r?\n", MAX_HEADERS + 2);
        if (lines.length > MAX_HEADERS + 1) {
            throw new MalformedException("more than " + MAX_HEADERS + " header lines");
        }
        if (!lines[0].trim().equalsIgnoreCase(REQUEST_LINE)) {
            throw new MalformedException("not a BT-SEARCH request");
        }
        int port = -1;
        String cookie = null;
        List<InfoHash> hashes = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedException("a header line without a name");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "port" -> {
                    if (port >= 0) {
                        throw new MalformedException("two Port headers");
                    }
                    port = parsePort(value);
                }
                case "infohash" -> {
                    InfoHash h = hash(value);
                    if (h != null && !hashes.contains(h)) {
                        hashes.add(h);
                    }
                }
                case "cookie" -> cookie = value.length() <= 64 ? value.toLowerCase(Locale.ROOT) : null;
                default -> {
                    // Host and anything a newer client adds: not needed
                }
            }
        }
        if (port < 0) {
            throw new MalformedException("no Port header");
        }
        return new LsdAnnounce(port, hashes, cookie);
    }

    private static int parsePort(String value) throws MalformedException {
        if (value.isEmpty() || value.length() > 5 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedException("a Port that is not a number");
        }
        int port = Integer.parseInt(value);
        if (port < 1 || port > 65535) {
            throw new MalformedException("port " + port + " out of range");
        }
        return port;
    }

    /** A 40-hex-digit info-hash (not all zeros), else null. */
    private static InfoHash hash(String value) {
        if (value.length() != 40) {
            return null;
        }
        for (int i = 0; i < 40; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return null;
            }
        }
        InfoHash h = InfoHash.fromHex(value.toLowerCase(Locale.ROOT));
        for (byte b : h.bytes()) {
            if (b != 0) {
                return h;
            }
        }
        return null;
    }
}
