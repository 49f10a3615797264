package me.bittorrent.wire;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads the remote's 68-byte handshake from a fresh socket, with a timeout. Hands over the handshake and whatever
 * bytes followed it in the same read (the peer may send its bitfield right behind the handshake).
 * Created and run on the socket's context.
 */
final class HandshakeReader implements Handler<Buffer> {

    private final Vertx vertx;
    private final NetSocket socket;
    private final BiConsumer<Handshake, Buffer> onHandshake;
    private final Consumer<String> onFailure;
    private final long timerId;
    private Buffer received = Buffer.buffer(Handshake.LENGTH);
    private boolean done;

    /**
     * @param onHandshake called with the remote handshake and the bytes after it (maybe empty)
     * @param onFailure   called with a reason after the socket was closed (timeout, garbage, peer hung up)
     */
    HandshakeReader(Vertx vertx, NetSocket socket, Duration timeout, BiConsumer<Handshake, Buffer> onHandshake,
                    Consumer<String> onFailure) {
        this.vertx = vertx;
        this.socket = socket;
        this.onHandshake = onHandshake;
        this.onFailure = onFailure;
        this.timerId = vertx.setTimer(Math.max(1, timeout.toMillis()),
                id -> fail("no handshake from the peer within " + timeout.toMillis() + " ms"));
        PeerConnection.sizeReads(socket); // the socket's first reader: set before anything is read
        socket.handler(this);
        socket.closeHandler(v -> fail("the peer closed the connection during the handshake"));
        socket.exceptionHandler(e -> fail("connection error during the handshake: " + e.getMessage()));
    }

    @Override
    public void handle(Buffer chunk) {
        if (done) {
            return;
        }
        int before = received.length();
        int take = Math.min(Handshake.LENGTH - before, chunk.length());
        received.appendBuffer(chunk, 0, take);
        try {
            Handshake.checkProtocol(received, 0, received.length());
            if (received.length() < Handshake.LENGTH) {
                return;
            }
            Handshake remote = Handshake.decode(received, 0);
            done = true;
            vertx.cancelTimer(timerId);
            socket.handler(null);
            socket.closeHandler(null);
            socket.exceptionHandler(null);
            // The rest of this chunk is the start of the message stream. Copied: it is small and rare.
            Buffer rest = take < chunk.length() ? chunk.getBuffer(take, chunk.length()) : Buffer.buffer(0);
            received = null;
            onHandshake.accept(remote, rest);
        } catch (ProtocolException e) {
            fail(e.getMessage());
        }
    }

    /** Ends the handshake phase with a failure: closes the socket and reports the reason once. */
    void fail(String reason) {
        if (done) {
            return;
        }
        done = true;
        vertx.cancelTimer(timerId);
        socket.handler(null);
        socket.closeHandler(null);
        socket.exceptionHandler(null);
        socket.close();
        onFailure.accept(reason);
    }
}
