package me.bittorrent.wire;

import io.vertx.core.buffer.Buffer;

import java.util.Arrays;

/**
 * The messages of the peer wire protocol (BEP 3) plus the BEP 10 extension envelope.
 * Messages without fields have shared instances ({@link #CHOKE} etc.); use them instead of {@code new}.
 */
public sealed interface PeerMessage {

    KeepAlive KEEP_ALIVE = new KeepAlive();
    Choke CHOKE = new Choke();
    Unchoke UNCHOKE = new Unchoke();
    Interested INTERESTED = new Interested();
    NotInterested NOT_INTERESTED = new NotInterested();

    /** Message ids on the wire (the byte after the length prefix). */
    int ID_CHOKE = 0, ID_UNCHOKE = 1, ID_INTERESTED = 2, ID_NOT_INTERESTED = 3, ID_HAVE = 4, ID_BITFIELD = 5,
            ID_REQUEST = 6, ID_PIECE = 7, ID_CANCEL = 8, ID_PORT = 9, ID_EXTENDED = 20;

    /** A zero-length frame: the peer is still there. */
    record KeepAlive() implements PeerMessage {
    }

    record Choke() implements PeerMessage {
    }

    record Unchoke() implements PeerMessage {
    }

    record Interested() implements PeerMessage {
    }

    record NotInterested() implements PeerMessage {
    }

    record Have(int piece) implements PeerMessage {
    }

    /** Bit i (most significant bit of byte 0 first) set = the peer has piece i; spare bits at the end are zero. */
    record Bitfield(byte[] bits) implements PeerMessage {
        public boolean has(int piece) {
            int i = piece >>> 3;
            return i < bits.length && (bits[i] & (0x80 >>> (piece & 7))) != 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bitfield other && Arrays.equals(bits, other.bits);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bits);
        }

        @Override
        public String toString() {
            return "Bitfield[" + bits.length + " bytes]";
        }
    }

    record Request(int piece, int begin, int length) implements PeerMessage {
    }

    /**
     * A block of data. When decoded, {@code data} is a slice of the network buffer that is valid only during the
     * handler call: a consumer that keeps the bytes must copy them ({@code data.getBytes(...)}).
     */
    record Piece(int piece, int begin, Buffer data) implements PeerMessage {
        @Override
        public String toString() {
            return "Piece[piece=" + piece + ", begin=" + begin + ", length=" + data.length() + "]";
        }
    }

    record Cancel(int piece, int begin, int length) implements PeerMessage {
    }

    /** BEP 5: the peer's DHT port. */
    record Port(int port) implements PeerMessage {
    }

    /** BEP 10: id 0 is the extension handshake, other ids are the extension message ids agreed in it. */
    record Extended(int id, byte[] payload) implements PeerMessage {
        @Override
        public boolean equals(Object o) {
            return o instanceof Extended other && id == other.id && Arrays.equals(payload, other.payload);
        }

        @Override
        public int hashCode() {
            return 31 * id + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Extended[id=" + id + ", " + payload.length + " bytes]";
        }
    }
}
