package me.bittorrent.dht;

import static me.bittorrent.dht.DhtLibtorrentInteropTest.await;
import static me.bittorrent.dht.DhtLibtorrentInteropTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import me.bittorrent.metainfo.InfoHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our nodes against each other and against hostile packets, on 127.0.0.1. */
class DhtNodeTest {

    private Vertx vertx;
    private final List<DhtNode> nodes = new ArrayList<>();

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void close() throws Exception {
        for (DhtNode n : nodes) {
            await(n.stop());
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private DhtNode node(DhtConfig config) {
        DhtNode n = await(DhtNode.bind(vertx, "127.0.0.1", 0, config));
        nodes.add(n);
        return n;
    }

    private static DhtConfig config(List<String> bootstrap) {
        return DhtConfig.defaults().withBootstrap(bootstrap).withRates(100_000, 100_000)
                .withQueryTimeout(Duration.ofMillis(500));
    }

    @Test
    void aChainOfOurNodesAnnouncesAndFindsAndTheTableSurvivesARestart(@TempDir Path dir) throws Exception {
        DhtNode first = node(config(List.of()));
        DhtNode previous = first;
        for (int i = 0; i < 6; i++) {
            previous = node(config(List.of("127.0.0.1:" + previous.port())));
        }
        DhtNode last = previous;
        InfoHash hash = new InfoHash(NodeId.random(new SecureRandom()).bytes());
        assertTrue(await(first.announce(hash, 7777)) >= 1);
        InetSocketAddress expected = new InetSocketAddress("127.0.0.1", 7777);
        awaitTrue(() -> await(last.getPeers(hash, p -> { })).contains(expected), "the far end finds the announce");

        Path file = dir.resolve("dht.dat");
        DhtNode saver = node(config(List.of("127.0.0.1:" + last.port())).withStateFile(file));
        await(saver.stop());
        nodes.remove(saver);
        DhtNode restarted = node(config(List.of()).withStateFile(file));
        assertEquals(saver.id(), restarted.id(), "the node id is kept");
        assertTrue(restarted.nodeCount() >= 1, "rejoined from the saved table without any bootstrap node");
    }

    @Test
    void aPeerAnnouncedToUsIsFoundByOurOwnLookupWhenWeAreItsOnlyContact() throws Exception {
        DhtNode us = node(config(List.of()));
        DhtNode seeder = node(config(List.of("127.0.0.1:" + us.port()))); // knows only us; we know only it
        InfoHash hash = new InfoHash(NodeId.random(new SecureRandom()).bytes());
        assertEquals(1, await(seeder.announce(hash, 7001)), "the seeder's announce reached its only node: us");
        InetSocketAddress announced = new InetSocketAddress("127.0.0.1", 7001);
        assertEquals(List.of(announced), await(us.storedPeers(hash)));
        List<InetSocketAddress> seen = new ArrayList<>();
        // the seeder itself stores nothing, so the only place the peer is known is our own store
        assertEquals(Set.of(announced), await(us.getPeers(hash, seen::add)));
        assertEquals(List.of(announced), seen, "handed to the caller like any other peer found");
    }

    @Test
    void garbageIsDroppedAndTheNodeStillAnswers() throws Exception {
        DhtNode target = node(config(List.of()));
        DatagramSocket attacker = await(vertx.createDatagramSocket().listen(0, "127.0.0.2"));
        Random random = new Random(7);
        for (int i = 0; i < 100; i++) {
            byte[] junk = new byte[1 + random.nextInt(1400)];
            random.nextBytes(junk);
            junk[0] = 'd';
            await(attacker.send(Buffer.buffer(junk), target.port(), "127.0.0.1"));
        }
        String huge = "d1:t2:aa1:y1:r1:rd2:id20:abcdefghij01234567895:nodes" + 26 * 2000 + ":";
        await(attacker.send(Buffer.buffer(huge + "x".repeat(26 * 2000) + "ee"), target.port(), "127.0.0.1"));
        awaitTrue(() -> target.stats().malformed() >= 100, "junk counted as malformed: " + target.stats());
        DhtNode honest = node(config(List.of("127.0.0.1:" + target.port())));
        awaitTrue(() -> honest.nodeCount() == 1, "the honest node's find_node is answered");
        assertEquals(Set.of(), await(honest.getPeers(new InfoHash(new byte[20]), p -> { })));
    }

    @Test
    void aJoinWhoseAnswersWereLostIsTriedAgainWithinSecondsNotAMinute() throws Exception {
        DatagramSocket socket = await(vertx.createDatagramSocket().listen(0, "127.0.0.1"));
        AtomicBoolean lost = new AtomicBoolean(true);
        DhtNode bootstrap = new DhtNode(vertx, config(List.of()), (packet, to) -> {
            if (!lost.get()) {
                socket.send(packet, to.getPort(), to.getAddress().getHostAddress());
            }
        });
        nodes.add(bootstrap);
        socket.handler(p -> bootstrap.handlePacket(p.data(),
                new InetSocketAddress(p.sender().hostAddress(), p.sender().port())));
        DhtNode joiner = node(config(List.of("127.0.0.1:" + socket.localAddress().port()))); // its first join ended
        assertEquals(0, joiner.nodeCount(), "the bootstrap node's answers were lost");
        lost.set(false);
        // the next try is due after DhtNode.FIRST_REJOIN_MS (5 s); maintenance alone would come after 60 s
        awaitTrue(() -> joiner.nodeCount() == 1, "the joiner asks the bootstrap node again and joins");
    }

    @Test
    void aFloodFromOneAddressIsCutWhileOthersAreServed() throws Exception {
        DhtNode target = node(DhtConfig.defaults().withBootstrap(List.of()).withRates(10_000, 20)
                .withQueryTimeout(Duration.ofMillis(500)));
        DatagramSocket attacker = await(vertx.createDatagramSocket().listen(0, "127.0.0.2"));
        AtomicInteger answers = new AtomicInteger();
        attacker.handler(p -> answers.incrementAndGet());
        long start = System.nanoTime();
        int sent = 500;
        for (int i = 0; i < sent; i++) {
            await(attacker.send(Buffer.buffer(new KrpcCodec().encode(new KrpcMessage.Ping(new byte[] {1, 1},
                    NodeId.random(new SecureRandom())))), target.port(), "127.0.0.1"));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        awaitTrue(() -> target.stats().rateLimited() > 0, "the flood is rate limited: " + target.stats());
        // the per-address bucket: a burst of 20, then 20 a second (pings back to verify it count as answers too)
        assertTrue(answers.get() <= 2 * (20 + 20 * (seconds + 1)), answers + " answers to " + sent + " pings in "
                + seconds + " s");
        DhtNode honest = node(config(List.of("127.0.0.1:" + target.port())));
        awaitTrue(() -> honest.nodeCount() == 1, "another address is still answered");
    }
}
