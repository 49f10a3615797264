package me.bittorrent.engine.session;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.util.NetUtil;
import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeException;
import me.bittorrent.bencode.BencodeLimits;
import me.bittorrent.tracker.PeerAddress;

/**
 * BEP 11 peer exchange ({@code ut_pex}, carried in BEP 10 extended messages): a dictionary of compact address
 * strings, {@code added} (6 bytes per IPv4 peer) with one flag byte each in {@code added.f}, {@code dropped},
 * and the same for IPv6 ({@code added6}, {@code added6.f}, {@code dropped6}, 18 bytes per peer). A peer's message
 * is read with the bounded decoder and trimmed to {@link #MAX_ADDED} added and {@link #MAX_DROPPED} dropped
 * (libtorrent's limits): a message with 10,000 peers costs the view of its strings, never a list of 10,000.
 */
final class UtPex {

    /** Our extended message id for ut_pex (libtorrent uses 1 too; ut_metadata is 2). */
    static final int OUR_ID = 1;
    static final int MAX_ADDED = 50;
    static final int MAX_DROPPED = 50;

    /** added.f bits: the peer supports encryption, is a seed, is reachable (we connected to it). */
    static final int FLAG_ENCRYPTION = 0x01, FLAG_SEED = 0x02, FLAG_REACHABLE = 0x10;

    /** One address to announce, with its added.f flags. */
    record Added(PeerAddress address, int flags) {
    }

    /** A decoded message, already trimmed; addresses with port 0 are left out. */
    record Message(List<Added> added, List<PeerAddress> dropped) {
    }

    private UtPex() {
    }

    /**
     * The message, trimmed to the limits (IPv4 first, then IPv6 while room is left), or null when it is not a
     * dictionary (the caller drops the peer, as libtorrent does). Strings of the wrong length or a missing
     * {@code added.f} cost only the flags (libtorrent ignores such an {@code added}; we take the addresses).
     */
    /** Whether {@code payload} is a bencoded dictionary within our limits (what {@link #decode} would accept). */
    static boolean wellFormed(byte[] payload) {
        try {
            BencodeDecoder.decodeDictionary(payload, BencodeLimits.PEER_MESSAGE);
            return true;
        } catch (BencodeException | IllegalArgumentException e) {
            return false;
        }
    }

    static Message decode(byte[] payload) {
        Map<String, Object> dict;
        try {
            dict = BencodeDecoder.decodeDictionary(payload, BencodeLimits.PEER_MESSAGE);
        } catch (BencodeException | IllegalArgumentException e) {
            return null;
        }
        List<Added> added = new ArrayList<>();
        addAll(dict.get("added"), dict.get("added.f"), 4, added);
        addAll(dict.get("added6"), dict.get("added6.f"), 16, added);
        List<PeerAddress> dropped = new ArrayList<>();
        dropAll(dict.get("dropped"), 4, dropped);
        dropAll(dict.get("dropped6"), 16, dropped);
        return new Message(List.copyOf(added), List.copyOf(dropped));
    }

    private static void addAll(Object addresses, Object flags, int addressLength, List<Added> out) {
        if (!(addresses instanceof ByteBuffer bytes)) {
            return;
        }
        ByteBuffer f = flags instanceof ByteBuffer b ? b : null;
        int entry = addressLength + 2;
        int count = bytes.remaining() / entry;
        for (int i = 0; i < count && out.size() < MAX_ADDED; i++) {
            PeerAddress address = read(bytes, bytes.position() + i * entry, addressLength);
            if (address != null) {
                int flag = f != null && i < f.remaining() ? f.get(f.position() + i) & 0xFF : 0;
                out.add(new Added(address, flag));
            }
        }
    }

    private static void dropAll(Object addresses, int addressLength, List<PeerAddress> out) {
        if (!(addresses instanceof ByteBuffer bytes)) {
            return;
        }
        int entry = addressLength + 2;
        int count = bytes.remaining() / entry;
        for (int i = 0; i < count && out.size() < MAX_DROPPED; i++) {
            PeerAddress address = read(bytes, bytes.position() + i * entry, addressLength);
            if (address != null) {
                out.add(address);
            }
        }
    }

    private static PeerAddress read(ByteBuffer bytes, int at, int addressLength) {
        byte[] ip = new byte[addressLength];
        bytes.get(at, ip);
        int port = (bytes.get(at + addressLength) & 0xFF) << 8 | bytes.get(at + addressLength + 1) & 0xFF;
        if (port == 0) {
            return null;
        }
        try {
            return new PeerAddress(InetAddress.getByAddress(ip).getHostAddress(), port); // a literal: no lookup
        } catch (UnknownHostException e) {
            return null; // only for a wrong length, which never happens here
        }
    }

    /**
     * Our message: at most {@link #MAX_ADDED} added and {@link #MAX_DROPPED} dropped (the rest is left out); an
     * address that is not an IP literal is skipped (never looked up). Keys in bencode order; {@code added.f} is
     * always there, one byte per added IPv4 peer (libtorrent ignores {@code added} without it).
     */
    static byte[] encode(List<Added> added, List<PeerAddress> dropped) {
        ByteArrayOutputStream added4 = new ByteArrayOutputStream();
        ByteArrayOutputStream flags4 = new ByteArrayOutputStream();
        ByteArrayOutputStream added6 = new ByteArrayOutputStream();
        ByteArrayOutputStream flags6 = new ByteArrayOutputStream();
        int n = 0;
        for (Added a : added) {
            if (n >= MAX_ADDED) {
                break;
            }
            byte[] ip = literal(a.address().host());
            if (ip == null || a.address().port() <= 0 || a.address().port() > 65535) {
                continue;
            }
            write(ip, a.address().port(), ip.length == 4 ? added4 : added6);
            (ip.length == 4 ? flags4 : flags6).write(a.flags() & 0xFF);
            n++;
        }
        ByteArrayOutputStream dropped4 = new ByteArrayOutputStream();
        ByteArrayOutputStream dropped6 = new ByteArrayOutputStream();
        n = 0;
        for (PeerAddress d : dropped) {
            if (n >= MAX_DROPPED) {
                break;
            }
            byte[] ip = literal(d.host());
            if (ip == null || d.port() <= 0 || d.port() > 65535) {
                continue;
            }
            write(ip, d.port(), ip.length == 4 ? dropped4 : dropped6);
            n++;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('d');
        string(out, "added", added4);
        string(out, "added.f", flags4);
        if (added6.size() > 0) {
            string(out, "added6", added6);
            string(out, "added6.f", flags6);
        }
        string(out, "dropped", dropped4);
        if (dropped6.size() > 0) {
            string(out, "dropped6", dropped6);
        }
        out.write('e');
        return out.toByteArray();
    }

    /** The address bytes of an IPv4 or IPv6 literal (4 or 16), or null for anything else (a host name). */
    static byte[] literal(String host) {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip != null && ip.length == 16 && isV4Mapped(ip)) {
            return java.util.Arrays.copyOfRange(ip, 12, 16);
        }
        return ip;
    }

    private static boolean isV4Mapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xFF && ip[11] == (byte) 0xFF;
    }

    private static void write(byte[] ip, int port, ByteArrayOutputStream out) {
        out.write(ip, 0, ip.length);
        out.write(port >> 8);
        out.write(port & 0xFF);
    }

    private static void string(ByteArrayOutputStream out, String key, ByteArrayOutputStream value) {
        byte[] k = (key.length() + ":" + key + value.size() + ":").getBytes(StandardCharsets.US_ASCII);
        out.write(k, 0, k.length);
        byte[] v = value.toByteArray();
        out.write(v, 0, v.length);
    }
}
