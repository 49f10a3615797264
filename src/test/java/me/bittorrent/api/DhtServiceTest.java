package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import me.bittorrent.dht.RoutingTableFile;
import me.bittorrent.engine.DhtService;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.testing.LibtorrentDhtChain;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.Tools;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The service's DHT against a CHAIN of 16 real libtorrent DHT nodes on 127.0.0.1 (node i knows only i-1 and i+1):
 * the service's only bootstrap node (BT_DHT_BOOTSTRAP) is the chain's first node, so whatever it finds at the far
 * end it found by iterating. Torrents here have no tracker at all: the DHT is the only way to a peer.
 */
@QuarkusTest
@WithTestResource(DhtServiceTest.Chain.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DhtServiceTest {

    static final int NODES = 16;
    static final Duration BOUND = Duration.ofSeconds(90);

    /** Starts the chain before the service, and makes its first node the service's bootstrap node. */
    public static class Chain implements QuarkusTestResourceLifecycleManager {
        private LibtorrentDhtChain chain;

        @Override
        public Map<String, String> start() {
            try {
                chain = LibtorrentDhtChain.start(NODES, Duration.ofSeconds(30));
                awaitTrue(() -> chain.tableSizes(Duration.ofSeconds(30)).stream().allMatch(n -> n >= 1),
                        "the libtorrent chain links up");
                return Map.of("bt.dht-bootstrap", "127.0.0.1:" + chain.ports().get(0));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(chain, new TestInjector.MatchesType(LibtorrentDhtChain.class));
        }

        @Override
        public void stop() {
            try {
                if (chain != null) {
                    chain.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    LibtorrentDhtChain chain;

    @Inject
    DownloadEngine engine;
    @Inject
    DhtService dht;

    @BeforeEach
    void chainKnowsUs() throws Exception {
        awaitTrue(() -> dht.status().running(), "our DHT node runs");
        chain.addNode(0, dht.status().port()); // the first node learns us too (libtorrent keeps confirmed nodes)
    }

    @Test
    @Order(1)
    void joinsThroughTheBootstrapNodeAndShowsTheNodeCount() throws Exception {
        awaitTrue(() -> dht.status().nodes() >= NODES / 2, "our table fills from the chain by iterating");
        int peerPort = engine.peerPort();
        given().get("/health").then().statusCode(200)
                .body("dht.enabled", equalTo(true))
                .body("dht.running", equalTo(true))
                .body("dht.port", equalTo(peerPort)) // the peer port's number, on UDP
                .body("dht.nodes", greaterThan(NODES / 2 - 1))
                .body("dht.malformed", equalTo(0));
        given().get("/settings").then().statusCode(200).body("dht", equalTo(true));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.matches("bittorrent_dht_nodes(\\{.*})? [1-9][0-9]*\\.0")), metrics
                .lines().filter(l -> l.contains("dht")).toList().toString());
    }

    @Test
    @Order(2)
    void downloadsATrackerlessTorrentFromASeederFoundOnlyThroughTheDht() throws Exception {
        Path seedDir = Payloads.tempDir("dht-seed");
        Path file = TorrentBuilder.randomFile(seedDir.resolve("far-away.bin"), 700_001, 21);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(32768); // no announce, no announce-list
        Path torrent = builder.writeTo(seedDir.getParent().resolve("far-away-" + System.nanoTime() + ".torrent"));
        String hex = builder.infoHashHex();
        int seeder = NODES - 1;
        chain.seed(seeder, torrent, seedDir);
        String seederAddress = "127.0.0.1:" + chain.ports().get(seeder);
        int[] polls = {0};
        awaitTrue(() -> {
            if (polls[0]++ % 8 == 0) { // a new lookup every 2 s: the seeder announces within seconds
                chain.getPeers(NODES / 2, hex);
            }
            return chain.peersFound(NODES / 2, hex).contains(seederAddress);
        }, "the libtorrent seeder has announced itself on the DHT");

        String id = ApiTest.upload(Files.readAllBytes(torrent), null);
        given().post("/start/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "seeding", BOUND);
        Path downloaded = Path.of(engine.find(id).orElseThrow().stored().downloadDir()).resolve("far-away.bin");
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(downloaded));
        given().get("/status/" + id).then().body("trackers.size()", equalTo(0));
        assertTrue(await(dht.queried(InfoHash.fromHex(hex))), "our node asked the DHT for the torrent");
        // BEP 5 in the peer protocol: our handshake had the DHT bit, so libtorrent sent its DHT port
        assertTrue(dht.status().portMessages() >= 1, "the seeder's PORT message reached our node: " + dht.status());
    }

    @Test
    @Order(3)
    void libtorrentFindsATorrentWeSeedOnlyThroughOurAnnounce() throws Exception {
        TorrentBuilder builder = seededByUs("ours-only.bin", 400_003, 22, false);
        String hex = builder.infoHashHex();
        Path leechDir = Payloads.tempDir("dht-leech");
        Path torrent = builder.writeTo(leechDir.getParent().resolve("ours-only-" + System.nanoTime() + ".torrent"));
        int leecher = NODES / 2;
        chain.leech(leecher, torrent, leechDir); // nobody else has this torrent: its only peer is us
        awaitTrue(() -> chain.finished(leecher, hex), "the libtorrent leecher finished, from us");
        assertArrayEquals(Files.readAllBytes(Path.of(engine.find(hex).orElseThrow().stored().downloadDir())
                .resolve("ours-only.bin")), Files.readAllBytes(leechDir.resolve("ours-only.bin")));
        awaitTrue(() -> given().get("/status/" + hex).then().extract().<Integer>path("uploaded") >= 400_003,
                "our status counts the upload (the snapshot is at most a second old)");
    }

    @Test
    @Order(4)
    void aMagnetWithNoTrackerAndNoPeerGetsMetadataAndDataFromASeederAtTheFarEndOfTheChain() throws Exception {
        Path seedDir = Payloads.tempDir("dht-magnet-seed");
        Path file = TorrentBuilder.randomFile(seedDir.resolve("far-magnet.bin"), 600_011, 31);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(32768); // no announce, no announce-list
        Path torrent = builder.writeTo(seedDir.getParent().resolve("far-magnet-" + System.nanoTime() + ".torrent"));
        String hex = builder.infoHashHex();
        int seeder = NODES - 1; // our bootstrap node is node 0: the seeder is 15 hops away
        chain.seed(seeder, torrent, seedDir);
        awaitAnnounced(hex, "127.0.0.1:" + chain.ports().get(seeder));

        // only the info-hash: no tr, no x.pe, so the metadata's peers can come from the DHT alone
        String id = given().contentType(ContentType.JSON).body(Map.of("magnet", "magnet:?xt=urn:btih:" + hex))
                .when().post("/upload").then().statusCode(200).extract().path("torrent_id");
        given().post("/start/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "seeding", BOUND);
        Path downloaded = Path.of(engine.find(id).orElseThrow().stored().downloadDir()).resolve("far-magnet.bin");
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(downloaded));
        given().get("/status/" + id).then().body("trackers.size()", equalTo(0)).body("name", equalTo("far-magnet.bin"));
        given().get("/torrent/" + id).then().statusCode(200); // the metadata is known and served as a .torrent
        assertTrue(await(dht.queried(InfoHash.fromHex(hex))), "our node asked the DHT for the magnet's peers");
    }

    @Test
    @Order(5)
    void aTrackerlessMagnetWhoseSeederKnowsOnlyUsDownloadsThroughItsAnnounceToUs() throws Exception {
        int lone = chain.lone(dht.status().port(), Duration.ofSeconds(90)); // its bootstrap node: us, nobody else
        String seederAddress = "127.0.0.1:" + chain.port(lone);
        // an info-hash whose first bits are our node id's: we are among the 8 nodes closest to it, the ones the
        // seeder announces to (with 16 chain nodes around, a random hash would reach us only half the time)
        Path seedDir = Payloads.tempDir("dht-lone-seed");
        Path file = null;
        TorrentBuilder builder = null;
        NodeIdPrefix near = new NodeIdPrefix(dht.nodeId());
        for (long seed = 1000; builder == null || near.commonBits(builder.infoHashHex()) < 6; seed++) {
            file = TorrentBuilder.randomFile(seedDir.resolve("lone-seed.bin"), 65_537, seed);
            builder = TorrentBuilder.of(file).pieceLength(16384);
        }
        String hex = builder.infoHashHex();
        Path torrent = builder.writeTo(seedDir.getParent().resolve("lone-seed-" + System.nanoTime() + ".torrent"));
        chain.seed(lone, torrent, seedDir);
        awaitTrue(() -> await(dht.storedPeers(InfoHash.fromHex(hex))).contains(seederAddress),
                "the seeder's announce_peer reached our node");

        String id = given().contentType(ContentType.JSON).body(Map.of("magnet", "magnet:?xt=urn:btih:" + hex
                + "&dn=lone-seed.bin")).when().post("/upload").then().statusCode(200).extract().path("torrent_id");
        given().post("/start/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "seeding", BOUND);
        Path downloaded = Path.of(engine.find(id).orElseThrow().stored().downloadDir()).resolve("lone-seed.bin");
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(downloaded));
        assertTrue(await(dht.queried(InfoHash.fromHex(hex))), "the peer came from our get_peers");
    }

    @Test
    @Order(6)
    void libtorrentWithOnlyAMagnetAndOnlyOurNodeAsBootstrapDownloadsATorrentWeSeed() throws Exception {
        TorrentBuilder builder = seededByUs("for-lone-leecher.bin", 350_003, 32, false);
        String hex = builder.infoHashHex();
        int lone = chain.lone(dht.status().port(), Duration.ofSeconds(90)); // it knows our node and nothing else
        Path leechDir = Payloads.tempDir("dht-lone-leech");
        chain.magnet(lone, hex, leechDir); // metadata and data from us, found through the DHT
        awaitTrue(() -> chain.finished(lone, hex), "the libtorrent magnet leecher finished, from us");
        assertArrayEquals(Files.readAllBytes(engine.downloadDir().resolve("for-lone-leecher.bin")),
                Files.readAllBytes(leechDir.resolve("for-lone-leecher.bin")));
    }

    @Test
    @Order(7)
    void aPrivateTorrentNeverTouchesTheDht() throws Exception {
        TorrentBuilder secret = seededByUs("private.bin", 100_000, 23, true);
        TorrentBuilder open = seededByUs("public.bin", 100_000, 24, false);
        // the public one is looked up at start: once that happened, the private one had its chance too
        awaitTrue(() -> await(dht.queried(InfoHash.fromHex(open.infoHashHex()))), "the public torrent is looked up");
        assertFalse(await(dht.queried(InfoHash.fromHex(secret.infoHashHex()))),
                "our node never sent get_peers or announce_peer for the private torrent");
        String us = "127.0.0.1:" + engine.peerPort();
        int[] polls = {0};
        // asked again every 5 s: our announce_peer may reach the closest nodes after libtorrent's first lookup
        awaitTrue(() -> {
            if (polls[0]++ % 20 == 0) {
                chain.getPeers(NODES / 2, secret.infoHashHex());
                chain.getPeers(NODES / 2, open.infoHashHex());
            }
            return chain.peersFound(NODES / 2, open.infoHashHex()).contains(us);
        }, "libtorrent finds us for the public torrent");
        assertFalse(chain.peersFound(NODES / 2, secret.infoHashHex()).contains(us),
                "libtorrent never finds us for the private torrent");
    }

    @Test
    @Order(8)
    void aria2WithOnlyAMagnetFindsATorrentWeSeedWithOurNodeAsItsOnlyEntryPoint() throws Exception {
        Tools.requireTool("aria2c");
        TorrentBuilder builder = seededByUs("for-aria2.bin", 300_007, 25, false);
        Path dir = Payloads.tempDir("dht-aria2");
        // a magnet link without tracker or peer: aria2 gets metadata and data from us through the DHT alone
        String magnet = "magnet:?xt=urn:btih:" + builder.infoHashHex();
        int dhtPort;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            dhtPort = probe.getLocalPort();
        }
        Process aria2 = new ProcessBuilder(Tools.find("aria2c").toString(), "--enable-dht=true",
                "--dht-listen-port=" + dhtPort, "--dht-entry-point=127.0.0.1:" + dht.status().port(),
                "--dht-file-path=" + dir.resolve("dht.dat"), "--bt-enable-lpd=false", "--enable-peer-exchange=false",
                "--listen-port=" + dhtPort, "--seed-time=0", "--file-allocation=none", "--summary-interval=0",
                "--console-log-level=warn", "--dir=" + dir.resolve("out"), magnet)
                .redirectErrorStream(true).redirectOutput(dir.resolve("aria2.log").toFile()).start();
        try {
            assertTrue(aria2.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "aria2 finished within " + BOUND + ": "
                    + Files.readString(dir.resolve("aria2.log")));
            assertEquals(0, aria2.exitValue(), Files.readString(dir.resolve("aria2.log")));
        } finally {
            aria2.destroyForcibly();
        }
        assertArrayEquals(Files.readAllBytes(engine.downloadDir().resolve("for-aria2.bin")),
                Files.readAllBytes(dir.resolve("out/for-aria2.bin")));
    }

    @Test
    @Order(9)
    void switchedOffLiveTheUdpSocketCloses() throws Exception {
        int port = dht.status().port();
        given().contentType(ContentType.JSON).body("{\"dht\": false}").post("/settings").then().statusCode(200)
                .body("dht", equalTo(false));
        awaitTrue(() -> !dht.status().running(), "the node stops");
        given().get("/health").then().body("dht.enabled", equalTo(false)).body("dht.running", equalTo(false))
                .body("dht.nodes", equalTo(0));
        awaitTrue(() -> canBind(port), "UDP port " + port + " is free again");
        given().contentType(ContentType.JSON).body("{\"dht\": true}").post("/settings").then().statusCode(200)
                .body("dht", equalTo(true));
        awaitTrue(() -> dht.status().running() && dht.status().port() == port, "the node runs again");
        assertFalse(RoutingTableFile.load(engine.stateDir().resolve("dht-routing-table.dat")).orElseThrow().nodes()
                .isEmpty(), "the routing table was saved in the state folder when the node closed");
        given().get("/health").then().body("dht.port", equalTo(port)).body("status", matchesPattern("healthy"));
    }

    /** A torrent whose data is already in the service's download folder: started, it is checked and seeds. */
    private TorrentBuilder seededByUs(String name, int size, long seed, boolean isPrivate) throws IOException {
        Path file = TorrentBuilder.randomFile(engine.downloadDir().resolve(name), size, seed);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(16384).privateFlag(isPrivate);
        String id = ApiTest.upload(builder.build(), null);
        given().post("/start/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "seeding", BOUND);
        return builder;
    }

    /** Waits until a lookup from the chain's middle node finds {@code peer} for {@code hex} (it has announced). */
    private void awaitAnnounced(String hex, String peer) throws Exception {
        int[] polls = {0};
        awaitTrue(() -> {
            if (polls[0]++ % 8 == 0) { // a new lookup every 2 s: the seeder announces within seconds
                chain.getPeers(NODES / 2, hex);
            }
            return chain.peersFound(NODES / 2, hex).contains(peer);
        }, "the libtorrent seeder has announced itself on the DHT");
    }

    /** How many leading bits an info-hash shares with a node id (both hex). */
    record NodeIdPrefix(String nodeIdHex) {
        int commonBits(String hashHex) {
            java.math.BigInteger xor = new java.math.BigInteger(nodeIdHex, 16).xor(new java.math.BigInteger(hashHex, 16));
            return 160 - xor.bitLength();
        }
    }

    static boolean canBind(int port) {
        try (DatagramSocket s = new DatagramSocket(port)) {
            return true;
        } catch (SocketException e) {
            return false;
        }
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
            Thread.sleep(250); // polling interval of a bounded wait
        }
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }
}
