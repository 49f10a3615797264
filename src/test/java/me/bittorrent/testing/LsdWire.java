package me.bittorrent.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The LSD multicast group (BEP 14, 239.192.152.143:6771) on the loopback only: a socket joined on {@code lo} that
 * records every datagram sent there, and {@link #send} for a datagram as another client on this machine would
 * send it. The loopback has no MULTICAST flag here, yet joining and sending with the interface set to {@code lo}
 * works (checked); nothing reaches a LAN.
 */
public final class LsdWire implements AutoCloseable {

    public static final String GROUP = "239.192.152.143";
    public static final int PORT = 6771;

    /** One datagram and when it arrived. */
    public record Seen(long nanos, String text) {
    }

    private final MulticastSocket socket;
    private final List<Seen> datagrams = new CopyOnWriteArrayList<>();

    public LsdWire() throws IOException {
        socket = new MulticastSocket(null);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(PORT));
        socket.joinGroup(new InetSocketAddress(InetAddress.getByName(GROUP), 0), NetworkInterface.getByName("lo"));
        socket.setSoTimeout(200);
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[65536];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                    datagrams.add(new Seen(System.nanoTime(),
                            new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1)));
                } catch (SocketTimeoutException e) {
                    // look again (or notice the close)
                } catch (IOException e) {
                    return;
                }
            }
        }, "lsd-wire");
        reader.setDaemon(true);
        reader.start();
    }

    /** Every datagram seen so far, in arrival order. */
    public List<Seen> datagrams() {
        return List.copyOf(datagrams);
    }

    /** The texts of the datagrams announcing TCP port {@code port}. */
    public List<String> announcesOf(int port) {
        return datagrams.stream().map(Seen::text).filter(t -> t.contains("\r\nPort: " + port + "\r\n")).toList();
    }

    /** The distinct info-hashes (hex, as sent) announced with TCP port {@code port}. */
    public Set<String> hashesOn(int port) {
        Set<String> hashes = new HashSet<>();
        for (String d : announcesOf(port)) {
            d.lines().filter(l -> l.startsWith("Infohash: ")).forEach(l -> hashes.add(l.substring(10)));
        }
        return hashes;
    }

    /** A socket that sends to the group on the loopback (multicast loop on, so this machine hears it). */
    public static MulticastSocket sender() throws IOException {
        MulticastSocket s = new MulticastSocket();
        s.setNetworkInterface(NetworkInterface.getByName("lo"));
        s.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        return s;
    }

    public static void send(MulticastSocket sender, byte[] datagram) throws IOException {
        sender.send(new DatagramPacket(datagram, datagram.length, InetAddress.getByName(GROUP), PORT));
    }

    public static void send(byte[] datagram) throws IOException {
        try (MulticastSocket s = sender()) {
            send(s, datagram);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
