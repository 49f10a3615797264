package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;

class PiecePickerTest {

    static final int B = PiecePicker.BLOCK_SIZE;
    static final PiecePicker.Outstanding NONE = (p, b) -> false;

    static BitSet all(int n) {
        BitSet s = new BitSet(n);
        s.set(0, n);
        return s;
    }

    static BitSet of(int... pieces) {
        BitSet s = new BitSet();
        for (int p : pieces) {
            s.set(p);
        }
        return s;
    }

    /** 10 pieces of 4 blocks, the last piece 1.5 blocks long. */
    static PiecePicker picker(BitSet verified) {
        long total = 9L * 4 * B + B + B / 2;
        return new PiecePicker(10, 4 * B, total, verified, all(10), new Random(1));
    }

    @Test
    void heldPiecesAreNotPickedUntilTheirCheckEnds() {
        PiecePicker picker = picker(of(0, 1, 2, 3, 4, 5, 6));
        picker.hold(of(7, 8));
        Set<Integer> picked = new HashSet<>();
        for (Block b : picker.pick(all(10), 100, NONE)) {
            picked.add(b.piece());
        }
        assertEquals(Set.of(9), picked, "only the piece that is neither had nor held");
        assertFalse(picker.inEndgame(), "held pieces are still to come: no endgame duplicates yet");
        picker.checked(7, true); // its data on disk matched
        picker.checked(8, false); // it did not: fetched like any missing piece
        assertTrue(picker.have(7));
        assertFalse(picker.held(8));
        Set<Integer> now = new HashSet<>();
        for (Block b : picker.pick(all(10), 100, NONE)) {
            now.add(b.piece());
        }
        assertEquals(Set.of(8), now, "9's blocks are all requested already; 8 is picked now, 7 never");
        picker.pieceVerified(8);
        for (Block b : List.of(new Block(9, 0, B), new Block(9, B, B / 2))) {
            picker.blockReceived(b.piece(), b.begin());
        }
        picker.pieceVerified(9);
        assertTrue(picker.complete());
        assertEquals(0, picker.missingWanted());
    }

    @Test
    void lastBlockOfLastPieceIsShorter() {
        PiecePicker picker = picker(new BitSet());
        assertEquals(2, picker.blockCount(9));
        assertEquals(B, picker.blockLength(9, 0));
        assertEquals(B / 2, picker.blockLength(9, 1));
        List<Block> blocks = picker.pick(of(9), 10, NONE);
        assertEquals(List.of(new Block(9, 0, B), new Block(9, B, B / 2)), blocks);
    }

    @Test
    void rarestFirstOnceFourPiecesAreVerified() {
        PiecePicker picker = picker(of(0, 1, 2, 3));
        picker.peerBitfield(all(10));
        picker.peerBitfield(all(10));
        picker.peerBitfield(of(4, 5, 6, 7, 8, 9));
        picker.peerHave(6);
        picker.peerLeft(of(4, 5, 7, 8, 9)); // now 6 has 3 copies, 4,5,7,8,9 have 2 copies
        picker.peerBitfield(of(4, 5, 7, 8));   // 9 is now the rarest with 2
        List<Block> blocks = picker.pick(all(10), 1, NONE);
        assertEquals(9, blocks.get(0).piece());
    }

    @Test
    void rarestTieBreakIsRandom() {
        Set<Integer> firstPieces = new HashSet<>();
        Random random = new Random(11);
        for (int run = 0; run < 40; run++) {
            PiecePicker picker = new PiecePicker(10, 4 * B, 40L * B, of(0, 1, 2, 3), all(10), random);
            picker.peerBitfield(all(10));
            firstPieces.add(picker.pick(all(10), 1, NONE).get(0).piece());
        }
        assertTrue(firstPieces.size() > 2, "ties among equally rare pieces broken at random: " + firstPieces);
    }

    @Test
    void firstPiecesAreRandomNotRarest() {
        Set<Integer> firstPieces = new HashSet<>();
        Random random = new Random(12);
        for (int run = 0; run < 100; run++) {
            PiecePicker picker = new PiecePicker(10, 4 * B, 40L * B, new BitSet(), all(10), random);
            picker.peerBitfield(all(10));
            picker.peerBitfield(of(0)); // piece 0 is more common, so rarest-first would never pick it first
            firstPieces.add(picker.pick(all(10), 1, NONE).get(0).piece());
        }
        assertTrue(firstPieces.contains(0));
        assertTrue(firstPieces.size() > 3);
    }

    @Test
    void partialPiecesAreFinishedFirst() {
        PiecePicker picker = picker(of(0, 1, 2, 3, 9));
        picker.peerBitfield(all(10));
        List<Block> first = picker.pick(all(10), 2, NONE);
        int piece = first.get(0).piece();
        assertEquals(piece, first.get(1).piece());
        List<Block> next = picker.pick(all(10), 2, NONE);
        assertEquals(piece, next.get(0).piece());
        assertEquals(piece, next.get(1).piece());
        assertEquals(2 * B, next.get(0).begin());
    }

    @Test
    void onlyPiecesThePeerHasAndWeWant() {
        BitSet wanted = of(5, 6);
        PiecePicker picker = new PiecePicker(10, 4 * B, 40L * B, new BitSet(), wanted, new Random(3));
        assertTrue(picker.pick(of(1, 2, 3), 10, NONE).isEmpty());
        List<Block> blocks = picker.pick(of(1, 6), 10, NONE);
        assertEquals(4, blocks.size());
        blocks.forEach(b -> assertEquals(6, b.piece()));
        assertFalse(picker.interestedIn(of(1, 2)));
        assertTrue(picker.interestedIn(of(5)));
    }

    @Test
    void blockLifecycleAndVerification() {
        PiecePicker picker = picker(new BitSet());
        List<Block> blocks = picker.pick(of(2), 10, NONE);
        assertEquals(4, blocks.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(1, picker.blockReceived(2, blocks.get(i).begin()));
        }
        assertFalse(picker.pieceComplete(2));
        assertEquals(-1, picker.blockReceived(2, 0), "a duplicate is not needed");
        assertEquals(1, picker.blockReceived(2, 3 * B));
        assertTrue(picker.pieceComplete(2));
        assertTrue(picker.pick(of(2), 10, NONE).isEmpty(), "a piece waiting for its hash check is not picked");
        picker.pieceVerified(2);
        assertTrue(picker.have(2));
        assertTrue(picker.pick(of(2), 10, NONE).isEmpty());
    }

    @Test
    void failedPieceIsDownloadedAgain() {
        PiecePicker picker = picker(new BitSet());
        for (Block b : picker.pick(of(4), 10, NONE)) {
            picker.blockReceived(b.piece(), b.begin());
        }
        picker.pieceFailed(4);
        assertFalse(picker.have(4));
        assertEquals(4, picker.pick(of(4), 10, NONE).size());
    }

    @Test
    void droppedRequestsAreHandedOutAgain() {
        PiecePicker picker = picker(new BitSet());
        List<Block> blocks = picker.pick(of(4), 10, NONE);
        assertTrue(picker.pick(of(4), 10, NONE).isEmpty() || picker.inEndgame());
        picker.requestDropped(4, blocks.get(1).begin());
        List<Block> again = picker.pick(of(4), 10, NONE);
        assertEquals(List.of(blocks.get(1)), again);
    }

    @Test
    void endgameDuplicatesWithCancelCount() {
        PiecePicker picker = new PiecePicker(2, 2 * B, 4L * B, new BitSet(), all(2), new Random(5));
        Set<Long> peerA = new HashSet<>();
        for (Block b : picker.pick(all(2), 10, NONE)) {
            peerA.add(b.key());
        }
        assertEquals(4, peerA.size());
        assertTrue(picker.inEndgame());
        // peer A asks again: everything is outstanding at A already
        assertTrue(picker.pick(all(2), 10, (p, b) -> peerA.contains(Block.key(p, b))).isEmpty());
        // peer B gets duplicates
        List<Block> dupes = picker.pick(all(2), 10, NONE);
        assertEquals(4, dupes.size());
        assertEquals(2, picker.blockReceived(0, 0), "outstanding at A and B: one to cancel");
        assertEquals(-1, picker.blockReceived(0, 0));
    }

    @Test
    void noEndgameWhileUnrequestedBlocksRemain() {
        PiecePicker picker = picker(new BitSet());
        picker.pick(of(0), 10, NONE);
        assertFalse(picker.inEndgame());
        assertTrue(picker.pick(of(0), 10, NONE).isEmpty(), "no duplicates outside endgame");
    }

    @Test
    void wantedPiecesFromFileSelection() {
        // piece length 100: a [0,150) b [150,150) empty, c [150,420) d [420,500)
        List<TorrentFile> files = List.of(
                new TorrentFile(List.of("a"), 150, 0, false),
                new TorrentFile(List.of("b"), 0, 150, false),
                new TorrentFile(List.of("c"), 270, 150, false),
                new TorrentFile(List.of("d"), 80, 420, false));
        TorrentMeta meta = new TorrentMeta(new InfoHash(new byte[20]), "t", 100, new byte[5 * 20], 500, files,
                true, List.of(), false, new byte[0]);
        assertEquals(of(0, 1), PiecePicker.wantedPieces(meta, new boolean[] {true, false, false, false}));
        assertEquals(of(1, 2, 3, 4), PiecePicker.wantedPieces(meta, new boolean[] {false, false, true, false}));
        assertEquals(of(4), PiecePicker.wantedPieces(meta, new boolean[] {false, false, false, true}));
        assertEquals(new BitSet(), PiecePicker.wantedPieces(meta, new boolean[] {false, true, false, false}));
        assertEquals(all(5), PiecePicker.wantedPieces(meta, null));
    }

    @Test
    void bytesLeftCountsWantedMissingPieces() {
        PiecePicker picker = picker(of(0, 9));
        assertEquals(8L * 4 * B, picker.bytesLeft());
        picker.setWanted(of(8, 9));
        assertEquals(4L * B, picker.bytesLeft());
        assertFalse(picker.complete());
        picker.pieceVerified(8);
        assertTrue(picker.complete());
    }

    @Test
    void wholeDownloadCompletesWithManyPieces() {
        int n = 1000;
        PiecePicker picker = new PiecePicker(n, 4 * B, (long) n * 4 * B, new BitSet(), all(n), new Random(9));
        picker.peerBitfield(all(n));
        int received = 0;
        while (!picker.complete()) {
            List<Block> blocks = picker.pick(all(n), 50, NONE);
            assertFalse(blocks.isEmpty());
            for (Block b : blocks) {
                if (picker.blockReceived(b.piece(), b.begin()) >= 0) {
                    received++;
                }
                if (picker.pieceComplete(b.piece())) {
                    picker.pieceVerified(b.piece());
                }
            }
        }
        assertEquals(4 * n, received);
    }

    @Test
    void endgameEndsWhenAPieceFailsAndDuplicatesCanBeRefused() {
        PiecePicker picker = new PiecePicker(2, 2 * B, 4L * B, new BitSet(), all(2), new Random(5));
        List<Block> blocks = picker.pick(all(2), 10, NONE);
        assertTrue(picker.inEndgame());
        assertTrue(picker.pick(all(2), 10, NONE, false).isEmpty(), "a busy peer gets no duplicates");
        for (Block b : blocks) {
            if (b.piece() == 1) {
                picker.blockReceived(b.piece(), b.begin());
            }
        }
        picker.pieceFailed(1);
        assertFalse(picker.inEndgame(), "the failed piece is free again");
        List<Block> again = picker.pick(all(2), 10, NONE, false);
        assertEquals(2, again.size());
        again.forEach(b -> assertEquals(1, b.piece()));
        assertTrue(picker.inEndgame());
    }

    @Test
    void narrowingTheSelectionRecountsWhatIsLeftToStart() {
        PiecePicker picker = picker(new BitSet());
        picker.setWanted(of(3));
        assertEquals(4, picker.pick(all(10), 100, NONE, false).size());
        assertTrue(picker.inEndgame());
        picker.setWanted(of(3, 4));
        assertFalse(picker.inEndgame());
        List<Block> more = picker.pick(all(10), 100, NONE, false);
        assertEquals(4, more.size());
        more.forEach(b -> assertEquals(4, b.piece()));
    }
}
