package me.bittorrent.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * One established, handshaken peer connection over a Vert.x {@link NetSocket}.
 *
 * <p>All callbacks run on the socket's context, or on the owner's after {@link #handOver}; the methods must be called
 * from that context (the torrent's).
 * Incoming messages are held back (the socket is paused) until {@link #handler} is set, so nothing the peer sends
 * right behind its handshake is lost. The close handler is called exactly once, with a reason in user words; if the
 * connection closed before it was set, it is called as soon as it is set.
 */
public final class PeerConnection {

    private static final Logger LOG = Logger.getLogger(PeerConnection.class);
    private static final Handler<AsyncResult<Void>> NO_CALLBACK = null;

    private final Vertx vertx;
    private final NetSocket socket;
    private final Handshake remoteHandshake;
    private final ConnectionSettings settings;
    private final FrameDecoder decoder;
    private final long idleNanos;
    private final long keepAliveNanos;
    private final long timerPeriodMillis;
    private long timerId;
    /**
     * Bytes the decoder may hold while delivery is paused before the socket stops reading (so at most this plus
     * one read, {@link #MAX_READ}). Reading goes on below it, so a peer's hang-up is still seen while nobody
     * consumes (as NetSocket's own inbound buffer did).
     */
    static final int MAX_HELD_WHILE_PAUSED = 256 * 1024;
    /**
     * Socket reads grow to 256 KiB while a peer sends fast (Netty's default stops at 64 KiB), and shrink again
     * when it slows: fewer reads, pipeline calls and frames cut by a read's end (each copied once more). Measured
     * on a loopback download: 6.2 k reads per GiB instead of 17.7 k, with the same CPU and time in an interleaved
     * A/B (bench/README, stop 27). Each read buffer is pooled and given back once decoded. Set by
     * {@link #sizeReads} before the socket's first read.
     */
    private static final int MIN_READ = 64;
    private static final int INITIAL_READ = 2048;
    private static final int MAX_READ = 256 * 1024;
    /** The socket's channel settings: reading stops and starts with its auto-read flag. */
    private final ChannelConfig channel;

    /** Set by {@link #handOver}: the context socket events are forwarded to; null while they run where they arrive. */
    private Context owner;
    private Consumer<PeerMessage> handler;
    private Consumer<String> closeHandler;
    private String closeReason;
    /** Bookkeeping outside the session (the PeerServer's connection caps): run once when the connection ends. */
    private Runnable onClosed;
    private boolean readingPaused;
    private long lastReadNanos;
    private long lastWriteNanos;
    private long bytesRead;
    private long bytesWritten;

    private PeerConnection(Vertx vertx, NetSocket socket, Handshake remoteHandshake, Buffer afterHandshake,
                           ConnectionSettings settings) {
        this.vertx = vertx;
        this.socket = socket;
        this.remoteHandshake = remoteHandshake;
        this.settings = settings;
        this.decoder = new FrameDecoder(settings.maxFrameLength(), this::deliver);
        this.idleNanos = settings.idleTimeout().toNanos();
        this.keepAliveNanos = settings.keepAliveInterval().toNanos();
        this.lastReadNanos = this.lastWriteNanos = System.nanoTime();
        this.bytesRead = Handshake.LENGTH + afterHandshake.length();
        this.bytesWritten = Handshake.LENGTH;
        // Hold everything back until the owner sets a handler.
        NetSocketInternal raw = (NetSocketInternal) socket;
        this.channel = raw.channelHandlerContext().channel().config();
        decoder.pause();
        decoder.feed(afterHandshake);
        // Netty's pooled read buffers straight to the decoder: NetSocket's own handler would first copy each read
        // into a fresh zeroed heap array. Each buffer is released after decoding (FrameDecoder#feedTransient).
        raw.messageHandler(this::onRead);
        socket.closeHandler(v -> close("the peer closed the connection"));
        socket.exceptionHandler(e -> close("connection error: " + e.getMessage()));
        this.timerPeriodMillis = Math.max(10, Math.min(idleNanos, keepAliveNanos) / 4_000_000);
        this.timerId = vertx.setPeriodic(timerPeriodMillis, id -> checkTimers());
    }

    /**
     * Lets {@code socket}'s reads grow to {@link #MAX_READ}. Called by {@link HandshakeReader}, every peer socket's
     * first reader (our connect and the server's accept alike), before anything is read: Netty makes a channel's
     * read-size handle at its first read and keeps it, so an allocator set later is never used (set in this
     * class's constructor, after the handshake, it left every read at Netty's 64 KiB). PeerConnectionTest checks
     * both sides.
     */
    static void sizeReads(NetSocket socket) {
        ((NetSocketInternal) socket).channelHandlerContext().channel().config()
                .setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(MIN_READ, INITIAL_READ, MAX_READ));
    }

    /** The socket's Netty channel (tests look at how its reads are sized). */
    io.netty.channel.Channel nettyChannel() {
        return ((NetSocketInternal) socket).channelHandlerContext().channel();
    }

    /** Outgoing connection with the default timers and frame limit. */
    public static Future<PeerConnection> connect(Vertx vertx, NetClient client, String host, int port, Handshake ours,
                                                 Duration handshakeTimeout) {
        return connect(vertx, client, host, port, ours, handshakeTimeout, ConnectionSettings.DEFAULTS);
    }

    /**
     * Connects, sends our handshake, reads the peer's. Fails (and closes) if the peer answers for another torrent,
     * turns out to be ourselves (same peer id: a {@link SelfConnectionException}), or does not complete the handshake within {@code handshakeTimeout}
     * (which covers the TCP connect too). Call it on the context that should own the connection.
     */
    public static Future<PeerConnection> connect(Vertx vertx, NetClient client, String host, int port, Handshake ours,
                                                 Duration handshakeTimeout, ConnectionSettings settings) {
        Promise<PeerConnection> promise = Promise.promise();
        Context context = vertx.getOrCreateContext();
        // Connect from inside the context so the socket, the timer and all callbacks share one thread.
        context.runOnContext(v -> {
            long deadline = System.nanoTime() + handshakeTimeout.toNanos();
            long connectTimer = vertx.setTimer(Math.max(1, handshakeTimeout.toMillis()), id -> promise.tryFail(
                    new ProtocolException("could not connect to " + host + ":" + port + " within "
                            + handshakeTimeout.toMillis() + " ms")));
            client.connect(port, host).onComplete(ar -> {
                vertx.cancelTimer(connectTimer);
                if (ar.failed()) {
                    promise.tryFail(ar.cause());
                    return;
                }
                NetSocket socket = ar.result();
                if (promise.future().isComplete()) {
                    socket.close(); // connected after the timeout fired
                    return;
                }
                Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
                new HandshakeReader(vertx, socket, left, (remote, rest) -> {
                    RuntimeException problem = !remote.infoHash().equals(ours.infoHash())
                            ? new ProtocolException("the peer answered for another torrent (" + remote.infoHash() + ")")
                            : remote.samePeerId(ours) ? new SelfConnectionException() : null;
                    if (problem != null) {
                        socket.close();
                        promise.tryFail(problem);
                    } else {
                        promise.tryComplete(new PeerConnection(vertx, socket, remote, rest, settings));
                    }
                }, reason -> promise.tryFail(new ProtocolException(reason)));
                socket.write(ours.encode(), NO_CALLBACK);
            });
        });
        return promise.future();
    }

    /** Inbound side: the server read the peer's handshake and wrote ours. */
    static PeerConnection accepted(Vertx vertx, NetSocket socket, Handshake remote, Buffer afterHandshake,
                                   ConnectionSettings settings) {
        return new PeerConnection(vertx, socket, remote, afterHandshake, settings);
    }

    public Handshake remoteHandshake() {
        return remoteHandshake;
    }

    public String remoteHost() {
        return socket.remoteAddress().host();
    }

    public int remotePort() {
        return socket.remoteAddress().port();
    }

    /**
     * Moves this connection to {@code owner}, the context of the torrent it serves (an inbound connection is
     * accepted on the listener's event loop, the torrent may live on another). Call it on the socket's context,
     * before the owner sets any handler; from then on every method must be called on {@code owner} and every
     * callback runs there. The socket stays on its event loop: each read buffer is retained and decoded on the
     * owner (no copy), the close, error and drain events hop there, writes go through Netty's thread-safe write
     * path, and the idle/keep-alive timer is set again on the owner.
     */
    public void handOver(Context owner) {
        if (owner == Vertx.currentContext() || closeReason != null) {
            return;
        }
        NetSocketInternal raw = (NetSocketInternal) socket;
        vertx.cancelTimer(timerId);
        this.owner = owner;
        raw.messageHandler(read -> owner.runOnContext(v -> onRead(read)));
        socket.closeHandler(v -> owner.runOnContext(x -> close("the peer closed the connection")));
        socket.exceptionHandler(e -> owner.runOnContext(x -> close("connection error: " + e.getMessage())));
        owner.runOnContext(v -> {
            if (closeReason == null) {
                timerId = vertx.setPeriodic(timerPeriodMillis, id -> checkTimers());
            }
        });
    }

    /** Where incoming messages go. Setting it the first time starts reading (unless {@link #pauseReading}). */
    public void handler(Consumer<PeerMessage> handler) {
        boolean first = this.handler == null;
        this.handler = handler;
        if (first && handler != null && !readingPaused && closeReason == null) {
            resumeReading();
        }
    }

    public void closeHandler(Consumer<String> closeHandler) {
        this.closeHandler = closeHandler;
        if (closeReason != null && closeHandler != null) {
            this.closeHandler = null;
            closeHandler.accept(closeReason);
        }
    }

    /**
     * Queues a message. A Piece's header and data go out as one gathered write, without copying the data; the
     * data buffer must not be changed afterwards. Ignored once the connection is closed.
     */
    public void send(PeerMessage message) {
        if (closeReason != null) {
            return;
        }
        if (message instanceof PeerMessage.Piece piece) {
            socket.write(Buffer.buffer(Unpooled.wrappedBuffer(MessageEncoder.pieceHeader(piece).getByteBuf(),
                    piece.data().getByteBuf())), NO_CALLBACK);
            bytesWritten += 13 + piece.data().length();
        } else {
            Buffer frame = MessageEncoder.encode(message);
            socket.write(frame, NO_CALLBACK);
            bytesWritten += frame.length();
        }
        lastWriteNanos = System.nanoTime();
    }

    /**
     * Queues Piece frames read from disk ({@link MessageEncoder#pieceFrame}: header and block in one pooled direct
     * buffer each) as one gathered write, and takes ownership of them: they are released once written, or at once
     * when the connection is closed. Netty writes direct buffers as they are; the heap buffers of {@link #send}
     * are first copied into direct ones.
     */
    public void sendFrames(java.util.List<ByteBuf> frames) {
        if (closeReason != null || frames.isEmpty()) {
            frames.forEach(ReferenceCountUtil::safeRelease);
            return;
        }
        ByteBuf out;
        if (frames.size() == 1) {
            out = frames.get(0);
        } else {
            io.netty.buffer.CompositeByteBuf all = frames.get(0).alloc().compositeDirectBuffer(frames.size());
            for (ByteBuf frame : frames) {
                all.addComponent(true, frame);
            }
            out = all;
        }
        bytesWritten += out.readableBytes();
        // writeMessage hands the buffer to Netty as it is (a Buffer's getByteBuf() would make it unreleasable)
        ((NetSocketInternal) socket).writeMessage(out, NO_CALLBACK);
        lastWriteNanos = System.nanoTime();
    }

    /**
     * Queues several messages (no Piece among them) as one write: one flush, one syscall, where sending them one
     * by one outside a read handler flushes each (e.g. a pipeline of Requests topped up after a hash check).
     */
    public void sendAll(java.util.List<? extends PeerMessage> messages) {
        if (closeReason != null || messages.isEmpty()) {
            return;
        }
        if (messages.size() == 1) {
            send(messages.get(0));
            return;
        }
        Buffer frames = Buffer.buffer(messages.size() * 17);
        for (PeerMessage message : messages) {
            frames.appendBuffer(MessageEncoder.encode(message));
        }
        socket.write(frames, NO_CALLBACK);
        bytesWritten += frames.length();
        lastWriteNanos = System.nanoTime();
    }

    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    public void drainHandler(Runnable drained) {
        Context target = owner;
        socket.drainHandler(drained == null ? null
                : target == null ? v -> drained.run() : v -> target.runOnContext(x -> drained.run()));
    }

    /** Stops delivering messages after the current one (backpressure); the idle timeout is suspended meanwhile. */
    public void pauseReading() {
        readingPaused = true;
        decoder.pause();
    }

    public void resumeReading() {
        readingPaused = false;
        if (handler == null || closeReason != null) {
            return; // reading starts when the handler is set
        }
        lastReadNanos = System.nanoTime();
        try {
            decoder.resume();
        } catch (ProtocolException e) {
            close(e.getMessage());
            return;
        }
        if (!readingPaused && closeReason == null) {
            channel.setAutoRead(true);
        }
    }

    /** Closes the socket and calls the close handler once with {@code reason}. Further calls do nothing. */
    public void close(String reason) {
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        vertx.cancelTimer(timerId);
        decoder.stop();
        socket.closeHandler(null);
        socket.exceptionHandler(null);
        socket.close();
        LOG.debugf("Closed the connection to %s:%d: %s", remoteHost(), remotePort(), reason);
        Runnable released = onClosed;
        onClosed = null;
        if (released != null) {
            released.run();
        }
        Consumer<String> h = closeHandler;
        closeHandler = null;
        if (h != null) {
            h.accept(reason);
        }
    }

    /** Runs {@code action} once when the connection ends (at once if it has ended); independent of the close handler. */
    void whenClosed(Runnable action) {
        if (closeReason != null) {
            action.run();
        } else {
            onClosed = action;
        }
    }

    public boolean isClosed() {
        return closeReason != null;
    }

    /** Bytes received, handshake included. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes queued for sending, handshake included. */
    public long bytesWritten() {
        return bytesWritten;
    }

    public ConnectionSettings settings() {
        return settings;
    }

    /** Raises the frame limit, e.g. once the torrent's piece count is known (see {@link FrameDecoder#maxFrameLengthFor}). */
    public void maxFrameLength(int maxFrameLength) {
        decoder.maxFrameLength(maxFrameLength);
    }

    private void onRead(Object message) {
        if (!(message instanceof ByteBuf read)) {
            ReferenceCountUtil.release(message);
            return;
        }
        try {
            bytesRead += read.readableBytes();
            lastReadNanos = System.nanoTime();
            if (closeReason == null) {
                decoder.feedTransient(Buffer.buffer(read));
                if (decoder.isPaused() && decoder.bufferedBytes() > MAX_HELD_WHILE_PAUSED) {
                    channel.setAutoRead(false); // resumeReading turns it on again
                }
            }
        } catch (ProtocolException e) {
            close(e.getMessage());
        } finally {
            read.release();
        }
    }

    private void deliver(PeerMessage message) {
        try {
            handler.accept(message);
        } catch (RuntimeException e) {
            // A bug in the consumer must not look like a protocol error, but it must not leave the stream half-read.
            LOG.errorf(e, "Handling %s from %s:%d failed", message, remoteHost(), remotePort());
            throw new ProtocolException("internal error while handling " + message + ": " + e);
        }
    }

    private void checkTimers() {
        if (closeReason != null) {
            return;
        }
        long now = System.nanoTime();
        if (!readingPaused && now - lastReadNanos >= idleNanos) {
            close("the peer sent nothing for " + inWords(settings.idleTimeout()));
            return;
        }
        if (now - lastWriteNanos >= keepAliveNanos) {
            send(PeerMessage.KEEP_ALIVE);
        }
    }

    private static String inWords(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
