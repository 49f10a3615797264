package me.bittorrent.bencode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import me.bittorrent.bencode.BencodeException.Reason;

/**
 * The one bencode decoder for everything that arrives from outside (.torrent files, tracker replies, peer
 * extension messages, DHT packets) and for the files the service reads back. It is strict and bounded:
 * <ul>
 * <li>a string's claimed length is checked against the bytes actually left before anything is made of it, and
 * strings are views ({@link ByteBuffer} slices) of the input, so nothing is ever allocated for a claimed length;
 * <li>the input size, nesting depth and number of values are capped by {@link BencodeLimits};
 * <li>integers are canonical and fit in 64 bits, dictionary keys are strings and appear once (so every reader sees
 * the same values);
 * <li>it is iterative, so hostile nesting cannot overflow the stack.
 * </ul>
 * Values come out as {@code Map<String, Object>} (keys decoded as UTF-8, in input order), {@code List<Object>},
 * {@code Long} and read-only {@code ByteBuffer}.
 */
public final class BencodeDecoder {

    /** Bytes [start, end) of a value in the input. */
    public record Span(int start, int end) {
    }

    /**
     * A decoded value, where it ends in the input, and the raw spans of the values of a top-level dictionary's
     * keys (the info-hash is the SHA-1 of the info value's bytes exactly as they stand).
     */
    public record Decoded(Object value, int end, Map<String, Span> topLevelSpans) {

        @SuppressWarnings("unchecked")
        public Map<String, Object> dictionary() {
            return (Map<String, Object>) value;
        }
    }

    private final byte[] data;
    private final int limit;
    private final BencodeLimits limits;
    private int pos;
    private int items;

    private BencodeDecoder(byte[] data, int offset, int limit, BencodeLimits limits) {
        this.data = data;
        this.pos = offset;
        this.limit = limit;
        this.limits = limits;
    }

    /** Decodes exactly one value filling the whole input. */
    public static Decoded decode(byte[] data, BencodeLimits limits) throws BencodeException {
        Decoded decoded = decodePrefix(data, 0, data.length, limits);
        if (decoded.end() != data.length) {
            throw new BencodeException(Reason.TRAILING_DATA, "there is extra data after the value", decoded.end());
        }
        return decoded;
    }

    /** Decodes exactly one dictionary filling the whole input. */
    public static Map<String, Object> decodeDictionary(byte[] data, BencodeLimits limits) throws BencodeException {
        if (data.length > 0 && data[0] != 'd') {
            throw new BencodeException(Reason.MALFORMED, "the input is not a dictionary", 0);
        }
        return decode(data, limits).dictionary();
    }

    /**
     * Decodes the one value that starts at {@code offset} and ends before {@code offset + length}; what follows
     * it is left to the caller (a BEP 9 metadata piece follows its dictionary).
     */
    public static Decoded decodePrefix(byte[] data, int offset, int length, BencodeLimits limits)
            throws BencodeException {
        if (offset < 0 || length < 0 || offset + length > data.length || offset + length < 0) {
            throw new IllegalArgumentException("offset and length are outside the array");
        }
        if (length > limits.maxBytes()) {
            throw new BencodeException(Reason.TOO_LARGE, "the input is " + length + " bytes, more than the "
                    + limits.maxBytes() + " allowed", offset);
        }
        if (length == 0) {
            throw new BencodeException(Reason.MALFORMED, "the input is empty", offset);
        }
        BencodeDecoder decoder = new BencodeDecoder(data, offset, offset + length, limits);
        return decoder.walk();
    }

    /** One open list or dictionary. */
    private static final class Container {
        final List<Object> list;
        final Map<String, Object> dict;
        String pendingKey;
        int pendingKeyAt;

        Container(boolean isDict) {
            list = isDict ? null : new ArrayList<>();
            dict = isDict ? new LinkedHashMap<>() : null;
        }

        Object value() {
            return dict != null ? dict : list;
        }
    }

    private Decoded walk() throws BencodeException {
        List<Container> stack = new ArrayList<>();
        Map<String, Span> topSpans = new HashMap<>();
        int topValueStart = -1;
        Object result = null;
        do {
            Container open = stack.isEmpty() ? null : stack.get(stack.size() - 1);
            int valueStart = pos;
            byte b = peek();
            Object value;
            if (open != null && b == 'e') {
                if (open.dict != null && open.pendingKey != null) {
                    throw malformed("a dictionary key has no value");
                }
                pos++;
                stack.remove(stack.size() - 1);
                value = open.value();
            } else if (open != null && open.dict != null && open.pendingKey == null) {
                if (b < '0' || b > '9') {
                    throw malformed("a dictionary key is not a string");
                }
                countItem();
                int keyAt = pos;
                ByteBuffer raw = string();
                String key = StandardCharsets.UTF_8.decode(raw).toString();
                if (open.dict.containsKey(key)) {
                    throw new BencodeException(Reason.MALFORMED, "a dictionary has the same key twice ("
                            + Printable.of(key) + ")", keyAt);
                }
                open.pendingKey = key;
                open.pendingKeyAt = keyAt;
                if (stack.size() == 1) {
                    topValueStart = pos;
                }
                continue;
            } else {
                countItem();
                if (b == 'i') {
                    value = integer();
                } else if (b >= '0' && b <= '9') {
                    value = string();
                } else if (b == 'l' || b == 'd') {
                    if (stack.size() == limits.maxDepth()) {
                        throw new BencodeException(Reason.TOO_DEEP, "values are nested more than "
                                + limits.maxDepth() + " levels deep", valueStart);
                    }
                    pos++;
                    stack.add(new Container(b == 'd'));
                    continue;
                } else {
                    throw malformed("unexpected character '" + Printable.of(b) + "'");
                }
            }
            // A value is complete: add it to the container that is now open, or it is the result.
            Container parent = stack.isEmpty() ? null : stack.get(stack.size() - 1);
            if (parent == null) {
                result = value;
            } else if (parent.dict != null) {
                if (stack.size() == 1) {
                    topSpans.put(parent.pendingKey, new Span(topValueStart, pos));
                }
                parent.dict.put(parent.pendingKey, value);
                parent.pendingKey = null;
            } else {
                parent.list.add(value);
            }
        } while (!stack.isEmpty());
        return new Decoded(result, pos, Map.copyOf(topSpans));
    }

    private void countItem() throws BencodeException {
        if (++items > limits.maxItems()) {
            throw new BencodeException(Reason.TOO_MANY_ITEMS, "there are more than " + limits.maxItems()
                    + " values", pos);
        }
    }

    private Long integer() throws BencodeException {
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
                throw malformed("an integer contains '" + Printable.of(data[pos]) + "'");
            }
            // Accumulate negatively so Long.MIN_VALUE fits.
            if (value < (Long.MIN_VALUE + digit) / 10) {
                throw malformed("an integer is too large");
            }
            value = value * 10 - digit;
            pos++;
        }
        int digits = pos - firstDigit;
        if (digits == 0) {
            throw malformed("an integer has no digits", start);
        }
        if (data[firstDigit] == '0' && (digits > 1 || negative)) {
            throw malformed(negative ? "an integer is \"-0\"" : "an integer has a leading zero", start);
        }
        if (!negative && value == Long.MIN_VALUE) {
            throw malformed("an integer is too large", start);
        }
        pos++;
        return negative ? value : -value;
    }

    /** A read-only view of the string's bytes; its claimed length is checked against what is left first. */
    private ByteBuffer string() throws BencodeException {
        int start = pos;
        long length = 0;
        while (peek() != ':') {
            int digit = data[pos] - '0';
            if (digit < 0 || digit > 9) {
                throw malformed("a string length contains '" + Printable.of(data[pos]) + "'", start);
            }
            length = length * 10 + digit;
            if (length > Integer.MAX_VALUE) {
                throw malformed("a string length is too large", start);
            }
            pos++;
        }
        if (data[start] == '0' && pos - start > 1) {
            throw malformed("a string length has a leading zero", start);
        }
        pos++;
        if (length > limit - pos) {
            throw malformed("a string of " + length + " bytes runs past the end of the input", start);
        }
        ByteBuffer view = ByteBuffer.wrap(data, pos, (int) length).slice().asReadOnlyBuffer();
        pos += (int) length;
        return view;
    }

    private byte peek() throws BencodeException {
        if (pos >= limit) {
            throw malformed("the input ends in the middle of a value");
        }
        return data[pos];
    }

    private BencodeException malformed(String detail) {
        return malformed(detail, pos);
    }

    private static BencodeException malformed(String detail, int at) {
        return new BencodeException(Reason.MALFORMED, detail, at);
    }
}
