package me.bittorrent.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/** A chunk fed with feedTransient may be overwritten once the call returns: what the decoder keeps is its own. */
class FrameDecoderTransientTest {

    static byte[] pieceFrame(int piece, byte fill, int length) {
        byte[] data = new byte[length];
        Arrays.fill(data, fill);
        return MessageEncoder.encode(new PeerMessage.Piece(piece, 0, Buffer.buffer(data))).getBytes();
    }

    @Test
    void heldBytesSurviveTheReuseOfTheNetworkBuffer() {
        List<byte[]> blocks = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder(m -> blocks.add(((PeerMessage.Piece) m).data().getBytes()));
        byte[] first = pieceFrame(0, (byte) 1, 1000);
        byte[] second = pieceFrame(1, (byte) 2, 1000);
        byte[] third = pieceFrame(2, (byte) 3, 1000);
        ByteBuf network = Unpooled.directBuffer(4096);

        network.writeBytes(first).writeBytes(second, 0, 500); // a whole frame and a cut one
        decoder.feedTransient(Buffer.buffer(network));
        assertEquals(1, blocks.size());
        decoder.pause();
        network.clear().writeBytes(second, 500, second.length - 500).writeBytes(third); // rest arrives while paused
        decoder.feedTransient(Buffer.buffer(network));
        network.clear().writeZero(network.capacity()); // the pool hands the memory to someone else
        decoder.resume();

        assertEquals(3, blocks.size());
        assertArrayEquals(filled((byte) 2, 1000), blocks.get(1));
        assertArrayEquals(filled((byte) 3, 1000), blocks.get(2));
        network.release();
    }

    static byte[] filled(byte b, int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, b);
        return out;
    }
}
