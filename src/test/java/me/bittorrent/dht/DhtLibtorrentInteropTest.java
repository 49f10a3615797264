package me.bittorrent.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.testing.LibtorrentDhtChain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Our node against real libtorrent 2.0 DHT nodes on 127.0.0.1, in a CHAIN (node i knows only i-1 and i+1): our
 * node knows only the chain's first node, so it can reach the rest only by iterating. Never a public router.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DhtLibtorrentInteropTest {

    private static final int CHAIN = 16;
    private static final Duration BOUND = Duration.ofSeconds(30);

    private Vertx vertx;
    private LibtorrentDhtChain chain;
    private List<Integer> ports;
    private DhtNode node;

    @BeforeAll
    void joinTheChain() throws Exception {
        chain = LibtorrentDhtChain.start(CHAIN, BOUND);
        ports = chain.ports();
        awaitTrue(() -> chain.tableSizes(BOUND).stream().allMatch(n -> n >= 1), "the libtorrent chain links up");
        vertx = Vertx.vertx();
        DhtConfig config = DhtConfig.defaults().withBootstrap(List.of("127.0.0.1:" + ports.get(0)))
                .withRates(100_000, 100_000).withQueryTimeout(Duration.ofSeconds(2));
        node = await(DhtNode.bind(vertx, "127.0.0.1", 0, config));
        chain.addNode(0, node.port());
    }

    @AfterAll
    void close() throws Exception {
        if (node != null) {
            await(node.stop());
        }
        if (chain != null) {
            chain.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void bootstrapFromOneEndLearnsTheChainByIterating() throws Exception {
        // the first node knows only its neighbour and us: anything beyond came from iterative find_node
        awaitTrue(() -> node.nodeCount() >= CHAIN / 2, "our table fills from the chain");
        List<Contact> known = await(node.nodes());
        assertTrue(known.stream().allMatch(c -> c.address().getAddress().isLoopbackAddress()), known::toString);
    }

    @Test
    void findsALibtorrentPeerAnnouncedAtTheFarEnd() throws Exception {
        // the info-hash farthest from the first node's id: that node never stores it, the lookup must travel
        Contact first = await(node.nodes()).stream().filter(c -> c.address().getPort() == ports.get(0))
                .findFirst().orElseThrow();
        byte[] far = first.id().bytes();
        for (int i = 0; i < far.length; i++) {
            far[i] = (byte) ~far[i];
        }
        InfoHash hash = new InfoHash(far);
        int peerPort = ports.get(CHAIN - 1);
        assertEquals(Set.of(), await(node.getPeers(hash, p -> { })), "nobody has announced it yet");
        chain.addTorrent(CHAIN - 1, hash.hex());
        InetSocketAddress farPeer = new InetSocketAddress("127.0.0.1", peerPort);
        awaitTrue(() -> await(node.getPeers(hash, p -> { })).contains(farPeer),
                "our get_peers finds the libtorrent peer at " + farPeer);
    }

    @Test
    void libtorrentFindsUsAfterWeAnnounce() throws Exception {
        InfoHash hash = new InfoHash(NodeId.random(new java.security.SecureRandom()).bytes());
        int ourTcpPort = 51413;
        int accepted = await(node.announce(hash, ourTcpPort));
        assertTrue(accepted >= 1, "libtorrent nodes accepted our announce_peer (tokens valid): " + accepted);
        chain.getPeers(CHAIN - 1, hash.hex());
        awaitTrue(() -> {
            if (chain.peersFound(CHAIN - 1, hash.hex()).contains("127.0.0.1:" + ourTcpPort)) {
                return true;
            }
            chain.getPeers(CHAIN - 1, hash.hex()); // another lookup: the first may have ended early
            return false;
        }, "libtorrent's get_peers finds our announce");
        assertEquals(0, node.stats().malformed(), "libtorrent sent nothing we could not decode");
        assertTrue(node.stats().answered() > 0, "libtorrent nodes queried us and got answers: " + node.stats());
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + BOUND + ": " + what);
            }
            Thread.sleep(200); // polling interval of a bounded wait
        }
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Vert.x future did not complete: " + e, e);
        }
    }

}
