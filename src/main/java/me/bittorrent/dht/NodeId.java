package me.bittorrent.dht;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/** A 160-bit DHT identifier (node id, info-hash or lookup target); distance is XOR. */
public record NodeId(byte[] bytes) {

    public static final int LENGTH = 20;

    public NodeId {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a DHT id is 20 bytes");
        }
        bytes = bytes.clone();
    }

    public static NodeId random(SecureRandom random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        return new NodeId(b);
    }

    public static NodeId fromHex(String hex) {
        return new NodeId(HexFormat.of().parseHex(hex));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** XOR distance as an unsigned number, for ordering. */
    public BigInteger distance(NodeId other) {
        byte[] d = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            d[i] = (byte) (bytes[i] ^ other.bytes[i]);
        }
        return new BigInteger(1, d);
    }

    /** Number of leading bits this id shares with {@code other} (160 when equal). */
    public int commonPrefix(NodeId other) {
        for (int i = 0; i < LENGTH; i++) {
            int x = (bytes[i] ^ other.bytes[i]) & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return LENGTH * 8;
    }

    /** A random id that shares exactly {@code prefix} leading bits with this one (prefix < 160). */
    public NodeId randomWithPrefix(int prefix, SecureRandom random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        for (int bit = 0; bit <= prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            boolean mine = (bytes[bit / 8] & mask) != 0;
            boolean set = bit < prefix ? mine : !mine;
            b[bit / 8] = (byte) (set ? b[bit / 8] | mask : b[bit / 8] & ~mask);
        }
        return new NodeId(b);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
