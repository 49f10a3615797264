package me.bittorrent.metainfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A strict bencode validator that walks tokens without building objects. It exists because the info-hash is the
 * SHA-1 of the info value's bytes exactly as they stand in the file, and a decoding library cannot tell where
 * those bytes are. It also enforces what the decoder does not: canonical integers that fit in 64 bits
 * (dampcake would silently wrap larger ones), string keys, no duplicate keys (so every reader sees the same
 * values), nesting and item limits, and nothing after the top-level value.
 */
final class BencodeScanner {

    static final int MAX_DEPTH = 100;
    static final int MAX_TOKENS = 2_000_000;

    /** Bytes [start, end) of a value. */
    record Span(int start, int end) {
    }

    private final byte[] data;
    private int pos;
    private int tokens;

    private BencodeScanner(byte[] data) {
        this.data = data;
    }

    /**
     * Validates {@code data} as exactly one bencoded dictionary and returns the raw span of its top-level
     * {@code info} value, or null when there is none.
     */
    static Span scanTorrent(byte[] data) throws InvalidTorrentException {
        if (data.length == 0) {
            throw new InvalidTorrentException("The .torrent file is empty");
        }
        BencodeScanner scanner = new BencodeScanner(data);
        Span info = scanner.walk();
        if (scanner.pos != data.length) {
            throw new InvalidTorrentException(
                    "The .torrent file has extra data after its end (at byte " + scanner.pos + ")");
        }
        if (data[0] != 'd') {
            throw new InvalidTorrentException("The .torrent file does not hold a dictionary at the top level");
        }
        return info;
    }

    /** Walks one value iteratively (no recursion, so hostile nesting cannot overflow the stack). */
    private Span walk() throws InvalidTorrentException {
        boolean[] isDict = new boolean[MAX_DEPTH + 1];
        boolean[] expectKey = new boolean[MAX_DEPTH + 1];
        List<Set<String>> keys = new ArrayList<>();
        keys.add(null);
        int depth = 0;
        boolean infoNext = false;
        int infoStart = -1;
        Span info = null;
        do {
            int valueStart = pos;
            byte b = peek();
            if (depth > 0 && b == 'e') {
                if (isDict[depth] && !expectKey[depth]) {
                    throw notBencode("a dictionary key has no value");
                }
                pos++;
                keys.remove(depth);
                depth--;
            } else if (depth > 0 && isDict[depth] && expectKey[depth]) {
                if (b < '0' || b > '9') {
                    throw notBencode("a dictionary key is not a string");
                }
                countToken();
                int keyStart = pos;
                skipString();
                String key = new String(data, keyStart, pos - keyStart, StandardCharsets.ISO_8859_1);
                if (!keys.get(depth).add(key)) {
                    throw notBencode("a dictionary has the same key twice (" + key.substring(key.indexOf(':') + 1)
                            + ")", keyStart);
                }
                expectKey[depth] = false;
                infoNext = depth == 1 && key.equals("4:info");
                continue;
            } else {
                countToken();
                if (depth == 1 && infoNext) {
                    infoStart = valueStart;
                }
                if (b == 'i') {
                    skipInteger();
                } else if (b >= '0' && b <= '9') {
                    skipString();
                } else if (b == 'l' || b == 'd') {
                    if (depth == MAX_DEPTH) {
                        throw new InvalidTorrentException(
                                "The .torrent file is nested more than " + MAX_DEPTH + " levels deep");
                    }
                    pos++;
                    depth++;
                    isDict[depth] = b == 'd';
                    expectKey[depth] = true;
                    keys.add(b == 'd' ? new HashSet<>() : null);
                    continue;
                } else {
                    throw notBencode("unexpected character '" + printable(b) + "'");
                }
            }
            // A value ended at depth: its dictionary now expects a key; the info value's span is complete.
            if (depth > 0 && isDict[depth]) {
                expectKey[depth] = true;
            }
            if (depth == 1 && infoStart >= 0 && info == null) {
                info = new Span(infoStart, pos);
            }
        } while (depth > 0);
        return info;
    }

    private void countToken() throws InvalidTorrentException {
        if (++tokens > MAX_TOKENS) {
            throw new InvalidTorrentException("The .torrent file has more than " + MAX_TOKENS + " bencode items");
        }
    }

    private void skipInteger() throws InvalidTorrentException {
        int start = pos++;
        boolean negative = peek() == '-';
        if (negative) {
            pos++;
        }
        int firstDigit = pos;
        long value = 0;
        while (peek() != 'e') {
            int digit = data[pos] - '0';
            if (digit < 0 || digit > 9) {
                throw notBencode("an integer contains '" + printable(data[pos]) + "'");
            }
            // Accumulate negatively so Long.MIN_VALUE fits.
            if (value < (Long.MIN_VALUE + digit) / 10) {
                throw notBencode("an integer is too large");
            }
            value = value * 10 - digit;
            pos++;
        }
        int digits = pos - firstDigit;
        if (digits == 0) {
            throw notBencode("an integer has no digits", start);
        }
        if (data[firstDigit] == '0' && (digits > 1 || negative)) {
            throw notBencode(negative ? "an integer is \"-0\"" : "an integer has a leading zero", start);
        }
        if (!negative && value == Long.MIN_VALUE) {
            throw notBencode("an integer is too large", start);
        }
        pos++;
    }

    private void skipString() throws InvalidTorrentException {
        int start = pos;
        long length = 0;
        while (peek() != ':') {
            int digit = data[pos] - '0';
            if (digit < 0 || digit > 9) {
                throw notBencode("a string length contains '" + printable(data[pos]) + "'", start);
            }
            length = length * 10 + digit;
            if (length > Integer.MAX_VALUE) {
                throw notBencode("a string length is too large", start);
            }
            pos++;
        }
        if (data[start] == '0' && pos - start > 1) {
            throw notBencode("a string length has a leading zero", start);
        }
        pos++;
        if (length > data.length - pos) {
            throw notBencode("a string of " + length + " bytes runs past the end of the file", start);
        }
        pos += (int) length;
    }

    private byte peek() throws InvalidTorrentException {
        if (pos >= data.length) {
            throw notBencode("the file ends in the middle of a value");
        }
        return data[pos];
    }

    private InvalidTorrentException notBencode(String detail) {
        return notBencode(detail, pos);
    }

    private static InvalidTorrentException notBencode(String detail, int at) {
        return new InvalidTorrentException("The .torrent file is not valid bencode: " + detail + " (at byte " + at
                + ")");
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
