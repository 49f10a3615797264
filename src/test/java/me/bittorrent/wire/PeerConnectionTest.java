package me.bittorrent.wire;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import me.bittorrent.metainfo.InfoHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerConnectionTest {

    static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
    static final InfoHash OTHER = InfoHash.fromHex("89abcdef0123456789abcdef0123456789abcdef");
    static final Handshake CLIENT = Handshake.ours(HASH, id("-BM0001-client000000"));
    static final Handshake SERVER = Handshake.ours(HASH, id("-BM0001-server000000"));
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    Vertx vertx;
    NetClient client;

    static byte[] id(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static <T> T await(Future<T> f) throws Exception {
        return await(f.toCompletionStage().toCompletableFuture());
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static Throwable awaitFailure(Future<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(f));
        return e.getCause();
    }

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        client = vertx.createNetClient();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int listen(PeerServer server, java.util.function.Consumer<PeerConnection> accepted) throws Exception {
        serverContext = vertx.getOrCreateContext();
        Promise<Integer> port = Promise.promise();
        serverContext.runOnContext(v -> server.listen(vertx, "127.0.0.1", 0,
                h -> h.equals(HASH) ? Optional.of(SERVER) : Optional.empty(), accepted).onComplete(port));
        return await(port.future());
    }

    /** A plain TCP server for playing a misbehaving peer. */
    int rawServer(java.util.function.Consumer<NetSocket> onSocket) throws Exception {
        NetServer s = vertx.createNetServer().connectHandler(onSocket::accept);
        return await(s.listen(0, "127.0.0.1")).actualPort();
    }

    @Test
    void serverAndClientExchangeEveryMessageBothWays() throws Exception {
        List<PeerMessage> toSend = FrameCodecTest.everyMessage(16384);
        CompletableFuture<List<PeerMessage>> serverGot = new CompletableFuture<>();
        CompletableFuture<PeerConnection> serverSide = new CompletableFuture<>();
        FrameCodecTest.Collector serverCollector = new FrameCodecTest.Collector();
        int port = listen(new PeerServer(), conn -> {
            serverSide.complete(conn);
            conn.handler(m -> {
                serverCollector.accept(m);
                if (serverCollector.messages.size() == toSend.size()) {
                    serverGot.complete(serverCollector.messages);
                    for (PeerMessage back : toSend) {
                        conn.send(back);
                    }
                }
            });
        });

        PeerConnection conn = await(connect(port, CLIENT, ConnectionSettings.DEFAULTS));
        CompletableFuture<List<PeerMessage>> clientGot = collect(conn, toSend.size());
        onContext(() -> toSend.forEach(conn::send));

        assertEquals(toSend, await(serverGot));
        assertEquals(toSend, await(clientGot));
        assertEquals(SERVER, conn.remoteHandshake());
        assertTrue(conn.remoteHandshake().supportsExtensions());
        assertEquals("127.0.0.1", conn.remoteHost());
        assertEquals(port, conn.remotePort());
        PeerConnection server = await(serverSide);
        assertEquals(CLIENT, server.remoteHandshake());
        long frames = toSend.stream().mapToLong(MessageEncoder::frameLength).sum();
        assertEquals(68 + frames, conn.bytesWritten());
        assertEquals(68 + frames, conn.bytesRead());
    }

    @Test
    void serverRefusesAnUnknownInfoHash() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        int port = listen(new PeerServer(), c -> accepted.incrementAndGet());
        Throwable failure = awaitFailure(PeerConnection.connect(vertx, client, "127.0.0.1", port,
                Handshake.ours(OTHER, CLIENT.peerId()), HANDSHAKE_TIMEOUT));
        assertTrue(failure.getMessage().contains("closed the connection"), failure.getMessage());
        assertEquals(0, accepted.get());
    }

    @Test
    void clientRejectsAPeerAnsweringForAnotherTorrent() throws Exception {
        CompletableFuture<String> serverClosed = new CompletableFuture<>();
        int port = await(new PeerServer().listen(vertx, "127.0.0.1", 0,
                h -> Optional.of(Handshake.ours(OTHER, SERVER.peerId())), c -> {
                    c.closeHandler(serverClosed::complete);
                    c.handler(m -> { });
                }));
        Throwable failure = awaitFailure(PeerConnection.connect(vertx, client, "127.0.0.1", port, CLIENT,
                HANDSHAKE_TIMEOUT));
        assertInstanceOf(ProtocolException.class, failure);
        assertTrue(failure.getMessage().contains("another torrent"), failure.getMessage());
        assertEquals("the peer closed the connection", await(serverClosed));
    }

    @Test
    void connectionToOurselvesIsRefused() throws Exception {
        int port = await(new PeerServer().listen(vertx, "127.0.0.1", 0, h -> Optional.of(CLIENT), c -> { }));
        Throwable failure = awaitFailure(PeerConnection.connect(vertx, client, "127.0.0.1", port, CLIENT,
                HANDSHAKE_TIMEOUT));
        assertTrue(failure.getMessage().contains("closed the connection"), failure.getMessage());

        // and the client side detects it by itself against a peer that echoes our peer id
        int echo = rawServer(s -> s.handler(b -> s.write(CLIENT.encode())));
        Throwable self = awaitFailure(PeerConnection.connect(vertx, client, "127.0.0.1", echo, CLIENT,
                HANDSHAKE_TIMEOUT));
        assertEquals("connected to ourselves", self.getMessage());
    }

    @Test
    void clientGivesUpOnASilentPeer() throws Exception {
        int port = rawServer(s -> { }); // accepts, never answers
        long start = System.nanoTime();
        Throwable failure = awaitFailure(PeerConnection.connect(vertx, client, "127.0.0.1", port, CLIENT,
                Duration.ofMillis(300)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(failure.getMessage().contains("no handshake"), failure.getMessage());
        assertTrue(ms >= 250 && ms < 5000, "gave up after " + ms + " ms");
    }

    @Test
    void serverDropsAPeerThatNeverHandshakes() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        int port = await(new PeerServer(Duration.ofMillis(300), ConnectionSettings.DEFAULTS).listen(vertx,
                "127.0.0.1", 0, h -> Optional.of(SERVER), c -> accepted.incrementAndGet()));
        CompletableFuture<Void> closed = new CompletableFuture<>();
        NetSocket socket = await(client.connect(port, "127.0.0.1"));
        socket.closeHandler(v -> closed.complete(null));
        await(closed);
        assertEquals(0, accepted.get());
    }

    @Test
    void serverDropsGarbageAtOnce() throws Exception {
        int port = listen(new PeerServer(), c -> { });
        CompletableFuture<Void> closed = new CompletableFuture<>();
        NetSocket socket = await(client.connect(port, "127.0.0.1"));
        socket.closeHandler(v -> closed.complete(null));
        socket.write("GET / HTTP/1.1\r\n\r\n");
        await(closed);
    }

    @Test
    void messagesInTheSameReadAsTheHandshakeAreDelivered() throws Exception {
        Buffer handshakeAndMore = SERVER.encode()
                .appendBuffer(MessageEncoder.encode(new PeerMessage.Bitfield(new byte[]{(byte) 0xf0})))
                .appendBuffer(MessageEncoder.encode(new PeerMessage.Have(9)));
        List<PeerMessage> expected = List.of(new PeerMessage.Bitfield(new byte[]{(byte) 0xf0}), new PeerMessage.Have(9));

        // Client side: the peer answers with handshake, bitfield and have in one write.
        int port = rawServer(s -> s.handler(b -> s.write(handshakeAndMore)));
        PeerConnection conn = await(connect(port, CLIENT, ConnectionSettings.DEFAULTS));
        // The handler is set only now, in a later turn of the context: nothing may be lost meanwhile.
        CompletableFuture<List<PeerMessage>> got = collect(conn, 2);
        assertEquals(expected, await(got));

        // Server side: the peer sends handshake, bitfield and have in one write.
        CompletableFuture<List<PeerMessage>> serverGot = new CompletableFuture<>();
        List<PeerMessage> serverSeen = new ArrayList<>();
        int serverPort = listen(new PeerServer(), c -> c.handler(m -> {
            serverSeen.add(m);
            if (serverSeen.size() == 2) {
                serverGot.complete(serverSeen);
            }
        }));
        NetSocket raw = await(client.connect(serverPort, "127.0.0.1"));
        CompletableFuture<Buffer> reply = new CompletableFuture<>();
        Buffer replied = Buffer.buffer();
        raw.handler(b -> {
            replied.appendBuffer(b);
            if (replied.length() >= 68) {
                reply.complete(replied);
            }
        });
        raw.write(CLIENT.encode().appendBuffer(handshakeAndMore.getBuffer(68, handshakeAndMore.length())));
        assertEquals(expected, await(serverGot));
        assertEquals(SERVER, Handshake.decode(await(reply), 0));
    }

    @Test
    void aSilentPeerIsClosedAfterTheIdleTimeout() throws Exception {
        int port = rawServer(s -> s.handler(b -> s.write(SERVER.encode())));
        ConnectionSettings settings = new ConnectionSettings(Duration.ofMillis(300), Duration.ofSeconds(30),
                FrameDecoder.DEFAULT_MAX_FRAME_LENGTH);
        long start = System.nanoTime();
        PeerConnection conn = await(connect(port, CLIENT, settings));
        CompletableFuture<String> closed = new CompletableFuture<>();
        onContext(() -> {
            conn.closeHandler(closed::complete);
            conn.handler(m -> { });
        });
        String reason = await(closed);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("the peer sent nothing for 300 ms", reason);
        assertTrue(ms >= 280, "closed after " + ms + " ms");
        assertTrue(conn.isClosed());
    }

    @Test
    void aKeepAliveIsSentWhenWeHaveNothingToSay() throws Exception {
        CompletableFuture<Buffer> afterHandshake = new CompletableFuture<>();
        int port = rawServer(s -> {
            Buffer got = Buffer.buffer();
            s.handler(b -> {
                boolean first = got.length() < 68;
                got.appendBuffer(b);
                if (first && got.length() >= 68) {
                    s.write(SERVER.encode());
                }
                if (got.length() >= 68 + 4) {
                    afterHandshake.complete(got.getBuffer(68, got.length()));
                }
            });
        });
        ConnectionSettings settings = new ConnectionSettings(Duration.ofSeconds(30), Duration.ofMillis(200),
                FrameDecoder.DEFAULT_MAX_FRAME_LENGTH);
        PeerConnection conn = await(connect(port, CLIENT, settings));
        onContext(() -> conn.handler(m -> { }));
        assertEquals(Buffer.buffer(new byte[4]), await(afterHandshake));
    }

    @Test
    void aMalformedFrameClosesOnlyThatConnection() throws Exception {
        List<CompletableFuture<String>> serverCloses = List.of(new CompletableFuture<>(), new CompletableFuture<>());
        CompletableFuture<PeerMessage> goodGot = new CompletableFuture<>();
        AtomicInteger n = new AtomicInteger();
        int port = listen(new PeerServer(), c -> {
            int i = n.getAndIncrement();
            c.closeHandler(serverCloses.get(i)::complete);
            c.handler(goodGot::complete);
        });
        // The bad peer: a valid handshake, then a Have frame of 3 bytes.
        NetSocket bad = await(client.connect(port, "127.0.0.1"));
        CompletableFuture<Void> badClosed = new CompletableFuture<>();
        bad.closeHandler(v -> badClosed.complete(null));
        bad.write(CLIENT.encode().appendBuffer(Buffer.buffer().appendInt(3).appendByte((byte) 4).appendShort((short) 1)));
        String reason = await(serverCloses.get(0));
        assertTrue(reason.contains("have message of 3 bytes"), reason);
        await(badClosed);
        assertTrue(!goodGot.isDone(), "the bad frame reached no handler");

        PeerConnection good = await(connect(port, Handshake.ours(HASH, id("-BM0001-client111111")),
                ConnectionSettings.DEFAULTS));
        onContext(() -> {
            good.handler(m -> { });
            good.send(PeerMessage.INTERESTED);
        });
        assertEquals(PeerMessage.INTERESTED, await(goodGot));
        assertTrue(!serverCloses.get(1).isDone(), "the other connection stays open");
    }

    @Test
    void pausedReadingHoldsMessagesBack() throws Exception {
        CompletableFuture<PeerConnection> serverSide = new CompletableFuture<>();
        int port = listen(new PeerServer(), c -> {
            c.handler(m -> { });
            serverSide.complete(c);
        });
        PeerConnection conn = await(connect(port, CLIENT, ConnectionSettings.DEFAULTS));
        List<PeerMessage> seen = new ArrayList<>();
        CompletableFuture<Void> first = new CompletableFuture<>();
        onContext(() -> conn.handler(m -> {
            seen.add(m);
            conn.pauseReading(); // one message per resume
            first.complete(null);
        }));
        PeerConnection server = await(serverSide);
        serverContext.runOnContext(v -> {
            for (int i = 0; i < 5; i++) {
                server.send(new PeerMessage.Have(i));
            }
        });
        await(first);
        for (int i = 1; i < 5; i++) {
            int expected = i + 1;
            CompletableFuture<Integer> count = new CompletableFuture<>();
            onContext(() -> {
                conn.resumeReading();
                vertx.setPeriodic(5, t -> {
                    if (seen.size() >= expected) {
                        vertx.cancelTimer(t);
                        count.complete(seen.size());
                    }
                });
            });
            assertEquals(expected, await(count));
        }
        assertEquals(List.of(new PeerMessage.Have(0), new PeerMessage.Have(1), new PeerMessage.Have(2),
                new PeerMessage.Have(3), new PeerMessage.Have(4)), seen);
    }

    @Test
    void readsMayGrowTo256KiBOnBothSides() throws Exception {
        CompletableFuture<PeerConnection> serverSide = new CompletableFuture<>();
        int port = listen(new PeerServer(), serverSide::complete);
        PeerConnection conn = await(connect(port, CLIENT, ConnectionSettings.DEFAULTS));
        // Netty keeps the read-size handle made at a channel's first read: an allocator set after the handshake
        // was never used, and reads stopped at its default of 64 KiB
        assertEquals(256 * 1024, readSizeAfterFullReads(conn));
        assertEquals(256 * 1024, readSizeAfterFullReads(await(serverSide)));
    }

    /** The size Netty reads {@code conn}'s socket with after reads that each filled their buffer (a fast peer). */
    static int readSizeAfterFullReads(PeerConnection conn) throws Exception {
        io.netty.channel.Channel ch = conn.nettyChannel();
        return ch.eventLoop().submit(() -> {
            io.netty.channel.RecvByteBufAllocator.Handle reads = ch.unsafe().recvBufAllocHandle();
            for (int i = 0; i < 8; i++) {
                reads.reset(ch.config());
                reads.attemptedBytesRead(reads.guess());
                reads.lastBytesRead(reads.guess());
                reads.incMessagesRead(1);
                reads.readComplete();
            }
            return reads.guess();
        }).get(10, TimeUnit.SECONDS);
    }

    // --- the client connections of a test live on one context, like the engine's ---

    io.vertx.core.Context clientContext;
    io.vertx.core.Context serverContext;

    Future<PeerConnection> connect(int port, Handshake ours, ConnectionSettings settings) {
        if (clientContext == null) {
            clientContext = vertx.getOrCreateContext();
        }
        Promise<PeerConnection> promise = Promise.promise();
        clientContext.runOnContext(v -> PeerConnection.connect(vertx, client, "127.0.0.1", port, ours,
                HANDSHAKE_TIMEOUT, settings).onComplete(promise));
        return promise.future();
    }

    void onContext(Runnable r) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        clientContext.runOnContext(v -> {
            r.run();
            done.complete(null);
        });
        await(done);
    }

    CompletableFuture<List<PeerMessage>> collect(PeerConnection conn, int count) throws Exception {
        CompletableFuture<List<PeerMessage>> got = new CompletableFuture<>();
        FrameCodecTest.Collector c = new FrameCodecTest.Collector();
        onContext(() -> {
            conn.closeHandler(r -> got.completeExceptionally(new AssertionError("closed: " + r)));
            conn.handler(m -> {
                c.accept(m);
                if (c.messages.size() == count) {
                    got.complete(c.messages);
                }
            });
        });
        return got;
    }
}
