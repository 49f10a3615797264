package me.bittorrent.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.function.BiConsumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.GenericFutureListener;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;

/**
 * The multicast socket of local service discovery: an IPv4 datagram channel of Netty on the service's event loop,
 * joined to the group on one interface, sending there with a TTL of 1 and looping back to this machine.
 *
 * <p>Not Vert.x's DatagramSocket: with the epoll transport Vert.x opens every datagram socket dual-stack (IPv6),
 * whose multicast interface option applies to IPv6 only, so announces to the IPv4 group left by whichever
 * interface the routing table chose. Received datagrams and every completion are handed to the owner's context.
 */
final class LsdSocket {

    private final Channel channel;
    private final ContextInternal context;
    private final InetSocketAddress group;

    private LsdSocket(Channel channel, ContextInternal context, InetSocketAddress group) {
        this.channel = channel;
        this.context = context;
        this.group = group;
    }

    /**
     * Binds {@code 0.0.0.0:port} (shared with other clients on this machine), joins {@code groupAddress} on
     * {@code nic}; {@code onPacket} gets each datagram's sender and bytes on {@code context}.
     */
    static Future<LsdSocket> open(Vertx vertx, ContextInternal context, NetworkInterface nic, String groupAddress,
            int port, BiConsumer<InetAddress, byte[]> onPacket) {
        Promise<LsdSocket> opened = context.promise();
        InetSocketAddress group;
        try {
            group = new InetSocketAddress(InetAddress.getByName(groupAddress), port);
        } catch (java.net.UnknownHostException e) {
            opened.fail(e);
            return opened.future();
        }
        boolean epoll = vertx.isNativeTransportEnabled();
        Bootstrap bootstrap = new Bootstrap().group(context.nettyEventLoop())
                .channelFactory(() -> epoll ? new EpollDatagramChannel(InternetProtocolFamily.IPv4)
                        : new NioDatagramChannel(InternetProtocolFamily.IPv4))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.IP_MULTICAST_IF, nic)
                .option(ChannelOption.IP_MULTICAST_TTL, 1)
                .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, false)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        InetAddress from = packet.sender().getAddress();
                        byte[] bytes = ByteBufUtil.getBytes(packet.content());
                        context.runOnContext(v -> onPacket.accept(from, bytes));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(port));
        bound.addListener(b -> {
            if (!b.isSuccess()) {
                opened.fail(b.cause());
                return;
            }
            DatagramChannel channel = (DatagramChannel) bound.channel();
            channel.joinGroup(group, nic).addListener(joined -> {
                if (joined.isSuccess()) {
                    opened.complete(new LsdSocket(channel, context, group));
                } else {
                    channel.close();
                    opened.fail(joined.cause());
                }
            });
        });
        return opened.future();
    }

    /** Sends one datagram to the group; completes on the owner's context. */
    Future<Void> send(byte[] datagram) {
        return completion(channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), group)));
    }

    /** Leaves the group and closes the socket. */
    Future<Void> close() {
        return completion(channel.close());
    }

    private Future<Void> completion(io.netty.util.concurrent.Future<?> done) {
        Promise<Void> p = context.promise();
        done.addListener((GenericFutureListener<io.netty.util.concurrent.Future<Object>>) f -> {
            if (f.isSuccess()) {
                p.tryComplete();
            } else {
                p.tryFail(f.cause());
            }
        });
        return p.future();
    }
}
