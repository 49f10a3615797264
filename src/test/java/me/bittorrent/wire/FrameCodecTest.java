package me.bittorrent.wire;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static List<PeerMessage> everyMessage(int blockSize) {
        return List.of(
                PeerMessage.KEEP_ALIVE, PeerMessage.CHOKE, PeerMessage.UNCHOKE, PeerMessage.INTERESTED,
                PeerMessage.NOT_INTERESTED,
                new PeerMessage.Have(7), new PeerMessage.Have(-1),
                new PeerMessage.Bitfield(new byte[]{(byte) 0xff, (byte) 0x80}), new PeerMessage.Bitfield(new byte[0]),
                new PeerMessage.Request(1, 16384, 16384),
                new PeerMessage.Piece(3, 32768, Buffer.buffer(random(blockSize, 1))),
                new PeerMessage.Piece(4, 0, Buffer.buffer(0)),
                new PeerMessage.Cancel(1, 16384, 16384),
                new PeerMessage.Port(6881), new PeerMessage.Port(65535),
                new PeerMessage.Extended(0, "d1:md6:ut_pexi1eee".getBytes(StandardCharsets.US_ASCII)),
                new PeerMessage.Extended(3, new byte[0]));
    }

    /** Collects messages, copying Piece data because it is only valid during the call. */
    static final class Collector implements java.util.function.Consumer<PeerMessage> {
        final List<PeerMessage> messages = new ArrayList<>();

        @Override
        public void accept(PeerMessage m) {
            if (m instanceof PeerMessage.Piece p) {
                m = new PeerMessage.Piece(p.piece(), p.begin(), Buffer.buffer(p.data().getBytes()));
            }
            messages.add(m);
        }
    }

    private static Buffer encodeAll(List<PeerMessage> messages) {
        Buffer all = Buffer.buffer();
        for (PeerMessage m : messages) {
            Buffer frame = MessageEncoder.encode(m);
            assertEquals(MessageEncoder.frameLength(m), frame.length(), "frameLength of " + m);
            all.appendBuffer(frame);
        }
        return all;
    }

    @Test
    void everyMessageRoundTripsOneFramePerChunk() {
        for (PeerMessage m : everyMessage(16384)) {
            Collector c = new Collector();
            new FrameDecoder(c).feed(MessageEncoder.encode(m));
            assertEquals(List.of(m), c.messages, "round trip of " + m);
        }
    }

    @Test
    void statelessMessagesDecodeToSharedConstants() {
        Collector c = new Collector();
        new FrameDecoder(c).feed(encodeAll(List.of(PeerMessage.CHOKE, PeerMessage.KEEP_ALIVE)));
        assertSame(PeerMessage.CHOKE, c.messages.get(0));
        assertSame(PeerMessage.KEEP_ALIVE, c.messages.get(1));
    }

    @Test
    void knownEncodings() {
        assertEquals(Buffer.buffer(new byte[]{0, 0, 0, 5, 4, 0, 0, 1, 2}), MessageEncoder.encode(new PeerMessage.Have(258)));
        assertEquals(Buffer.buffer(new byte[]{0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0x40, 0, 0, 0, 0x40, 0}),
                MessageEncoder.encode(new PeerMessage.Request(1, 16384, 16384)));
        assertEquals(Buffer.buffer(new byte[]{0, 0, 0, 3, 9, 0x1a, (byte) 0xe1}), MessageEncoder.encode(new PeerMessage.Port(6881)));
        assertEquals(Buffer.buffer(new byte[]{0, 0, 0, 0}), MessageEncoder.encode(PeerMessage.KEEP_ALIVE));
        Buffer header = MessageEncoder.pieceHeader(new PeerMessage.Piece(2, 16, Buffer.buffer(new byte[100])));
        assertEquals(Buffer.buffer(new byte[]{0, 0, 0, 109, 7, 0, 0, 0, 2, 0, 0, 0, 16}), header);
    }

    @Test
    void aPieceFrameWrittenInPlaceDecodesAsThePiece() {
        byte[] block = random(16384, 5);
        io.netty.buffer.ByteBuf frame = io.netty.buffer.Unpooled.directBuffer(MessageEncoder.PIECE_HEADER_LENGTH + block.length);
        frame.writerIndex(MessageEncoder.PIECE_HEADER_LENGTH).writeBytes(block);
        MessageEncoder.pieceFrame(frame, 9, 49152);
        PeerMessage.Piece expected = new PeerMessage.Piece(9, 49152, Buffer.buffer(block));
        assertEquals(MessageEncoder.encode(expected), Buffer.buffer(frame.copy()), "the same bytes as the encoder's frame");
        Collector c = new Collector();
        new FrameDecoder(c).feed(Buffer.buffer(frame));
        assertEquals(List.of(expected), c.messages);
        assertThrows(IllegalArgumentException.class,
                () -> MessageEncoder.pieceFrame(io.netty.buffer.Unpooled.buffer(12).writerIndex(12), 0, 0));
    }

    @Test
    void manyFramesInOneChunk() {
        List<PeerMessage> messages = everyMessage(16384);
        Collector c = new Collector();
        FrameDecoder decoder = new FrameDecoder(c);
        decoder.feed(encodeAll(messages));
        assertEquals(messages, c.messages);
        assertEquals(0, decoder.bufferedBytes());
    }

    @Test
    void framesSplitAtEveryByteBoundary() {
        List<PeerMessage> messages = everyMessage(1000);
        byte[] all = encodeAll(messages).getBytes();
        for (int cut = 0; cut <= all.length; cut++) {
            Collector c = new Collector();
            FrameDecoder decoder = new FrameDecoder(c);
            decoder.feed(Buffer.buffer(java.util.Arrays.copyOfRange(all, 0, cut)));
            decoder.feed(Buffer.buffer(java.util.Arrays.copyOfRange(all, cut, all.length)));
            assertEquals(messages, c.messages, "cut at " + cut);
            assertEquals(0, decoder.bufferedBytes());
        }
    }

    @Test
    void framesFedOneByteAtATime() {
        List<PeerMessage> messages = everyMessage(16384);
        byte[] all = encodeAll(messages).getBytes();
        Collector c = new Collector();
        FrameDecoder decoder = new FrameDecoder(c);
        for (byte b : all) {
            decoder.feed(Buffer.buffer(new byte[]{b}));
        }
        assertEquals(messages, c.messages);
    }

    @Test
    void framesFedInUnevenChunks() {
        List<PeerMessage> messages = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            messages.add(new PeerMessage.Piece(i, 0, Buffer.buffer(random(16384, i))));
            messages.add(new PeerMessage.Have(i));
        }
        byte[] all = encodeAll(messages).getBytes();
        Random r = new Random(42);
        Collector c = new Collector();
        FrameDecoder decoder = new FrameDecoder(c);
        for (int pos = 0; pos < all.length; ) {
            int n = Math.min(all.length - pos, 1 + r.nextInt(70000));
            decoder.feed(Buffer.buffer(java.util.Arrays.copyOfRange(all, pos, pos + n)));
            pos += n;
        }
        assertEquals(messages, c.messages);
    }

    @Test
    void pieceDataInsideAChunkIsASliceNotACopy() {
        byte[] block = random(16384, 5);
        Buffer chunk = MessageEncoder.encode(new PeerMessage.Piece(0, 0, Buffer.buffer(block)));
        boolean[] seen = new boolean[1];
        new FrameDecoder(m -> {
            PeerMessage.Piece p = (PeerMessage.Piece) m;
            chunk.setByte(13, (byte) (block[0] ^ 0xff)); // change the network buffer under the slice
            assertEquals((byte) (block[0] ^ 0xff), p.data().getByte(0));
            seen[0] = true;
        }).feed(chunk);
        assertTrue(seen[0]);
    }

    @Test
    void wrapSharesTheArray() {
        byte[] bytes = random(100, 9);
        Buffer view = MessageEncoder.wrap(bytes, 10, 50);
        assertEquals(50, view.length());
        bytes[10] = (byte) (bytes[10] + 1);
        assertEquals(bytes[10], view.getByte(0));
        Collector c = new Collector();
        new FrameDecoder(c).feed(MessageEncoder.encode(new PeerMessage.Piece(1, 2, view)));
        assertEquals(List.of(new PeerMessage.Piece(1, 2, Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 10, 60)))),
                c.messages);
    }

    @Test
    void oversizeFrameIsRejected() {
        FrameDecoder decoder = new FrameDecoder(new Collector());
        Buffer frame = Buffer.buffer().appendInt(FrameDecoder.DEFAULT_MAX_FRAME_LENGTH + 1).appendByte((byte) 7);
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.feed(frame));
        assertTrue(e.getMessage().contains("more than the limit"), e.getMessage());
        // a length with the top bit set is not a negative frame
        ProtocolException huge = assertThrows(ProtocolException.class,
                () -> new FrameDecoder(new Collector()).feed(Buffer.buffer(new byte[]{(byte) 0x80, 0, 0, 0})));
        assertTrue(huge.getMessage().contains("2147483648"), huge.getMessage());
        // the length prefix alone, split, is enough to reject
        FrameDecoder split = new FrameDecoder(new Collector());
        split.feed(Buffer.buffer(new byte[]{0, 0x10}));
        assertThrows(ProtocolException.class, () -> split.feed(Buffer.buffer(new byte[]{0, 0})));
    }

    @Test
    void largestBlockAndBigBitfieldsFitTheirLimits() {
        Collector c = new Collector();
        new FrameDecoder(c).feed(MessageEncoder.encode(new PeerMessage.Piece(0, 0, Buffer.buffer(new byte[128 * 1024]))));
        assertEquals(1, c.messages.size());

        int pieces = 2_000_000; // a 250,000-byte bitfield, beyond the default limit
        PeerMessage.Bitfield big = new PeerMessage.Bitfield(new byte[(pieces + 7) / 8]);
        assertThrows(ProtocolException.class, () -> new FrameDecoder(new Collector()).feed(MessageEncoder.encode(big)));
        Collector c2 = new Collector();
        new FrameDecoder(FrameDecoder.maxFrameLengthFor(pieces), c2).feed(MessageEncoder.encode(big));
        assertEquals(List.of(big), c2.messages);
        assertEquals(FrameDecoder.DEFAULT_MAX_FRAME_LENGTH, FrameDecoder.maxFrameLengthFor(1000));
    }

    @Test
    void wrongFixedLengthsAreRejected() {
        int[][] cases = {{0, 2}, {1, 2}, {2, 3}, {3, 5}, {4, 4}, {4, 6}, {6, 12}, {6, 14}, {8, 9}, {9, 2}, {7, 8}, {20, 1}};
        for (int[] idAndLength : cases) {
            Buffer frame = Buffer.buffer().appendInt(idAndLength[1]).appendByte((byte) idAndLength[0])
                    .appendBytes(new byte[idAndLength[1] - 1]);
            ProtocolException e = assertThrows(ProtocolException.class, () -> new FrameDecoder(new Collector()).feed(frame),
                    "id " + idAndLength[0] + " length " + idAndLength[1]);
            assertTrue(e.getMessage().contains(idAndLength[1] + " bytes"), e.getMessage());
        }
    }

    @Test
    void afterAnErrorTheDecoderIgnoresInput() {
        Collector c = new Collector();
        FrameDecoder decoder = new FrameDecoder(c);
        assertThrows(ProtocolException.class, () -> decoder.feed(Buffer.buffer().appendInt(2).appendByte((byte) 4).appendByte((byte) 0)));
        decoder.feed(MessageEncoder.encode(PeerMessage.CHOKE));
        assertTrue(c.messages.isEmpty());
    }

    @Test
    void unknownMessageIdsAreSkipped() {
        Collector c = new Collector();
        Buffer chunk = Buffer.buffer().appendInt(1).appendByte((byte) 0x0e) // BEP 6 have-all, not negotiated
                .appendBuffer(MessageEncoder.encode(new PeerMessage.Have(3)));
        new FrameDecoder(c).feed(chunk);
        assertEquals(List.of(new PeerMessage.Have(3)), c.messages);
    }

    @Test
    void pauseStopsDeliveryMidChunkAndResumeContinues() {
        List<PeerMessage> messages = everyMessage(16384);
        List<PeerMessage> got = new ArrayList<>();
        FrameDecoder[] holder = new FrameDecoder[1];
        Collector copy = new Collector();
        FrameDecoder decoder = new FrameDecoder(m -> {
            copy.accept(m);
            got.add(m);
            holder[0].pause();
        });
        holder[0] = decoder;
        Buffer all = encodeAll(messages);
        decoder.feed(all.getBuffer(0, all.length() / 2));
        decoder.feed(all.getBuffer(all.length() / 2, all.length()));
        assertEquals(1, got.size());
        for (int i = 2; i <= messages.size(); i++) {
            decoder.resume();
            assertEquals(i, got.size());
        }
        decoder.resume();
        assertEquals(messages, copy.messages);
        assertEquals(0, decoder.bufferedBytes());
    }
}
