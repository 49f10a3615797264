package me.bittorrent.tracker;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The BEP 15 packets: building requests and reading replies. Offsets are those of the BEP's tables. */
final class UdpPackets {

    static final long PROTOCOL_ID = 0x41727101980L;
    static final int CONNECT = 0;
    static final int ANNOUNCE = 1;
    static final int ERROR = 3;

    private UdpPackets() {
    }

    static Buffer connect(int transactionId) {
        return Buffer.buffer(16).appendLong(PROTOCOL_ID).appendInt(CONNECT).appendInt(transactionId);
    }

    static Buffer announce(long connectionId, int transactionId, AnnounceRequest r) {
        return Buffer.buffer(98)
                .appendLong(connectionId)
                .appendInt(ANNOUNCE)
                .appendInt(transactionId)
                .appendBytes(r.infoHash().bytes())
                .appendBytes(r.peerId())
                .appendLong(r.downloaded())
                .appendLong(r.left())
                .appendLong(r.uploaded())
                .appendInt(r.event().udpCode())
                .appendInt(0) // IP address: 0 = the sender's
                .appendInt(r.key())
                .appendInt(r.numWant() < 0 ? -1 : r.numWant())
                .appendUnsignedShort(r.port());
    }

    static int action(Buffer reply) {
        return reply.getInt(0);
    }

    static int transactionId(Buffer reply) {
        return reply.getInt(4);
    }

    static long connectionId(Buffer connectReply) {
        return connectReply.getLong(8);
    }

    /** An announce reply: interval, leechers, seeders, then peers (6 bytes each over IPv4, 18 over IPv6). */
    static AnnounceResponse announceResponse(Buffer reply, boolean ipv6) {
        int interval = reply.getInt(8);
        int leechers = reply.getInt(12);
        int seeders = reply.getInt(16);
        List<PeerAddress> peers = new ArrayList<>();
        byte[] bytes = reply.getBytes();
        CompactPeers.parse(bytes, 20, bytes.length - 20, ipv6 ? 16 : 4, peers);
        return new AnnounceResponse(AnnounceResponse.clampInterval(interval), 0, peers, seeders, leechers, null);
    }

    static String errorMessage(Buffer reply) {
        // A datagram is at most 64 KiB; the text is cleaned and cut before anyone stores or logs it.
        return me.bittorrent.text.RemoteText.clean(reply.getString(8, reply.length(), StandardCharsets.UTF_8.name())
                .trim());
    }
}
