package me.bittorrent.engine.session;

import me.bittorrent.state.Bitfields;
import me.bittorrent.wire.FrameDecoder;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;

/**
 * A peer's messages, each to the unit it concerns: availability to the picker, choke and blocks to the
 * {@link Requester}, requests and interest to the {@link Uploader}. Checks what the peer claims against the
 * torrent once, here, and disconnects a peer that breaks the rules (not a ban). Engine context only.
 */
final class PeerMessages {

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

    PeerMessages(int pieceCount, Swarm swarm, Requester requester, Uploader uploader) {
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
                peer.close(violation);
            }
        } else if (message instanceof PeerMessage.Request request) {
            String violation = uploader.request(peer, request);
            if (violation != null) {
                peer.close(violation);
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
                int reqq = ExtensionHandshake.reqq(extended.payload());
                if (reqq > 0) {
                    peer.reqq = reqq;
                }
                String client = ExtensionHandshake.client(extended.payload());
                if (client != null) {
                    peer.client = client;
                }
                java.util.Map<String, Object> dict = ExtensionHandshake.decode(extended.payload());
                peer.utMetadataId = ExtensionHandshake.utMetadataId(dict);
                if (exchange != null) {
                    exchange.handshake(peer, dict, System.nanoTime());
                }
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

    /** BEP 9: a peer asks for a piece of our info dictionary; data when we can, else a reject. */
    private void onMetadataRequest(Peer peer, byte[] payload) {
        UtMetadata.Message m = UtMetadata.decode(payload);
        if (m == null || m.type() != UtMetadata.REQUEST || peer.utMetadataId == 0) {
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
