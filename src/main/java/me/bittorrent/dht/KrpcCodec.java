package me.bittorrent.dht;

import com.dampcake.bencode.Bencode;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeException;
import me.bittorrent.bencode.BencodeLimits;

/**
 * KRPC over bencode. Packets are encoded with com.dampcake:bencode and decoded by the project's bounded
 * {@link BencodeDecoder} with {@link BencodeLimits#KRPC_PACKET} (size, depth and value count capped, claimed
 * lengths checked before anything is allocated), never by dampcake, which trusts what it reads. Answers are
 * capped whatever the packet claims: at most {@link #MAX_NODES} nodes and {@link #MAX_VALUES} peers are read,
 * transaction ids and tokens are short.
 */
public final class KrpcCodec {

    static final int MAX_NODES = 16;
    static final int MAX_VALUES = 100;
    static final int MAX_TID = 16;
    static final int MAX_TOKEN = 64;
    static final BencodeLimits LIMITS = BencodeLimits.KRPC_PACKET;
    /** Our client id in the optional {@code v} key: "BM" and version 0.1. */
    private static final byte[] VERSION = {'B', 'M', 0, 1};

    private final Bencode bencode = new Bencode(StandardCharsets.ISO_8859_1, true);

    public byte[] encode(KrpcMessage message) {
        Map<String, Object> m = new TreeMap<>();
        m.put("t", buf(message.tid()));
        m.put("v", buf(VERSION));
        if (message instanceof KrpcMessage.Query q) {
            m.put("y", "q");
            m.put("q", method(q));
            Map<String, Object> a = new TreeMap<>();
            a.put("id", buf(q.id().bytes()));
            if (q instanceof KrpcMessage.FindNode f) {
                a.put("target", buf(f.target().bytes()));
            } else if (q instanceof KrpcMessage.GetPeers g) {
                a.put("info_hash", buf(g.infoHash().bytes()));
            } else if (q instanceof KrpcMessage.AnnouncePeer ap) {
                a.put("info_hash", buf(ap.infoHash().bytes()));
                a.put("port", (long) ap.port());
                a.put("token", buf(ap.token()));
                a.put("implied_port", ap.impliedPort() ? 1L : 0L);
            }
            m.put("a", a);
        } else if (message instanceof KrpcMessage.Response r) {
            m.put("y", "r");
            Map<String, Object> body = new TreeMap<>();
            body.put("id", buf(r.id().bytes()));
            if (!r.nodes().isEmpty()) {
                byte[] nodes = new byte[r.nodes().size() * Contact.COMPACT_LENGTH];
                for (int i = 0; i < r.nodes().size(); i++) {
                    System.arraycopy(r.nodes().get(i).compact(), 0, nodes, i * Contact.COMPACT_LENGTH,
                            Contact.COMPACT_LENGTH);
                }
                body.put("nodes", buf(nodes));
            }
            if (!r.values().isEmpty()) {
                List<Object> values = new ArrayList<>();
                for (InetSocketAddress v : r.values()) {
                    byte[] b = new byte[6];
                    Contact.writeAddress(v, b, 0);
                    values.add(buf(b));
                }
                body.put("values", values);
            }
            if (r.token() != null) {
                body.put("token", buf(r.token()));
            }
            m.put("r", body);
        } else if (message instanceof KrpcMessage.Error e) {
            m.put("y", "e");
            m.put("e", List.of((long) e.code(), e.message()));
        }
        return bencode.encode(m);
    }

    static String method(KrpcMessage.Query q) {
        if (q instanceof KrpcMessage.Ping) {
            return "ping";
        } else if (q instanceof KrpcMessage.FindNode) {
            return "find_node";
        } else if (q instanceof KrpcMessage.GetPeers) {
            return "get_peers";
        } else if (q instanceof KrpcMessage.AnnouncePeer) {
            return "announce_peer";
        }
        return ((KrpcMessage.UnknownQuery) q).method();
    }

    public KrpcMessage decode(byte[] packet) throws KrpcException {
        Map<String, Object> m;
        try {
            m = BencodeDecoder.decodeDictionary(packet, LIMITS);
        } catch (BencodeException e) {
            throw inKrpcWords(e, packet.length);
        }
        byte[] tid = bytes(m, "t", 1, MAX_TID, true);
        String y = text(m, "y");
        switch (y) {
            case "q" -> {
                Map<String, Object> a = dict(m, "a");
                NodeId id = id(a, "id");
                String q = text(m, "q");
                return switch (q) {
                    case "ping" -> new KrpcMessage.Ping(tid, id);
                    case "find_node" -> new KrpcMessage.FindNode(tid, id, id(a, "target"));
                    case "get_peers" -> new KrpcMessage.GetPeers(tid, id, id(a, "info_hash"));
                    case "announce_peer" -> {
                        long port = a.get("port") instanceof Long l ? l : -1;
                        boolean implied = a.get("implied_port") instanceof Long l && l != 0;
                        if (!implied && (port < 1 || port > 65535)) {
                            throw new KrpcException("announce_peer without a valid port");
                        }
                        yield new KrpcMessage.AnnouncePeer(tid, id, id(a, "info_hash"), (int) Math.max(port, 0),
                                bytes(a, "token", 1, MAX_TOKEN, true), implied);
                    }
                    default -> new KrpcMessage.UnknownQuery(tid, id, q.length() > 32 ? q.substring(0, 32) : q);
                };
            }
            case "r" -> {
                Map<String, Object> r = dict(m, "r");
                return new KrpcMessage.Response(tid, id(r, "id"), nodes(r), values(r),
                        bytes(r, "token", 1, MAX_TOKEN, false));
            }
            case "e" -> {
                if (!(m.get("e") instanceof List<?> e) || e.size() < 2 || !(e.get(0) instanceof Long code)
                        || !(e.get(1) instanceof ByteBuffer msg)) {
                    throw new KrpcException("error without [code, message]");
                }
                String text = StandardCharsets.ISO_8859_1.decode(msg.duplicate()).toString();
                return new KrpcMessage.Error(tid, (int) Math.max(Math.min(code, 999), 0),
                        text.length() > 200 ? text.substring(0, 200) : text);
            }
            default -> throw new KrpcException("unknown message type '" + y + "'");
        }
    }

    private static KrpcException inKrpcWords(BencodeException e, int length) {
        return new KrpcException(switch (e.reason()) {
            case TOO_LARGE -> "packet of " + length + " bytes (1.." + LIMITS.maxBytes() + " allowed)";
            case TOO_DEEP -> "nested deeper than " + LIMITS.maxDepth();
            case TOO_MANY_ITEMS -> "more than " + LIMITS.maxItems() + " values";
            case MALFORMED, TRAILING_DATA -> "not bencode: " + e.getMessage();
        });
    }

    private static List<Contact> nodes(Map<String, Object> r) throws KrpcException {
        byte[] b = bytes(r, "nodes", 0, LIMITS.maxBytes(), false);
        if (b == null) {
            return List.of();
        }
        if (b.length % Contact.COMPACT_LENGTH != 0) {
            throw new KrpcException("'nodes' is not a multiple of 26 bytes");
        }
        List<Contact> out = new ArrayList<>();
        for (int off = 0; off < b.length && out.size() < MAX_NODES; off += Contact.COMPACT_LENGTH) {
            Contact c = Contact.compact(b, off);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<InetSocketAddress> values(Map<String, Object> r) {
        if (!(r.get("values") instanceof List<?> list)) {
            return List.of();
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (Object o : list) {
            if (out.size() >= MAX_VALUES) {
                break;
            }
            // 6 bytes is IPv4 + port; 18-byte IPv6 values are skipped (this node is IPv4 only)
            if (o instanceof ByteBuffer v && v.remaining() == 6) {
                byte[] b = new byte[6];
                v.duplicate().get(b);
                InetSocketAddress a = Contact.compactAddress(b, 0);
                if (a != null) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dict(Map<String, Object> m, String key) throws KrpcException {
        if (m.get(key) instanceof Map<?, ?> d) {
            return (Map<String, Object>) d;
        }
        throw new KrpcException("missing dictionary '" + key + "'");
    }

    private static NodeId id(Map<String, Object> m, String key) throws KrpcException {
        return new NodeId(bytes(m, key, NodeId.LENGTH, NodeId.LENGTH, true));
    }

    private static String text(Map<String, Object> m, String key) throws KrpcException {
        byte[] b = bytes(m, key, 1, 64, true);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(Map<String, Object> m, String key, int min, int max, boolean required)
            throws KrpcException {
        Object o = m.get(key);
        if (o == null && !required) {
            return null;
        }
        if (!(o instanceof ByteBuffer b) || b.remaining() < min || b.remaining() > max) {
            throw new KrpcException("'" + key + "' missing or not a string of " + min + ".." + max + " bytes");
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static ByteBuffer buf(byte[] b) {
        return ByteBuffer.wrap(b);
    }
}
