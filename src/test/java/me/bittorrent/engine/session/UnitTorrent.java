package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

import io.vertx.core.Future;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.storage.Sha1;
import me.bittorrent.wire.PeerMessage;

/** Fakes for the session's units without sockets, disk or Vert.x: a torrent in memory, links, an inline worker. */
final class UnitTorrent {

    private UnitTorrent() {
    }

    /** Random payload of {@code length} bytes. */
    static byte[] payload(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** A single-file torrent over {@code data}, its piece hashes computed from it. */
    static TorrentMeta meta(byte[] data, int pieceLength) {
        int pieces = (data.length + pieceLength - 1) / pieceLength;
        byte[] hashes = new byte[pieces * 20];
        for (int i = 0; i < pieces; i++) {
            int size = Math.min(pieceLength, data.length - i * pieceLength);
            System.arraycopy(Sha1.digest(data, i * pieceLength, size), 0, hashes, i * 20, 20);
        }
        return new TorrentMeta(new InfoHash(new byte[20]), "unit", pieceLength, hashes, data.length,
                List.of(new TorrentFile(List.of("unit.bin"), data.length, 0, false)), false, List.of(), false,
                new byte[0]);
    }

    /** Runs the work at once on the caller's thread: the future is complete when this returns. */
    static <T> Future<T> inline(Callable<T> work) {
        try {
            return Future.succeededFuture(work.call());
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
    }

    /** A connection that records what is sent. */
    static final class FakeLink implements Peer.Link {
        final List<PeerMessage> sent = new ArrayList<>();
        String closed;

        @Override
        public void send(PeerMessage message) {
            sent.add(message);
        }

        @Override
        public void close(String reason) {
            closed = reason;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        <T extends PeerMessage> List<T> sent(Class<T> type) {
            return sent.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** A peer that has every piece of a torrent of {@code pieceCount} pieces and unchoked us. */
    static Peer seed(String name, int pieceCount) {
        Peer peer = new Peer(new FakeLink(), name + ":6881", name, true);
        BitSet all = new BitSet();
        all.set(0, pieceCount);
        peer.hasAll(all);
        peer.peerChoking = false;
        return peer;
    }

    static FakeLink link(Peer peer) {
        return (FakeLink) peer.link;
    }
}
