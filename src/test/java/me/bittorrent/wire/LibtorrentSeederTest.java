package me.bittorrent.wire;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import me.bittorrent.metainfo.InfoHash;
import org.junit.jupiter.api.Test;

import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.io.TempDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Talks the real wire protocol to a real libtorrent 2.0 seeder on loopback. */
class LibtorrentSeederTest {

    private static final int PIECES = 16; // 1 MiB in 64 KiB pieces

    @TempDir
    Path tmp;

    @Test
    void downloadsTheFirstBlockFromALibtorrentSeeder() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path file = TorrentBuilder.randomFile(data.resolve("wire.bin"), PIECES * 65536L, 7);
        Path torrent = Files.write(tmp.resolve("wire.torrent"), TorrentBuilder.of(file).pieceLength(65536).build());
        byte[] firstBlock = Arrays.copyOf(Files.readAllBytes(file), 16384);
        Vertx vertx = Vertx.vertx();
        try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, data).seedMode().noTrackers().start()) {
            seeder.awaitReady(Duration.ofSeconds(60));
            InfoHash infoHash = InfoHash.fromHex(seeder.infoHash());
            int port = seeder.port();

            byte[] peerId = "-BM0001-wiretest0000".getBytes(StandardCharsets.US_ASCII);
            NetClient client = vertx.createNetClient();
            Context context = vertx.getOrCreateContext();
            BitSet has = new BitSet();
            boolean[] bitfieldSeen = new boolean[1];
            CompletableFuture<byte[]> block = new CompletableFuture<>();
            Promise<PeerConnection> connected = Promise.promise();
            context.runOnContext(v -> PeerConnection.connect(vertx, client, "127.0.0.1", port,
                    Handshake.ours(infoHash, peerId), Duration.ofSeconds(10)).onComplete(connected));
            PeerConnection conn = connected.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            context.runOnContext(v -> {
                conn.closeHandler(reason -> block.completeExceptionally(new AssertionError("closed: " + reason)));
                conn.handler(m -> {
                    if (m instanceof PeerMessage.Bitfield b) {
                        bitfieldSeen[0] = true;
                        for (int i = 0; i < PIECES; i++) {
                            if (b.has(i)) {
                                has.set(i);
                            }
                        }
                    } else if (m instanceof PeerMessage.Have h) {
                        has.set(h.piece());
                    } else if (m instanceof PeerMessage.Unchoke) {
                        conn.send(new PeerMessage.Request(0, 0, 16384));
                    } else if (m instanceof PeerMessage.Piece p) {
                        if (p.piece() == 0 && p.begin() == 0) {
                            block.complete(p.data().getBytes()); // copy: the slice dies with this call
                        }
                    }
                });
                conn.send(PeerMessage.INTERESTED);
            });

            assertArrayEquals(firstBlock, block.get(30, TimeUnit.SECONDS), "block 0 of piece 0");
            assertEquals(PIECES, has.cardinality(), "the seeder announced every piece (bitfield seen: "
                    + bitfieldSeen[0] + ")");
            assertEquals(infoHash, conn.remoteHandshake().infoHash());
            assertTrue(conn.remoteHandshake().supportsExtensions(), "libtorrent supports BEP 10");
            assertTrue(conn.bytesRead() >= 68 + 13 + 16384);
            context.runOnContext(v -> conn.close("test done"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
