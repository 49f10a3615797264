package me.bittorrent.engine.session;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import me.bittorrent.storage.Sha1;

/**
 * Smart ban (as libtorrent's smart_ban plugin): when a piece with blocks from several peers fails its hash check,
 * nobody is blamed yet; we keep who sent which block and that block's SHA-1. When the piece later passes, each
 * kept block is compared with the good data, and exactly the peers whose blocks differed are the liars. Honest
 * peers that happened to share a piece with a liar are never blamed. Lives on the engine context.
 */
final class SuspectBlocks {

    /** At most this many kept blocks per piece (a piece failing again and again does not grow memory forever). */
    static final int MAX_KEPT_PER_PIECE = 4096;

    record Sent(int block, String peerIdHex, byte[] digest) {
    }

    private final Map<Integer, List<Sent>> byPiece = new HashMap<>();

    /** SHA-1 of each 16 KiB block of a piece; blocking, run it on a worker. */
    static byte[][] blockDigests(byte[] piece) {
        return blockDigests(ByteBuffer.wrap(piece));
    }

    /** As {@link #blockDigests(byte[])} over {@code piece} from 0 to its limit. */
    static byte[][] blockDigests(ByteBuffer piece) {
        int size = piece.limit();
        int blocks = (size + PiecePicker.BLOCK_SIZE - 1) / PiecePicker.BLOCK_SIZE;
        byte[][] digests = new byte[blocks][];
        for (int b = 0; b < blocks; b++) {
            int begin = b * PiecePicker.BLOCK_SIZE;
            digests[b] = Sha1.digest(piece.slice(begin, Math.min(PiecePicker.BLOCK_SIZE, size - begin)));
        }
        return digests;
    }

    boolean has(int piece) {
        return byPiece.containsKey(piece);
    }

    /** Keeps who sent which block of a piece that failed ({@code senders[block]} is a peer id, hex). */
    void failed(int piece, String[] senders, byte[][] digests) {
        List<Sent> kept = byPiece.computeIfAbsent(piece, p -> new ArrayList<>());
        for (int b = 0; b < senders.length && kept.size() < MAX_KEPT_PER_PIECE; b++) {
            if (senders[b] != null) {
                kept.add(new Sent(b, senders[b], digests[b]));
            }
        }
    }

    /** The peers that sent a block of this piece that differs from the verified data; forgets the piece. */
    Set<String> liars(int piece, byte[][] goodDigests) {
        Set<String> liars = new HashSet<>();
        List<Sent> kept = byPiece.remove(piece);
        if (kept != null) {
            for (Sent sent : kept) {
                if (!Arrays.equals(sent.digest(), goodDigests[sent.block()])) {
                    liars.add(sent.peerIdHex());
                }
            }
        }
        return liars;
    }
}
