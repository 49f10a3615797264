package me.bittorrent.wire;

import io.vertx.core.buffer.Buffer;
import me.bittorrent.metainfo.InfoHash;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The 68-byte BitTorrent handshake: pstrlen 19, "BitTorrent protocol", 8 reserved bytes, info-hash, peer id.
 */
public record Handshake(byte[] reserved, InfoHash infoHash, byte[] peerId) {

    public static final int LENGTH = 68;
    private static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);

    public Handshake {
        if (reserved == null || reserved.length != 8) {
            throw new IllegalArgumentException("the reserved field is 8 bytes");
        }
        if (infoHash == null) {
            throw new IllegalArgumentException("an info-hash is required");
        }
        if (peerId == null || peerId.length != 20) {
            throw new IllegalArgumentException("a peer id is 20 bytes");
        }
        reserved = reserved.clone();
        peerId = peerId.clone();
    }

    /** Our handshake: advertises the extension protocol (BEP 10, reserved[5] bit 0x10), nothing else. */
    public static Handshake ours(InfoHash infoHash, byte[] peerId) {
        return ours(infoHash, peerId, false);
    }

    /** Ours, with the DHT bit (BEP 5, reserved[7] bit 0x01) when {@code dht}: we send a PORT message then. */
    public static Handshake ours(InfoHash infoHash, byte[] peerId, boolean dht) {
        byte[] reserved = new byte[8];
        reserved[5] = 0x10;
        reserved[7] = (byte) (dht ? 0x01 : 0);
        return new Handshake(reserved, infoHash, peerId);
    }

    public boolean supportsExtensions() {
        return (reserved[5] & 0x10) != 0;
    }

    /** BEP 5: the peer runs a DHT node and will tell its port in a PORT message. */
    public boolean supportsDht() {
        return (reserved[7] & 0x01) != 0;
    }

    @Override
    public byte[] reserved() {
        return reserved.clone();
    }

    @Override
    public byte[] peerId() {
        return peerId.clone();
    }

    boolean samePeerId(Handshake other) {
        return Arrays.equals(peerId, other.peerId);
    }

    public Buffer encode() {
        return Buffer.buffer(LENGTH)
                .appendByte((byte) PROTOCOL.length)
                .appendBytes(PROTOCOL)
                .appendBytes(reserved)
                .appendBytes(infoHash.bytes())
                .appendBytes(peerId);
    }

    /** Decodes the 68 bytes at {@code offset}; throws {@link ProtocolException} if they are not a handshake. */
    public static Handshake decode(Buffer buffer, int offset) {
        if (buffer.length() - offset < LENGTH) {
            throw new ProtocolException("the handshake is shorter than 68 bytes");
        }
        checkProtocol(buffer, offset, LENGTH);
        return new Handshake(buffer.getBytes(offset + 20, offset + 28),
                new InfoHash(buffer.getBytes(offset + 28, offset + 48)),
                buffer.getBytes(offset + 48, offset + 68));
    }

    /** Checks as much of the protocol string as the first {@code available} bytes hold, to reject garbage early. */
    static void checkProtocol(Buffer buffer, int offset, int available) {
        if (available > 0 && buffer.getByte(offset) != PROTOCOL.length) {
            throw new ProtocolException("the peer did not start with a BitTorrent handshake");
        }
        int n = Math.min(available - 1, PROTOCOL.length);
        for (int i = 0; i < n; i++) {
            if (buffer.getByte(offset + 1 + i) != PROTOCOL[i]) {
                throw new ProtocolException("the peer did not start with a BitTorrent handshake");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Handshake other && Arrays.equals(reserved, other.reserved)
                && infoHash.equals(other.infoHash) && Arrays.equals(peerId, other.peerId);
    }

    @Override
    public int hashCode() {
        return infoHash.hashCode() * 31 + Arrays.hashCode(peerId);
    }

    @Override
    public String toString() {
        return "Handshake[infoHash=" + infoHash + ", peerId=" + HexFormat.of().formatHex(peerId)
                + ", reserved=" + HexFormat.of().formatHex(reserved) + "]";
    }
}
