package me.bittorrent.wire;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import me.bittorrent.metainfo.InfoHash;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Talks the real wire protocol to a real libtorrent 2.0 seeder on loopback. */
class LibtorrentSeederTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final int PIECES = 16; // 1 MiB in 64 KiB pieces

    @Test
    void downloadsTheFirstBlockFromALibtorrentSeeder() throws Exception {
        requireLibtorrent();
        Path script = Files.createTempFile("libtorrent_seeder", ".py");
        try (InputStream in = getClass().getResourceAsStream("/wire/libtorrent_seeder.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Process seeder = new ProcessBuilder(PYTHON, script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Vertx vertx = Vertx.vertx();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(seeder.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = CompletableFuture.supplyAsync(() -> {
                try {
                    return List.of(out.readLine(), out.readLine(), out.readLine());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).get(60, TimeUnit.SECONDS);
            assertTrue(lines.stream().allMatch(l -> l != null), "the seeder printed " + lines);
            InfoHash infoHash = InfoHash.fromHex(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(1).trim());
            byte[] firstBlock = Arrays.copyOf(Files.readAllBytes(Path.of(lines.get(2).trim())), 16384);

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
            seeder.getOutputStream().close(); // the seeder exits when stdin closes
            if (!seeder.waitFor(10, TimeUnit.SECONDS)) {
                seeder.destroyForcibly();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(script);
        }
    }

    /** Fails in CI (the image must have it), skips elsewhere when python3-libtorrent is missing. */
    private static void requireLibtorrent() throws Exception {
        boolean present;
        try {
            Process probe = new ProcessBuilder(PYTHON, "-c", "import libtorrent").redirectErrorStream(true).start();
            present = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
            if (probe.isAlive()) {
                probe.destroyForcibly();
            }
        } catch (java.io.IOException e) {
            present = false;
        }
        if (!present) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(PYTHON + " cannot import libtorrent (apt: python3-libtorrent), required when CI=true");
            }
            assumeTrue(false, PYTHON + " cannot import libtorrent (apt: python3-libtorrent): skipped");
        }
    }
}
