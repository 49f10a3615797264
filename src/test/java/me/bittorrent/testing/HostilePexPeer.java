package me.bittorrent.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted peer on 127.0.0.1 that abuses BEP 11: it offers ut_pex and ut_metadata, and once it has read the
 * client's extension handshake it sends one PEX message naming {@code hugeCount} peers, then {@code floodCount}
 * more right behind it (50 fresh peers each), then a ut_metadata request. The client answers that request (data or
 * a reject) only after it handled every message before it on the connection, so {@link #answered()} tells a test
 * that all the PEX messages were processed. The peers it names are 127.0.x.y addresses (loopback, port 1: nothing
 * listens there), never outside this machine. When the client offered no ut_pex, the messages go to id 1 anyway.
 */
public final class HostilePexPeer implements AutoCloseable {

    private static final int OUR_METADATA_ID = 3;
    private static final int OUR_PEX_ID = 1;

    private final int hugeCount;
    private final int floodCount;
    private final ServerSocket server;
    private final CompletableFuture<String> theirHandshake = new CompletableFuture<>();
    private final CompletableFuture<Void> answered = new CompletableFuture<>();
    private volatile boolean closing;

    public HostilePexPeer(int hugeCount, int floodCount) throws IOException {
        this.hugeCount = hugeCount;
        this.floodCount = floodCount;
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "hostile-pex-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The client's extension handshake, as text (ISO-8859-1). */
    public CompletableFuture<String> theirHandshake() {
        return theirHandshake;
    }

    /** Completes when the client answered the metadata request sent after every PEX message. */
    public CompletableFuture<Void> answered() {
        return answered;
    }

    private void acceptLoop() {
        while (!closing) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "hostile-pex-conn");
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
            java.util.Arrays.fill(ours, 20, 28, (byte) 0);
            ours[20 + 5] |= 0x10; // BEP 10
            byte[] id = String.format("-HP0001-%012d", server.getLocalPort()).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(id, 0, ours, 48, 20);
            out.write(ours);
            extended(out, 0, ("d1:md11:ut_metadatai" + OUR_METADATA_ID + "e6:ut_pexi" + OUR_PEX_ID + "ee1:pi"
                    + server.getLocalPort() + "ee").getBytes(StandardCharsets.US_ASCII));
            boolean sent = false;
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
                if (message[1] == 0 && !sent) {
                    theirHandshake.complete(payload);
                    int pexId = idOf(payload, "6:ut_pexi(\\d+)e", 1);
                    int metadataId = idOf(payload, "11:ut_metadatai(\\d+)e", 2);
                    extended(out, pexId, pex(0, hugeCount));
                    for (int i = 0; i < floodCount; i++) {
                        extended(out, pexId, pex(hugeCount + 50 * i, 50));
                    }
                    extended(out, metadataId, "d8:msg_typei0e5:piecei0ee".getBytes(StandardCharsets.US_ASCII));
                    sent = true;
                } else if (message[1] == OUR_METADATA_ID) {
                    answered.complete(null);
                }
            }
        } catch (IOException e) {
            if (!closing) {
                answered.completeExceptionally(new IOException("the client hung up: " + e.getMessage(), e));
            }
        }
    }

    private static int idOf(String payload, String regex, int fallback) {
        Matcher m = Pattern.compile(regex).matcher(payload);
        return m.find() ? Integer.parseInt(m.group(1)) : fallback;
    }

    /** A ut_pex message naming {@code count} peers, numbered from {@code first}: 127.0.x.y:1 with x >= 2. */
    static byte[] pex(int first, int count) {
        ByteArrayOutputStream added = new ByteArrayOutputStream();
        ByteArrayOutputStream flags = new ByteArrayOutputStream();
        for (int i = first; i < first + count; i++) {
            added.writeBytes(new byte[] {127, 0, (byte) (2 + i / 250), (byte) (1 + i % 250), 0, 1});
            flags.write(0x02);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("d5:added" + added.size() + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(added.toByteArray());
        out.writeBytes(("7:added.f" + flags.size() + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(flags.toByteArray());
        out.writeBytes("e".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
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
