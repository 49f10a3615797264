package me.bittorrent.metainfo;

import java.util.Arrays;
import java.util.HexFormat;

/** The 20-byte SHA-1 of a torrent's bencoded info dictionary: the torrent's identity in the swarm. */
public record InfoHash(byte[] bytes) {

    public InfoHash {
        if (bytes == null || bytes.length != 20) {
            throw new IllegalArgumentException("an info-hash is 20 bytes");
        }
        bytes = bytes.clone();
    }

    public static InfoHash fromHex(String hex) {
        if (hex == null || hex.length() != 40) {
            throw new IllegalArgumentException("an info-hash is 40 hex characters");
        }
        return new InfoHash(HexFormat.of().parseHex(hex));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Lowercase hex, the torrent id used by the API. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InfoHash other && Arrays.equals(bytes, other.bytes);
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
