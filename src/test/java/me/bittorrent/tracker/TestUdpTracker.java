package me.bittorrent.tracker;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny BEP 15 tracker on 127.0.0.1 for tests: parses real connect and announce packets, hands out connection
 * ids and checks them, and can misbehave on request (drop packets, send a stray reply, answer with an error).
 */
final class TestUdpTracker implements AutoCloseable {

    /** An announce packet as the tracker read it. */
    record Announce(long connectionId, int transactionId, byte[] infoHash, byte[] peerId, long downloaded, long left,
            long uploaded, int event, int ip, int key, int numWant, int port) {
    }

    private final DatagramSocket socket;
    private final int port;
    private final Set<Long> validConnectionIds = ConcurrentHashMap.newKeySet();
    final List<Integer> connectTransactionIds = new CopyOnWriteArrayList<>();
    final List<Announce> announces = new CopyOnWriteArrayList<>();
    final AtomicInteger connectsToDrop = new AtomicInteger();
    final AtomicInteger announcesToDrop = new AtomicInteger();
    volatile boolean strayReplyFirst;
    volatile String error;
    volatile byte[] peers = {127, 0, 0, 1, 0x1A, (byte) 0xE1};

    TestUdpTracker(Vertx vertx) {
        socket = vertx.createDatagramSocket(new DatagramSocketOptions());
        socket.handler(this::onPacket);
        Await.result(socket.listen(0, "127.0.0.1"));
        port = socket.localAddress().port();
    }

    String url() {
        return "udp://127.0.0.1:" + port + "/announce";
    }

    int port() {
        return port;
    }

    /** Forget every connection id handed out, as a tracker does when they age. */
    void expireConnectionIds() {
        validConnectionIds.clear();
    }

    private void onPacket(DatagramPacket packet) {
        Buffer in = packet.data();
        if (in.length() == 16 && in.getLong(0) == 0x41727101980L && in.getInt(8) == 0) {
            int tid = in.getInt(12);
            connectTransactionIds.add(tid);
            if (connectsToDrop.getAndDecrement() > 0) {
                return;
            }
            long id = ThreadLocalRandom.current().nextLong();
            validConnectionIds.add(id);
            reply(packet, Buffer.buffer().appendInt(0).appendInt(tid).appendLong(id));
        } else if (in.length() >= 98 && in.getInt(8) == 1) {
            Announce a = new Announce(in.getLong(0), in.getInt(12), in.getBytes(16, 36), in.getBytes(36, 56),
                    in.getLong(56), in.getLong(64), in.getLong(72), in.getInt(80), in.getInt(84), in.getInt(88),
                    in.getInt(92), in.getUnsignedShort(96));
            announces.add(a);
            if (announcesToDrop.getAndDecrement() > 0) {
                return;
            }
            if (!validConnectionIds.contains(a.connectionId())) {
                reply(packet, errorReply(a.transactionId(), "Connection ID missmatch."));
                return;
            }
            if (error != null) {
                reply(packet, errorReply(a.transactionId(), error));
                return;
            }
            if (strayReplyFirst) {
                // Same shape, other transaction id, a peer that must not show up in the client's result.
                reply(packet, announceReply(a.transactionId() + 1, new byte[] {1, 2, 3, 4, 0, 1}));
            }
            reply(packet, announceReply(a.transactionId(), peers));
        }
    }

    private static Buffer announceReply(int tid, byte[] peerBytes) {
        return Buffer.buffer().appendInt(1).appendInt(tid).appendInt(1200).appendInt(3).appendInt(4)
                .appendBytes(peerBytes);
    }

    private static Buffer errorReply(int tid, String message) {
        return Buffer.buffer().appendInt(3).appendInt(tid).appendString(message, StandardCharsets.UTF_8.name());
    }

    private void reply(DatagramPacket to, Buffer data) {
        socket.send(data, to.sender().port(), to.sender().host());
    }

    @Override
    public void close() {
        Await.result(socket.close());
    }
}
