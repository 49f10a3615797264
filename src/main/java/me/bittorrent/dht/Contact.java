package me.bittorrent.dht;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** A DHT node: its id and its IPv4 UDP address (BEP 5 compact form is 26 bytes: id, IP, port). */
public record Contact(NodeId id, InetSocketAddress address) {

    public static final int COMPACT_LENGTH = 26;

    public Contact {
        if (address.isUnresolved() || !(address.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("a DHT contact needs an IPv4 address: " + address);
        }
    }

    /** Decodes one 26-byte compact node info at {@code offset}; null for port 0. */
    static Contact compact(byte[] b, int offset) {
        byte[] id = new byte[NodeId.LENGTH];
        System.arraycopy(b, offset, id, 0, NodeId.LENGTH);
        InetSocketAddress a = compactAddress(b, offset + NodeId.LENGTH);
        return a == null ? null : new Contact(new NodeId(id), a);
    }

    /** Decodes 6 bytes (IPv4 + port); null for port 0. */
    static InetSocketAddress compactAddress(byte[] b, int offset) {
        int port = (b[offset + 4] & 0xff) << 8 | (b[offset + 5] & 0xff);
        if (port == 0) {
            return null;
        }
        try {
            byte[] ip = {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]};
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 bytes
        }
    }

    static void writeAddress(InetSocketAddress a, byte[] out, int offset) {
        System.arraycopy(a.getAddress().getAddress(), 0, out, offset, 4);
        out[offset + 4] = (byte) (a.getPort() >> 8);
        out[offset + 5] = (byte) a.getPort();
    }

    byte[] compact() {
        byte[] out = new byte[COMPACT_LENGTH];
        System.arraycopy(id.bytes(), 0, out, 0, NodeId.LENGTH);
        writeAddress(address, out, NodeId.LENGTH);
        return out;
    }
}
