package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;
import me.bittorrent.wire.PeerServer;

/**
 * Peers that send bencode bombs in BEP 10 messages (issue 11), over real sockets on loopback, each from 127.0.0.3
 * as bench/attack.py's bomb peers do: a string claiming 2 GB, 100,000 nested lists, a token flood, a cut-off
 * dictionary and a 2 GB {@code metadata_size} in the extension handshake, a ut_metadata message naming a piece no
 * info dictionary has, and a ut_pex message that is not bencode. Each connection is closed by the service within
 * a bound (not left holding a slot), the reason is the peer's, and an honest download finishes alongside.
 */
class HostileExtensionPeerTest {

    static final String ATTACKER = "127.0.0.3";

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @TempDir
    Path tmp;
    final PeerServer seedServer = harness.server();
    final PeerServer leechServer = harness.server();

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The bombs, each with the extended id it is sent to. */
    static List<PeerMessage.Extended> bombs() {
        List<PeerMessage.Extended> bombs = new ArrayList<>();
        bombs.add(new PeerMessage.Extended(0, ascii("d1:v2000000000:x")));
        bombs.add(new PeerMessage.Extended(0,
                ascii("d1:md11:ut_metadatai1e6:ut_pexi2ee13:metadata_sizei2000000000ee")));
        bombs.add(new PeerMessage.Extended(0, ascii("l".repeat(100_000))));
        bombs.add(new PeerMessage.Extended(0, ascii("d1:ml" + "i1e".repeat(5_000) + "i1e".repeat(5_000) + "ee")));
        bombs.add(new PeerMessage.Extended(0, ascii("d1:md11:ut_metadatai1e6:ut_pex")));
        bombs.add(new PeerMessage.Extended(UtMetadata.OUR_ID, ascii("d8:msg_typei0e5:piecei99999ee")));
        bombs.add(new PeerMessage.Extended(UtPex.OUR_ID, ascii("d5:added2000000000:")));
        return bombs;
    }

    /** Dials {@code port} from the attacker's address, sends {@code bomb}; completes when the service hangs up. */
    CompletableFuture<String> bomb(int port, TorrentMeta meta, PeerMessage.Extended bomb) {
        CompletableFuture<String> ended = new CompletableFuture<>();
        NetClient client = harness.vertx().createNetClient(new NetClientOptions().setLocalAddress(ATTACKER));
        harness.context().runOnContext(v -> PeerConnection.connect(harness.vertx(), client, "127.0.0.1", port,
                Handshake.ours(meta.infoHash(), SessionHarness.newPeerId()), Duration.ofSeconds(5)).onComplete(ar -> {
                    if (ar.failed()) {
                        ended.complete("handshake failed: " + ar.cause().getMessage());
                        return;
                    }
                    PeerConnection c = ar.result();
                    c.handler(m -> { });
                    c.closeHandler(ended::complete);
                    c.send(bomb);
                }));
        return ended;
    }

    @Test
    void everyBombPeerIsDroppedAndTheHonestDownloadFinishes() throws Exception {
        TorrentMeta meta = TestTorrents.create(tmp.resolve("seed"), "bombed", 32 * 1024,
                List.of(new TestTorrents.FileSpec("x.bin", 3_000_000)), List.of(), 11);
        SessionHarness.Listening seed = harness.completeSeeder(meta, tmp.resolve("seed"), seedServer);

        byte[] leechId = SessionHarness.newPeerId();
        TorrentSession leecher = harness.session(leechId, meta, Files.createDirectories(tmp.resolve("leech")),
                new BitSet());
        leecher.pex(() -> true);
        int leechPort = harness.listen(harness.context(), leechServer, meta, leechId, leecher);
        SessionHarness.Recorder recorder = SessionHarness.record(leecher);
        leecher.start().await().atMost(Duration.ofSeconds(10));
        leecher.addPeer("127.0.0.1", seed.port());

        List<PeerMessage.Extended> bombs = bombs();
        for (int round = 0; round < 3; round++) { // reconnecting at once, as the attackers do
            List<CompletableFuture<String>> ends = new ArrayList<>();
            for (PeerMessage.Extended b : bombs) {
                ends.add(bomb(leechPort, meta, b));
            }
            for (int i = 0; i < ends.size(); i++) {
                String why = ends.get(i).get(10, TimeUnit.SECONDS); // hung up on, not kept open
                assertTrue(why != null, "bomb " + i);
            }
        }
        recorder.completed().get(30, TimeUnit.SECONDS);
        long dropped = recorder.events().stream().filter(e -> e instanceof TorrentEvent.PeerDisconnected d
                && d.address().startsWith(ATTACKER + ":")).count();
        assertEquals(3L * bombs.size(), dropped, "every bomb connection was dropped: " + recorder.events());
        assertTrue(recorder.events().stream().anyMatch(e -> e instanceof TorrentEvent.PeerDisconnected d
                && d.reason().contains("extension handshake is not valid bencode")), recorder.events().toString());
        assertTrue(recorder.events().stream().anyMatch(e -> e instanceof TorrentEvent.PeerDisconnected d
                && d.reason().contains("claims an info dictionary of 2000000000 bytes")), recorder.events().toString());
        leecher.stop().await().atMost(Duration.ofSeconds(10));
        seed.session().stop().await().atMost(Duration.ofSeconds(10));
        LibtorrentInteropTest.assertSameFiles(meta, tmp.resolve("seed"), tmp.resolve("leech"));
    }
}
