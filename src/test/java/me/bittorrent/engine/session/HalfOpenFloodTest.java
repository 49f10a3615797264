package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.ConnectionSettings;
import me.bittorrent.wire.IncomingGate;
import me.bittorrent.wire.PeerServer;

/**
 * Issue 11 item 2: 2,000 sockets to a downloading session's peer port that never handshake, from 250 loopback
 * addresses (8 each). The server keeps at most the half-open cap of them, closes the excess at once and the rest
 * at the handshake timeout; the engine context keeps answering, and the session's download from an honest seeder
 * completes alongside with correct data.
 */
class HalfOpenFloodTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    static final int SOCKETS = 2000;
    static final int SOURCES = 250;

    @TempDir
    Path tmp;
    final PeerServer seedServer = harness.server();
    final IncomingGate gate = new IncomingGate(IncomingGate.Caps.forThisProcess());
    final PeerServer victimServer = harness.server(
            new PeerServer(PeerServer.HANDSHAKE_TIMEOUT, ConnectionSettings.DEFAULTS, gate));
    final List<SocketChannel> flood = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (SocketChannel channel : flood) {
            channel.close();
        }
    }

    @Test
    void socketsThatNeverHandshakeAreCappedAndClosedWhileADownloadCompletes() throws Exception {
        assertEquals(8, gate.caps().maxPerIp());
        TorrentMeta meta = TestTorrents.create(tmp.resolve("seed"), "flooded", 32 * 1024,
                List.of(new TestTorrents.FileSpec("x.bin", 3_000_000)), List.of(), 5);
        SessionHarness.Listening seed = harness.completeSeeder(meta, tmp.resolve("seed"), seedServer);

        byte[] victimId = SessionHarness.newPeerId();
        TorrentSession victim = harness.session(victimId, meta, Files.createDirectories(tmp.resolve("leech")),
                new BitSet());
        int victimPort = harness.listen(harness.context(), victimServer, meta, victimId, victim);
        CompletableFuture<Void> completed = SessionHarness.record(victim).completed();
        victim.start().await().atMost(Duration.ofSeconds(10));

        // the flood: connect and never say a word
        for (int i = 0; i < SOCKETS; i++) {
            SocketChannel channel = SocketChannel.open();
            flood.add(channel);
            channel.bind(new InetSocketAddress("127.0.1." + (1 + i % SOURCES), 0));
            channel.connect(new InetSocketAddress("127.0.0.1", victimPort));
            channel.configureBlocking(false);
        }
        victim.addPeer("127.0.0.1", seed.port()); // the honest download goes on meanwhile

        // the excess is closed at once: at most the half-open cap stays open
        int cap = gate.caps().maxHalfOpen();
        awaitClosed(SOCKETS - cap, PeerServer.HANDSHAKE_TIMEOUT.minusSeconds(2)); // before any handshake timeout
        assertTrue(gate.halfOpen() <= cap, "half-open: " + gate.halfOpen());
        assertTrue(gate.refused() >= SOCKETS - cap, "refused: " + gate.refused());
        // the engine context still answers
        CompletableFuture<SessionSnapshot> snapshot = new CompletableFuture<>();
        harness.context().runOnContext(v -> snapshot.complete(victim.latestSnapshot()));
        assertTrue(snapshot.get(5, TimeUnit.SECONDS) != null);

        completed.get(60, TimeUnit.SECONDS);
        assertEquals(SessionState.SEEDING, victim.latestSnapshot().state());
        // the half-open ones end at the handshake timeout: nothing of the flood is left
        awaitClosed(SOCKETS, PeerServer.HANDSHAKE_TIMEOUT.plusSeconds(20));
        assertEquals(0, gate.open());
        victim.stop().await().atMost(Duration.ofSeconds(10));
        seed.session().stop().await().atMost(Duration.ofSeconds(10));
        for (TorrentFile file : meta.files()) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("seed/flooded").resolve(file.displayPath())),
                    Files.readAllBytes(tmp.resolve("leech/flooded").resolve(file.displayPath())));
        }
    }

    /** Waits (bounded) until at least {@code n} flood sockets were closed by the server. */
    void awaitClosed(int n, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        ByteBuffer scratch = ByteBuffer.allocate(64);
        while (true) {
            int closed = 0;
            for (SocketChannel channel : flood) {
                if (closedByServer(channel, scratch)) {
                    closed++;
                }
            }
            if (closed >= n) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "only " + closed + " of " + n + " sockets were closed");
            Thread.sleep(100); // bounded poll of the sockets' state
        }
    }

    static boolean closedByServer(SocketChannel channel, ByteBuffer scratch) {
        if (!channel.isOpen()) {
            return true;
        }
        try {
            scratch.clear();
            if (channel.read(scratch) < 0) {
                channel.close();
                return true;
            }
            return false;
        } catch (IOException e) { // reset by the server
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a reset socket
            }
            return true;
        }
    }
}
