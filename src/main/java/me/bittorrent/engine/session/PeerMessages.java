package me.bittorrent.engine.session;

import org.jboss.logging.Logger;

import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeException;
import me.bittorrent.bencode.BencodeLimits;
import me.bittorrent.state.Bitfields;
import me.bittorrent.text.RemoteText;
import me.bittorrent.wire.FrameDecoder;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;

/**
 * A peer's messages, each to the unit it concerns: availability to the picker, choke and blocks to the
 * {@link Requester}, requests and interest to the {@link Uploader}. Checks what the peer claims against the
 * torrent once, here, and disconnects a peer that breaks the rules (not a ban). Engine context only.
 */
final class PeerMessages {

    private static final Logger LOG = Logger.getLogger(TorrentSession.class);
    /** Addresses remembered as already reported at INFO; beyond this the oldest is forgotten. */
    private static final int MAX_REPORTED = 256;

    private final String name;
    private final int pieceCount;
    private final Swarm swarm;
    private final Requester requester;
    private final Uploader uploader;
    private PiecePicker picker;
    private java.util.function.ObjIntConsumer<String> dhtPorts = (host, port) -> { };
    /** The info dictionary we serve to peers (BEP 9), or null. */
    private byte[] metadata;
    /** BEP 11 peer exchange, or null (tests without it). */
    private PeerExchange exchange;

    /** Hosts whose drop was logged at INFO (insertion order, bounded). */
    private final java.util.Set<String> reported = java.util.Collections.newSetFromMap(
            new java.util.LinkedHashMap<String, Boolean>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
                    return size() > MAX_REPORTED;
                }
            });
    private long dropped;

    PeerMessages(int pieceCount, Swarm swarm, Requester requester, Uploader uploader) {
        this("torrent", pieceCount, swarm, requester, uploader);
    }

    PeerMessages(String name, int pieceCount, Swarm swarm, Requester requester, Uploader uploader) {
        this.name = name;
        this.pieceCount = pieceCount;
        this.swarm = swarm;
        this.requester = requester;
        this.uploader = uploader;
    }

    /** Where a peer's BEP 5 PORT message goes (its host and DHT port). */
    void dhtPorts(java.util.function.ObjIntConsumer<String> sink) {
        dhtPorts = sink;
    }

    /** Where ut_pex handshakes and messages go. */
    void exchange(PeerExchange pex) {
        exchange = pex;
    }

    void serveMetadata(byte[] infoDictionary) {
        metadata = infoDictionary;
    }

    void open(PiecePicker openedPicker) {
        picker = openedPicker;
    }

    /** Where a new peer's messages go; the frame limit leaves room for its bitfield. */
    void listen(Peer peer, PeerConnection connection) {
        connection.maxFrameLength(FrameDecoder.maxFrameLengthFor(pieceCount));
        connection.handler(message -> on(peer, message));
    }

    void on(Peer peer, PeerMessage message) {
        if (!swarm.isConnected(peer) || picker == null) {
            return;
        }
        if (message instanceof PeerMessage.Piece piece) {
            String violation = requester.received(peer, piece.piece(), piece.begin(), piece.data());
            if (violation != null) {
                drop(peer, violation); // said at INFO: a user sees why that peer went
            }
        } else if (message instanceof PeerMessage.Request request) {
            String violation = uploader.request(peer, request);
            if (violation != null) {
                drop(peer, violation);
            }
        } else if (message instanceof PeerMessage.Have have) {
            onHave(peer, have.piece());
        } else if (message instanceof PeerMessage.Bitfield bitfield) {
            onBitfield(peer, bitfield.bits());
        } else if (message instanceof PeerMessage.Choke) {
            peer.peerChoking = true;
            requester.releaseAll(peer, false); // a choke discards our requests at the peer (no fast extension)
            requester.fillAll();
        } else if (message instanceof PeerMessage.Unchoke) {
            peer.peerChoking = false;
            requester.fill(peer);
        } else if (message instanceof PeerMessage.Interested) {
            uploader.interested(peer);
        } else if (message instanceof PeerMessage.NotInterested) {
            peer.peerInterested = false;
        } else if (message instanceof PeerMessage.Cancel cancel) {
            uploader.cancel(peer, cancel);
        } else if (message instanceof PeerMessage.Extended extended) {
            if (extended.id() == 0) {
                onExtensionHandshake(peer, extended.payload());
            } else if (extended.id() == UtMetadata.OUR_ID) {
                onMetadataRequest(peer, extended.payload());
            } else if (extended.id() == UtPex.OUR_ID && exchange != null) {
                exchange.received(peer, extended.payload(), System.nanoTime());
                swarm.connectMore();
            }
        } else if (message instanceof PeerMessage.Port port) {
            if (port.port() > 0) {
                dhtPorts.accept(peer.host, port.port());
            }
        }
        // KeepAlive needs nothing
    }

    /**
     * BEP 10: the peer's extension handshake. One that is not a bencoded dictionary within our limits (a string
     * claiming 2 GB, 100,000 nested lists, 200,000 tokens, a cut-off dictionary), or that claims an info dictionary
     * larger than any we accept, comes from no honest client: the peer is dropped rather than kept holding a
     * connection slot. (libtorrent merely ignores an undecodable handshake but disconnects for an undecodable
     * ut_pex or ut_metadata message; we treat the handshake the same way, as issue 11 asks.)
     */
    private void onExtensionHandshake(Peer peer, byte[] payload) {
        java.util.Map<String, Object> dict;
        try {
            dict = BencodeDecoder.decodeDictionary(payload, BencodeLimits.PEER_MESSAGE);
        } catch (BencodeException e) {
            drop(peer, "its extension handshake is not valid bencode: " + e.detail());
            return;
        }
        long metadataSize = ExtensionHandshake.metadataSize(dict);
        if (metadataSize > UtMetadata.MAX_SIZE) {
            drop(peer, "its extension handshake claims an info dictionary of " + metadataSize
                    + " bytes (at most " + UtMetadata.MAX_SIZE + ")");
            return;
        }
        int reqq = ExtensionHandshake.reqq(dict);
        if (reqq > 0) {
            peer.reqq = reqq;
        }
        String client = ExtensionHandshake.client(dict);
        if (client != null) {
            peer.client = client;
        }
        peer.utMetadataId = ExtensionHandshake.utMetadataId(dict);
        if (exchange != null) {
            exchange.handshake(peer, dict, System.nanoTime());
        }
    }

    /**
     * Closes a peer that sent what no honest client sends, and says so at INFO once per address (an attacker
     * that reconnects at once would otherwise write a line per connection); later drops are at DEBUG.
     */
    private void drop(Peer peer, String why) {
        dropped++;
        if (reported.add(peer.host)) {
            LOG.infof("'%s': dropped peer %s: %s (further drops of %s are not logged)", name, peer.address,
                    RemoteText.clean(why, 200), peer.host);
        } else {
            LOG.debugf("'%s': dropped peer %s again: %s", name, peer.address, RemoteText.clean(why, 200));
        }
        peer.close(why);
    }

    /** Peers dropped for what no honest client sends (hostile extension messages, unrequested data ...). */
    long hostileDrops() {
        return dropped;
    }

    /** BEP 9: a peer asks for a piece of our info dictionary; data when we can, else a reject. */
    private void onMetadataRequest(Peer peer, byte[] payload) {
        UtMetadata.Message m = UtMetadata.decode(payload);
        if (m == null) {
            drop(peer, "it sent a ut_metadata message that is not valid (libtorrent drops such a peer too)");
            return;
        }
        if (m.type() != UtMetadata.REQUEST || peer.utMetadataId == 0) {
            return; // data or rejects we never asked for, or a peer that did not say how to answer
        }
        boolean serve = metadata != null && m.piece() < UtMetadata.pieceCount(metadata.length)
                && !peer.link.writeQueueFull();
        peer.send(new PeerMessage.Extended(peer.utMetadataId,
                serve ? UtMetadata.data(m.piece(), metadata) : UtMetadata.reject(m.piece())));
    }

    private void onBitfield(Peer peer, byte[] bits) {
        if (bits.length != (pieceCount + 7) / 8 || !Bitfields.spareBitsClear(bits, pieceCount)) {
            peer.close("sent a bitfield of the wrong size");
            return;
        }
        picker.peerLeft(peer.has);
        peer.hasAll(Bitfields.fromBytes(bits, pieceCount));
        picker.peerBitfield(peer.has);
        if (!swarm.closeIfBothSeeds(peer)) {
            requester.updateInterest(peer);
        }
    }

    private void onHave(Peer peer, int piece) {
        if (piece < 0 || piece >= pieceCount) {
            peer.close("announced a piece index out of range (" + piece + ")");
            return;
        }
        if (!peer.hasOne(piece)) {
            return;
        }
        picker.peerHave(piece);
        if (!swarm.closeIfBothSeeds(peer)) {
            requester.peerHas(peer, piece);
        }
    }
}
