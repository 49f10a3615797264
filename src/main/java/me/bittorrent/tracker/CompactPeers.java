package me.bittorrent.tracker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** BEP 23 compact peer lists: 4 address bytes + 2 port bytes per IPv4 peer, 16 + 2 per IPv6 peer (BEP 7). */
final class CompactPeers {

    private CompactPeers() {
    }

    /** Adds the peers in bytes[offset, offset+length) to out; a trailing partial entry and port 0 are skipped. */
    static void parse(byte[] bytes, int offset, int length, int addressLength, List<PeerAddress> out) {
        int entry = addressLength + 2;
        byte[] address = new byte[addressLength];
        for (int at = offset; at + entry <= offset + length; at += entry) {
            System.arraycopy(bytes, at, address, 0, addressLength);
            int port = (bytes[at + addressLength] & 0xFF) << 8 | bytes[at + addressLength + 1] & 0xFF;
            if (port != 0) {
                out.add(new PeerAddress(hostOf(address), port));
            }
        }
    }

    private static String hostOf(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress(); // a literal: no name lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // only for a wrong length, which parse() never passes
        }
    }
}
