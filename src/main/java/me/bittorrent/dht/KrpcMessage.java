package me.bittorrent.dht;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A BEP 5 KRPC message. {@code tid} is the transaction id the answer must echo; {@code id} the sender's node id.
 * Byte arrays are never mutated after decoding.
 */
public sealed interface KrpcMessage {

    byte[] tid();

    /** A query: ping, find_node, get_peers or announce_peer. */
    sealed interface Query extends KrpcMessage {
        NodeId id();
    }

    record Ping(byte[] tid, NodeId id) implements Query {
    }

    record FindNode(byte[] tid, NodeId id, NodeId target) implements Query {
    }

    record GetPeers(byte[] tid, NodeId id, NodeId infoHash) implements Query {
    }

    /** {@code impliedPort}: use the packet's source port instead of {@code port} (BEP 5, for NATed uTP). */
    record AnnouncePeer(byte[] tid, NodeId id, NodeId infoHash, int port, byte[] token, boolean impliedPort)
            implements Query {
    }

    /** A query we do not know; answered with error 204. */
    record UnknownQuery(byte[] tid, NodeId id, String method) implements Query {
    }

    /** Any answer: nodes, values and token are empty/null when absent. */
    record Response(byte[] tid, NodeId id, List<Contact> nodes, List<InetSocketAddress> values, byte[] token)
            implements KrpcMessage {

        public Response {
            nodes = List.copyOf(nodes);
            values = List.copyOf(values);
        }
    }

    record Error(byte[] tid, int code, String message) implements KrpcMessage {
    }
}
