package me.bittorrent.wire;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Incremental decoder of length-prefixed peer wire frames. Feed it the bytes after the handshake in chunks of any
 * size; it emits each complete message to the consumer.
 *
 * <p>Hot path: a frame that lies wholly inside a fed chunk is decoded in place, and a {@link PeerMessage.Piece}'s
 * data is a {@link Buffer#slice} of that chunk. Only a frame cut by a chunk boundary is copied, once, into a
 * reusable partial-frame array; its Piece data is then a view of that array. Either way the data is valid only
 * during the consumer call.
 *
 * <p>{@link #pause()} stops delivery after the current message; the rest of the fed chunks is kept (by reference,
 * so a caller must not modify a fed buffer afterwards) and delivered on {@link #resume()}. Not thread-safe: one
 * context feeds it. After a {@link ProtocolException} or a consumer exception the decoder is stopped for good.
 */
public final class FrameDecoder {

    /** A 16 KiB block is the norm; 128 KiB is the largest block any client sends, plus the 13-byte Piece header. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 128 * 1024 + 13;

    private final Consumer<PeerMessage> consumer;
    private int maxFrameLength;

    // A frame cut by a chunk boundary: its bytes so far (length prefix included) and, once known, its full size.
    private byte[] partial = new byte[0];
    private int partialLength;
    private int partialFrameSize = -1;

    private final ArrayDeque<Buffer> queued = new ArrayDeque<>(2);
    private int queuedOffset;
    private boolean paused;
    private boolean delivering;
    private boolean stopped;

    public FrameDecoder(Consumer<PeerMessage> consumer) {
        this(DEFAULT_MAX_FRAME_LENGTH, consumer);
    }

    /** @param maxFrameLength the largest frame payload (after the 4-byte length prefix) accepted */
    public FrameDecoder(int maxFrameLength, Consumer<PeerMessage> consumer) {
        if (maxFrameLength < 13) {
            throw new IllegalArgumentException("the maximum frame length must admit a Request (13 bytes)");
        }
        this.maxFrameLength = maxFrameLength;
        this.consumer = consumer;
    }

    /** The default maximum, raised if needed so that a Bitfield of a torrent with {@code pieceCount} pieces fits. */
    public static int maxFrameLengthFor(int pieceCount) {
        return Math.max(DEFAULT_MAX_FRAME_LENGTH, 1 + (pieceCount + 7) / 8);
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    public void maxFrameLength(int maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
    }

    /** Decodes what it can of {@code chunk}; throws {@link ProtocolException} on a malformed or oversized frame. */
    public void feed(Buffer chunk) {
        if (stopped || chunk.length() == 0) {
            return;
        }
        queued.add(chunk);
        if (!delivering) {
            drain();
        }
    }

    /**
     * As {@link #feed}, for a chunk whose memory is reused once this returns (a pooled network buffer): what is
     * left of it undelivered (paused) is copied before returning; a cut frame is copied anyway.
     */
    public void feedTransient(Buffer chunk) {
        feed(chunk);
        if (!queued.isEmpty() && queued.peekLast() == chunk) {
            queued.pollLast();
            if (queued.isEmpty()) {
                queued.add(chunk.getBuffer(queuedOffset, chunk.length()));
                queuedOffset = 0;
            } else {
                queued.add(chunk.copy());
            }
        }
    }

    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        if (!delivering && !stopped) {
            drain();
        }
    }

    public boolean isPaused() {
        return paused;
    }

    /** Discards everything buffered and ignores all further input (the connection is closing). */
    public void stop() {
        stopped = true;
        queued.clear();
    }

    /** Bytes held back: a partial frame plus undelivered input while paused. */
    public int bufferedBytes() {
        int n = partialLength - queuedOffset;
        for (Buffer b : queued) {
            n += b.length();
        }
        return n;
    }

    private void drain() {
        delivering = true;
        try {
            while (!paused && !stopped && !queued.isEmpty()) {
                Buffer chunk = queued.peek();
                int stop = process(chunk, queuedOffset);
                if (stop < chunk.length()) {
                    queuedOffset = stop;
                    return;
                }
                queued.poll();
                queuedOffset = 0;
            }
        } catch (RuntimeException e) {
            stop();
            throw e;
        } finally {
            delivering = false;
        }
    }

    /** Decodes frames from {@code pos}; returns where it stopped (the chunk's length once all of it is used). */
    private int process(Buffer chunk, int pos) {
        int end = chunk.length();
        if (partialLength > 0) {
            pos = fillPartial(chunk, pos, end);
            if (partialFrameSize < 0 || partialLength < partialFrameSize) {
                return end;
            }
            int size = partialFrameSize;
            partialLength = 0;
            partialFrameSize = -1;
            dispatch(Buffer.buffer(Unpooled.wrappedBuffer(partial, 0, size)), 4, size - 4);
        }
        while (pos < end && !paused && !stopped) {
            int available = end - pos;
            if (available < 4) {
                return fillPartial(chunk, pos, end);
            }
            int length = checkedLength(chunk.getInt(pos));
            if (available < 4 + length) {
                return fillPartial(chunk, pos, end);
            }
            int payload = pos + 4;
            pos = payload + length;
            dispatch(chunk, payload, length);
        }
        return pos;
    }

    /** Copies bytes of the cut frame into {@link #partial} until it is complete or the chunk ends. */
    private int fillPartial(Buffer chunk, int pos, int end) {
        if (partialLength < 4) {
            if (partial.length < 4) {
                partial = new byte[16 * 1024 + 13 + 4];
            }
            int n = Math.min(4 - partialLength, end - pos);
            chunk.getBytes(pos, pos + n, partial, partialLength);
            partialLength += n;
            pos += n;
            if (partialLength < 4) {
                return pos;
            }
            int length = checkedLength(((partial[0] & 0xff) << 24) | ((partial[1] & 0xff) << 16)
                    | ((partial[2] & 0xff) << 8) | (partial[3] & 0xff));
            partialFrameSize = 4 + length;
            if (partial.length < partialFrameSize) {
                byte[] bigger = new byte[partialFrameSize];
                System.arraycopy(partial, 0, bigger, 0, 4);
                partial = bigger;
            }
        }
        int n = Math.min(partialFrameSize - partialLength, end - pos);
        chunk.getBytes(pos, pos + n, partial, partialLength);
        partialLength += n;
        return pos + n;
    }

    private int checkedLength(int length) {
        if (length < 0 || length > maxFrameLength) {
            throw new ProtocolException("the peer sent a frame of " + Integer.toUnsignedString(length)
                    + " bytes, more than the limit of " + maxFrameLength + " bytes");
        }
        return length;
    }

    private void dispatch(Buffer b, int off, int length) {
        if (length == 0) {
            consumer.accept(PeerMessage.KEEP_ALIVE);
            return;
        }
        int id = b.getUnsignedByte(off);
        switch (id) {
            case PeerMessage.ID_PIECE:
                if (length < 9) {
                    throw wrongLength("piece", length, "at least 9");
                }
                consumer.accept(new PeerMessage.Piece(b.getInt(off + 1), b.getInt(off + 5),
                        b.slice(off + 9, off + length)));
                break;
            case PeerMessage.ID_REQUEST:
                expect("request", length, 13);
                consumer.accept(new PeerMessage.Request(b.getInt(off + 1), b.getInt(off + 5), b.getInt(off + 9)));
                break;
            case PeerMessage.ID_HAVE:
                expect("have", length, 5);
                consumer.accept(new PeerMessage.Have(b.getInt(off + 1)));
                break;
            case PeerMessage.ID_CHOKE:
                expect("choke", length, 1);
                consumer.accept(PeerMessage.CHOKE);
                break;
            case PeerMessage.ID_UNCHOKE:
                expect("unchoke", length, 1);
                consumer.accept(PeerMessage.UNCHOKE);
                break;
            case PeerMessage.ID_INTERESTED:
                expect("interested", length, 1);
                consumer.accept(PeerMessage.INTERESTED);
                break;
            case PeerMessage.ID_NOT_INTERESTED:
                expect("not interested", length, 1);
                consumer.accept(PeerMessage.NOT_INTERESTED);
                break;
            case PeerMessage.ID_BITFIELD:
                consumer.accept(new PeerMessage.Bitfield(b.getBytes(off + 1, off + length)));
                break;
            case PeerMessage.ID_CANCEL:
                expect("cancel", length, 13);
                consumer.accept(new PeerMessage.Cancel(b.getInt(off + 1), b.getInt(off + 5), b.getInt(off + 9)));
                break;
            case PeerMessage.ID_PORT:
                expect("port", length, 3);
                consumer.accept(new PeerMessage.Port(b.getUnsignedShort(off + 1)));
                break;
            case PeerMessage.ID_EXTENDED:
                if (length < 2) {
                    throw wrongLength("extended", length, "at least 2");
                }
                consumer.accept(new PeerMessage.Extended(b.getUnsignedByte(off + 1), b.getBytes(off + 2, off + length)));
                break;
            default:
                // BEP 3 lets a client ignore message ids it does not know (e.g. BEP 6 fast messages, never
                // negotiated by us): skipping the frame keeps the connection usable.
                break;
        }
    }

    private static void expect(String name, int length, int expected) {
        if (length != expected) {
            throw wrongLength(name, length, "exactly " + expected);
        }
    }

    private static ProtocolException wrongLength(String name, int length, String expected) {
        return new ProtocolException("the peer sent a " + name + " message of " + length + " bytes; it must be "
                + expected + " bytes");
    }
}
