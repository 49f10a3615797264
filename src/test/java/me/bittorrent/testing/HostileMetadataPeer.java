package me.bittorrent.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted peer on 127.0.0.1 that speaks just enough BEP 3/10/9 to lie about a torrent's metadata: it accepts
 * connections for any info-hash, offers ut_metadata, and answers requests as its {@link Mode} says. Each
 * connection runs on its own thread; {@link #closedByRemote()} completes when the client under test hangs up.
 */
public final class HostileMetadataPeer implements AutoCloseable {

    public enum Mode {
        /** Claims the right size, answers every request with random bytes (the hash cannot match). */
        WRONG_HASH,
        /** Claims a 100 MiB info dictionary (over any sane cap). */
        OVERSIZED,
        /** Claims the right size and never answers a request. */
        SILENT,
        /** Serves the bytes given to {@link #serving} faithfully (e.g. an info dictionary that is itself invalid). */
        SERVE
    }

    /** Our ut_metadata id, as we announce it. */
    static final int OUR_ID = 3;
    private static final Pattern PIECE = Pattern.compile("5:piecei(\\d+)e");

    private final Mode mode;
    private final int size;
    private byte[] served = new byte[0];
    private final ServerSocket server;
    private final CompletableFuture<Void> closedByRemote = new CompletableFuture<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closing;

    /** @param size the metadata size to claim (OVERSIZED claims 100 MiB whatever this is) */
    public HostileMetadataPeer(Mode mode, int size) throws IOException {
        this.mode = mode;
        this.size = size;
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "hostile-metadata-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A peer that serves {@code metadata} as it is. */
    public static HostileMetadataPeer serving(byte[] metadata) throws IOException {
        HostileMetadataPeer peer = new HostileMetadataPeer(Mode.SERVE, metadata.length);
        peer.served = metadata.clone();
        return peer;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Completes when a client closed its connection to us. */
    public CompletableFuture<Void> closedByRemote() {
        return closedByRemote;
    }

    public int requests() {
        return requests.get();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!closing) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(socket), "hostile-metadata-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] theirs = new byte[68];
            in.readFully(theirs);
            byte[] ours = theirs.clone();
            ours[20 + 5] |= 0x10; // BEP 10
            // a peer id of its own (its port in it): scripted peers of one test must not share an id, or a ban of
            // one (by id) refuses the others too
            byte[] id = String.format("-HM0001-%012d", server.getLocalPort()).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(id, 0, ours, 48, 20);
            out.write(ours);
            long claimed = mode == Mode.OVERSIZED ? 100L * 1024 * 1024 : size;
            extended(out, 0, ("d1:md11:ut_metadatai" + OUR_ID + "ee13:metadata_sizei" + claimed + "ee")
                    .getBytes(StandardCharsets.US_ASCII));
            int theirId = 0;
            while (true) {
                int length = in.readInt();
                if (length == 0) {
                    continue;
                }
                byte[] message = new byte[length];
                in.readFully(message);
                if (message[0] != 20) {
                    continue;
                }
                String payload = new String(message, 2, length - 2, StandardCharsets.ISO_8859_1);
                if (message[1] == 0) {
                    Matcher m = Pattern.compile("11:ut_metadatai(\\d+)e").matcher(payload);
                    theirId = m.find() ? Integer.parseInt(m.group(1)) : 0;
                } else if (message[1] == OUR_ID && payload.contains("8:msg_typei0e")) {
                    requests.incrementAndGet();
                    Matcher m = PIECE.matcher(payload);
                    if ((mode == Mode.WRONG_HASH || mode == Mode.SERVE) && m.find() && theirId != 0) {
                        int piece = Integer.parseInt(m.group(1));
                        int pieceLength = Math.min(16384, size - piece * 16384);
                        byte[] head = ("d8:msg_typei1e5:piecei" + piece + "e10:total_sizei" + size + "ee")
                                .getBytes(StandardCharsets.US_ASCII);
                        byte[] garbage = new byte[pieceLength];
                        if (mode == Mode.SERVE) {
                            System.arraycopy(served, piece * 16384, garbage, 0, pieceLength);
                        } else {
                            new Random().nextBytes(garbage);
                        }
                        byte[] all = new byte[head.length + garbage.length];
                        System.arraycopy(head, 0, all, 0, head.length);
                        System.arraycopy(garbage, 0, all, head.length, garbage.length);
                        extended(out, theirId, all);
                    }
                }
            }
        } catch (IOException e) {
            if (!closing) {
                closedByRemote.complete(null);
            }
        }
    }

    private static void extended(DataOutputStream out, int id, byte[] payload) throws IOException {
        out.writeInt(payload.length + 2);
        out.writeByte(20);
        out.writeByte(id);
        out.write(payload);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closing = true;
        server.close();
    }
}
