package me.bittorrent.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * Encodes peer wire messages into length-prefixed frames. For a {@link PeerMessage.Piece} use
 * {@link #pieceHeader} and write the data buffer after it: that avoids copying the block.
 */
public final class MessageEncoder {

    private MessageEncoder() {
    }

    /** The whole frame in one buffer (for a Piece this copies the data; prefer {@link #pieceHeader}). */
    public static Buffer encode(PeerMessage message) {
        if (message instanceof PeerMessage.Piece p) {
            return pieceHeader(p).appendBuffer(p.data());
        }
        if (message instanceof PeerMessage.Request r) {
            return triple(PeerMessage.ID_REQUEST, r.piece(), r.begin(), r.length());
        }
        if (message instanceof PeerMessage.Have h) {
            return Buffer.buffer(9).appendInt(5).appendByte((byte) PeerMessage.ID_HAVE).appendInt(h.piece());
        }
        if (message instanceof PeerMessage.Cancel c) {
            return triple(PeerMessage.ID_CANCEL, c.piece(), c.begin(), c.length());
        }
        if (message instanceof PeerMessage.Bitfield b) {
            byte[] bits = b.bits();
            return Buffer.buffer(5 + bits.length).appendInt(1 + bits.length)
                    .appendByte((byte) PeerMessage.ID_BITFIELD).appendBytes(bits);
        }
        if (message instanceof PeerMessage.Extended e) {
            byte[] payload = e.payload();
            return Buffer.buffer(6 + payload.length).appendInt(2 + payload.length)
                    .appendByte((byte) PeerMessage.ID_EXTENDED).appendByte((byte) e.id()).appendBytes(payload);
        }
        if (message instanceof PeerMessage.Port p) {
            return Buffer.buffer(7).appendInt(3).appendByte((byte) PeerMessage.ID_PORT).appendShort((short) p.port());
        }
        // A fresh buffer per frame, never a shared static one: a static final Vert.x Buffer would be built into
        // the native image's heap (a Netty buffer there fails the build), and these frames are rare and tiny.
        if (message instanceof PeerMessage.KeepAlive) {
            return Buffer.buffer(4).appendInt(0);
        }
        if (message instanceof PeerMessage.Choke) {
            return single(PeerMessage.ID_CHOKE);
        }
        if (message instanceof PeerMessage.Unchoke) {
            return single(PeerMessage.ID_UNCHOKE);
        }
        if (message instanceof PeerMessage.Interested) {
            return single(PeerMessage.ID_INTERESTED);
        }
        if (message instanceof PeerMessage.NotInterested) {
            return single(PeerMessage.ID_NOT_INTERESTED);
        }
        throw new IllegalArgumentException("unknown message " + message);
    }

    /** The length of a Piece message's frame start: length prefix, id, index, begin. */
    public static final int PIECE_HEADER_LENGTH = 13;

    /**
     * Writes the frame start of a Piece message into the first {@link #PIECE_HEADER_LENGTH} bytes of {@code frame},
     * whose readable bytes after them are the block: the frame then goes out as it is, one buffer, no copy.
     */
    public static ByteBuf pieceFrame(ByteBuf frame, int piece, int begin) {
        int length = frame.readableBytes() - PIECE_HEADER_LENGTH;
        if (length < 0) {
            throw new IllegalArgumentException("a Piece frame needs " + PIECE_HEADER_LENGTH + " bytes for its header");
        }
        int at = frame.readerIndex();
        frame.setInt(at, 9 + length).setByte(at + 4, PeerMessage.ID_PIECE).setInt(at + 5, piece).setInt(at + 9, begin);
        return frame;
    }

    /** The 13-byte frame start of a Piece message (length prefix, id, index, begin); the data follows it. */
    public static Buffer pieceHeader(PeerMessage.Piece piece) {
        return Buffer.buffer(13).appendInt(9 + piece.data().length()).appendByte((byte) PeerMessage.ID_PIECE)
                .appendInt(piece.piece()).appendInt(piece.begin());
    }

    /**
     * A Buffer view of {@code bytes} without copying them ({@code Buffer.buffer(byte[])} copies), e.g. for the data
     * of a Piece read from disk. The array must not change until the socket has written it: use a fresh array per
     * block rather than a reused one.
     */
    public static Buffer wrap(byte[] bytes, int offset, int length) {
        return Buffer.buffer(Unpooled.wrappedBuffer(bytes, offset, length));
    }

    /** The number of bytes the message takes on the wire, length prefix included. */
    public static int frameLength(PeerMessage message) {
        if (message instanceof PeerMessage.Piece p) {
            return 13 + p.data().length();
        }
        if (message instanceof PeerMessage.Request || message instanceof PeerMessage.Cancel) {
            return 17;
        }
        if (message instanceof PeerMessage.Have) {
            return 9;
        }
        if (message instanceof PeerMessage.Bitfield b) {
            return 5 + b.bits().length;
        }
        if (message instanceof PeerMessage.Extended e) {
            return 6 + e.payload().length;
        }
        if (message instanceof PeerMessage.Port) {
            return 7;
        }
        if (message instanceof PeerMessage.KeepAlive) {
            return 4;
        }
        return 5;
    }

    private static Buffer single(int id) {
        return Buffer.buffer(5).appendInt(1).appendByte((byte) id);
    }

    private static Buffer triple(int id, int a, int b, int c) {
        return Buffer.buffer(17).appendInt(13).appendByte((byte) id).appendInt(a).appendInt(b).appendInt(c);
    }
}
