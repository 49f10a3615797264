package me.bittorrent.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Deterministic bencode fuzz inputs for the bencode entry points: each input is one of the seeds (valid inputs of
 * that entry point) mutated by a few of the edits an attacker or a broken client would make (flipped and inserted
 * bytes, truncation, splices, huge string length claims, deep nesting, numbers at the edges of 64 bits).
 * The same seed gives the same inputs, so a failure is reproduced by its iteration number.
 *
 * <p>The number of inputs per test is {@code -Dfuzz.iterations=N} (default {@link #DEFAULT_ITERATIONS}); see
 * README.md for a long run.
 */
public final class BencodeFuzzer {

    /** Per entry point; three entry points make well over 100,000 inputs in a normal test run. */
    public static final int DEFAULT_ITERATIONS = 40_000;

    private static final String[] TOKENS = {
        "d", "l", "e", "i", "0", "1", "-", ":", "i-0e", "i00e", "i9223372036854775808e", "i-9223372036854775808e",
        "2000000000:", "4294967296:", "99999999999999999999:", "0:", "1:x", "4:info", "5:peers", "8:interval",
        "14:failure reason", "4:reqq", "1:v", "6:length", "5:files", "4:path", "12:piece length", "6:pieces",
        "4:name", "d4:pathle6:lengthi0ee", "le", "de", "4:attr1:p", "i-1e", "i0e",
    };

    private final Random random;
    private final List<byte[]> seeds;

    public BencodeFuzzer(long seed, List<byte[]> seeds) {
        this.random = new Random(seed);
        this.seeds = seeds;
    }

    public static int iterations() {
        return Integer.getInteger("fuzz.iterations", DEFAULT_ITERATIONS);
    }

    /** The next input. */
    public byte[] next() {
        int kind = random.nextInt(20);
        if (kind == 0) {
            return nesting();
        }
        if (kind == 1) {
            return tokens();
        }
        byte[] input = seeds.get(random.nextInt(seeds.size())).clone();
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            input = edit(input);
        }
        return input;
    }

    private byte[] edit(byte[] in) {
        if (in.length == 0) {
            return ascii(TOKENS[random.nextInt(TOKENS.length)]);
        }
        int at = random.nextInt(in.length);
        return switch (random.nextInt(7)) {
            case 0 -> { // flip a bit
                in[at] ^= (byte) (1 << random.nextInt(8));
                yield in;
            }
            case 1 -> { // set a byte to a bencode-significant one
                in[at] = (byte) "dlie0123456789:-".charAt(random.nextInt(16));
                yield in;
            }
            case 2 -> java.util.Arrays.copyOf(in, at); // truncate
            case 3 -> splice(in, at, at + random.nextInt(Math.min(8, in.length - at) + 1),
                    ascii(TOKENS[random.nextInt(TOKENS.length)])); // replace a few bytes with a token
            case 4 -> splice(in, at, at, ascii(TOKENS[random.nextInt(TOKENS.length)])); // insert a token
            case 5 -> { // a string length claiming far more than is there
                int digit = indexOfDigitRun(in, at);
                yield digit < 0 ? in : splice(in, digit, digit, ascii(String.valueOf(1 + random.nextInt(9))
                        + "0".repeat(random.nextInt(10))));
            }
            default -> { // duplicate a slice of itself (repeated keys, doubled containers)
                int end = at + random.nextInt(in.length - at + 1);
                yield splice(in, end, end, java.util.Arrays.copyOfRange(in, at, end));
            }
        };
    }

    private byte[] nesting() {
        int depth = random.nextInt(3000);
        String open = random.nextBoolean() ? "l" : "d1:a";
        StringBuilder s = new StringBuilder("d1:a");
        s.append(open.repeat(depth));
        if (random.nextBoolean()) {
            s.append("e".repeat(depth)).append('e');
        }
        return ascii(s.toString());
    }

    private byte[] tokens() {
        StringBuilder s = new StringBuilder("d");
        int n = random.nextInt(64);
        for (int i = 0; i < n; i++) {
            s.append(TOKENS[random.nextInt(TOKENS.length)]);
        }
        return ascii(s.toString());
    }

    private int indexOfDigitRun(byte[] in, int from) {
        for (int i = from; i < in.length; i++) {
            if (in[i] >= '0' && in[i] <= '9') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] splice(byte[] in, int from, int to, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + insert.length);
        out.write(in, 0, from);
        out.write(insert, 0, insert.length);
        out.write(in, to, in.length - to);
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
