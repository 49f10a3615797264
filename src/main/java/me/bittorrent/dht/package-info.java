/**
 * A BEP 5 Mainline DHT node on Vert.x, in-house (no Java DHT library can run on loopback or private addresses).
 *
 * <p>{@link me.bittorrent.dht.DhtNode} is the entry point: {@code start()/stop()},
 * {@code getPeers(infoHash, onPeer)}, {@code announce(infoHash, port)}, {@code stats()/nodeCount()}. It sends
 * through a {@link me.bittorrent.dht.DhtNode.PacketSender} and is fed packets through {@code handlePacket}, so it can
 * share the peer port's UDP socket; {@code DhtNode.bind} gives it its own. KRPC messages are records of the sealed
 * {@link me.bittorrent.dht.KrpcMessage}; {@link me.bittorrent.dht.KrpcCodec} decodes with the shared
 * bounded {@link me.bittorrent.bencode.BencodeDecoder} (packet-sized limits, claimed lengths checked first). The
 * {@link me.bittorrent.dht.RoutingTable} (k = 8, XOR buckets, good/questionable/bad), {@link me.bittorrent.dht.TokenSecrets},
 * {@link me.bittorrent.dht.PeerStore} and {@link me.bittorrent.dht.PacketRateLimit} are plain classes confined to
 * the node's context; {@link me.bittorrent.dht.RoutingTableFile} persists the table and the node id.
 *
 * <p>A get_peers lookup starts with the peers other nodes announced to this one for the same info-hash (as
 * Transmission's DHT does): in a small swarm this node may be the only one a seeder announced to.
 *
 * <p>IPv4 only for now (BEP 32 is not implemented). This package never imports engine or api.
 */
package me.bittorrent.dht;
