package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.FilePriority;

/** The picker's order under file priorities: levels first, rarest-first within a level, shared pieces take the higher. */
class PiecePriorityTest {

    static final FilePriority SKIP = FilePriority.SKIP;
    static final FilePriority LOW = FilePriority.LOW;
    static final FilePriority NORMAL = FilePriority.NORMAL;
    static final FilePriority HIGH = FilePriority.HIGH;

    /**
     * 12 pieces of one 16 KiB block: file n (pieces 0-2), h (3-5 and half of 6), l (rest of 6, 7-8), s (9-11).
     */
    static TorrentMeta meta() {
        int p = PiecePicker.BLOCK_SIZE;
        List<TorrentFile> files = List.of(
                new TorrentFile(List.of("n"), 3L * p, 0, false),
                new TorrentFile(List.of("h"), 3L * p + p / 2, 3L * p, false),
                new TorrentFile(List.of("l"), 2L * p + p / 2, 6L * p + p / 2, false),
                new TorrentFile(List.of("s"), 3L * p, 9L * p, false));
        return new TorrentMeta(new InfoHash(new byte[20]), "t", p, new byte[12 * 20], 12L * p, files, true,
                List.of(), false, new byte[0]);
    }

    static PiecePicker picker(TorrentMeta meta, FilePriority... priorities) {
        boolean[] selected = new boolean[priorities.length];
        for (int i = 0; i < selected.length; i++) {
            selected[i] = priorities[i] != SKIP;
        }
        PiecePicker picker = PiecePicker.forMeta(meta, new BitSet(), selected, new Random(7));
        picker.setFilePriorities(meta, priorities);
        return picker;
    }

    /** Picks one piece at a time from a peer with everything, verifying each, and returns the order. */
    static List<Integer> order(PiecePicker picker, int pieces) {
        BitSet all = new BitSet();
        all.set(0, pieces);
        List<Integer> order = new ArrayList<>();
        while (true) {
            List<Block> blocks = picker.pick(all, 1, PiecePickerTest.NONE);
            if (blocks.isEmpty()) {
                return order;
            }
            int piece = blocks.get(0).piece();
            order.add(piece);
            picker.blockReceived(piece, 0);
            picker.pieceVerified(piece);
        }
    }

    @Test
    void higherLevelsComeFirstAndSkippedPiecesNever() {
        TorrentMeta meta = meta();
        PiecePicker picker = picker(meta, NORMAL, HIGH, LOW, SKIP);
        assertEquals(HIGH, picker.priority(6), "a piece shared by h (high) and l (low) is high");
        List<Integer> order = order(picker, 12);
        assertEquals(9, order.size(), "every piece but those of the skipped file: " + order);
        assertEquals(List.of(3, 4, 5, 6), order.subList(0, 4).stream().sorted().toList(), "high first: " + order);
        assertEquals(List.of(0, 1, 2), order.subList(4, 7).stream().sorted().toList(), "then normal: " + order);
        assertEquals(List.of(7, 8), order.subList(7, 9).stream().sorted().toList(), "then low: " + order);
    }

    @Test
    void rarestFirstWithinALevelOncePastTheRandomStart() {
        TorrentMeta meta = meta();
        PiecePicker picker = picker(meta, HIGH, NORMAL, NORMAL, NORMAL);
        BitSet everything = new BitSet();
        everything.set(0, 12);
        picker.peerBitfield(everything);
        picker.peerBitfield(everything);
        // piece 11 is the rarest of the normal level, piece 2 the rarest of the high level
        BitSet common = (BitSet) everything.clone();
        common.clear(11);
        common.clear(2);
        picker.peerBitfield(common);
        for (int i = 0; i < PiecePicker.RANDOM_FIRST_PIECES; i++) {
            picker.pieceVerified(7 + i); // normal pieces 7-10: past the random first pieces
        }
        assertEquals(2, picker.pick(everything, 1, PiecePickerTest.NONE).get(0).piece(), "rarest high piece");
        List<Integer> next = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int piece = picker.pick(everything, 1, PiecePickerTest.NONE).get(0).piece();
            next.add(piece);
        }
        assertTrue(next.stream().allMatch(p -> p <= 1), "the other high pieces before any normal one: " + next);
        assertEquals(11, picker.pick(everything, 1, PiecePickerTest.NONE).get(0).piece(), "rarest normal piece");
    }

    @Test
    void partialPiecesOfALowerLevelWaitForNewHigherPieces() {
        TorrentMeta meta = meta();
        PiecePicker picker = picker(meta, NORMAL, NORMAL, NORMAL, NORMAL);
        BitSet all = new BitSet();
        all.set(0, 12);
        int started = picker.pick(all, 1, PiecePickerTest.NONE).get(0).piece();
        picker.requestDropped(started, 0); // started, its block free again
        FilePriority[] raised = {NORMAL, NORMAL, NORMAL, NORMAL};
        raised[started < 3 ? 1 : 0] = HIGH;
        picker.setFilePriorities(meta, raised);
        int next = picker.pick(all, 1, PiecePickerTest.NONE).get(0).piece();
        assertEquals(HIGH, picker.priority(next), "a new high piece before the partial normal one " + started);
    }

    @Test
    void uniformPrioritiesKeepTheOldOrder() {
        TorrentMeta meta = meta();
        PiecePicker plain = PiecePicker.forMeta(meta, new BitSet(), null, new Random(7));
        PiecePicker normal = picker(meta, NORMAL, NORMAL, NORMAL, NORMAL);
        assertEquals(order(plain, 12), order(normal, 12));
    }
}
