package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import me.bittorrent.metainfo.PieceGeometry;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.FilePriority;

/**
 * Which block to request next, from which peer: priority levels (pieces of high-priority files first),
 * availability counting, rarest-first with random tie-break within a level, random first pieces, partial pieces
 * first within a level, block bookkeeping and endgame.
 *
 * <p>Pure bookkeeping, no I/O. Not thread-safe: it lives on the engine context like the rest of a torrent's
 * state. The per-call work is a scan of the small list of partial pieces and, when a new piece must be
 * started, one O(pieces) scan into a reused array (no allocation proportional to the piece count).
 */
public final class PiecePicker {

    public static final int BLOCK_SIZE = PieceGeometry.BLOCK_SIZE;
    /** Until this many pieces are verified, new pieces are chosen at random (to get something to trade fast). */
    static final int RANDOM_FIRST_PIECES = 4;
    /** In endgame a block may be outstanding at this many peers at once. */
    static final int ENDGAME_MAX_REQUESTS = 3;

    /** The peer's own outstanding requests, so endgame never asks the same peer twice for a block. */
    @FunctionalInterface
    public interface Outstanding {
        boolean contains(int piece, int begin);
    }

    private final int pieceCount;
    private final PieceGeometry geometry;
    private final Random random;

    private final BitSet have;

    /** See {@link #hold}. */

    private final BitSet held;
    private final BitSet wanted;
    private final int[] availability;
    private int seeds;
    private final Partial[] partialOf;
    /** Partial pieces in the order they were started: the oldest are finished first. */
    private final List<Partial> partials = new ArrayList<>();
    /** Reused sort buffer for starting new pieces. */
    private final long[] candidates;
    /** Per piece: the {@link FilePriority} ordinal of its highest-priority file (NORMAL by default). */
    private final byte[] priority;
    /** Wanted pieces neither verified nor started, per priority level: when 0, no scan at that level is needed. */
    private final int[] freshAt = new int[LEVELS];
    private static final int LEVELS = FilePriority.values().length;

    public PiecePicker(int pieceCount, int pieceLength, long totalLength, BitSet verified, BitSet wanted,
            Random random) {
        this.pieceCount = pieceCount;
        this.geometry = new PieceGeometry(pieceLength, totalLength);
        this.random = random;
        this.have = (BitSet) verified.clone();
        this.held = new BitSet(pieceCount);
        this.wanted = (BitSet) wanted.clone();
        this.availability = new int[pieceCount];
        this.partialOf = new Partial[pieceCount];
        this.candidates = new long[pieceCount];
        this.priority = new byte[pieceCount];
        Arrays.fill(priority, (byte) FilePriority.NORMAL.ordinal());
        countFresh();
    }

    private void countFresh() {
        Arrays.fill(freshAt, 0);
        for (int i = wanted.nextSetBit(0); i >= 0; i = wanted.nextSetBit(i + 1)) {
            if (!have.get(i) && partialOf[i] == null) {
                freshAt[priority[i]]++;
            }
        }
    }

    private int fresh() {
        int n = 0;
        for (int f : freshAt) {
            n += f;
        }
        return n;
    }

    /**
     * Sets each piece's level from its files' priorities (per {@code meta.files()} index; null entries and a null
     * array mean NORMAL): a piece takes the highest level of the wanted files it touches. SKIP files do not count
     * (which pieces are wanted at all is {@link #setWanted}'s business).
     */
    public void setFilePriorities(TorrentMeta meta, FilePriority[] filePriorities) {
        byte[] levels = piecePriorities(meta, filePriorities);
        System.arraycopy(levels, 0, priority, 0, Math.min(levels.length, pieceCount));
        countFresh();
    }

    /** The piece levels for a file priority array (see {@link #setFilePriorities}). */
    static byte[] piecePriorities(TorrentMeta meta, FilePriority[] filePriorities) {
        byte[] levels = new byte[meta.pieceCount()];
        if (filePriorities == null) {
            Arrays.fill(levels, (byte) FilePriority.NORMAL.ordinal());
            return levels;
        }
        Arrays.fill(levels, (byte) FilePriority.LOW.ordinal());
        boolean[] touched = new boolean[levels.length];
        List<TorrentFile> files = meta.files();
        PieceGeometry geometry = meta.geometry();
        for (int f = 0; f < files.size() && f < filePriorities.length; f++) {
            TorrentFile file = files.get(f);
            FilePriority p = filePriorities[f] == null ? FilePriority.NORMAL : filePriorities[f];
            if (file.padding() || file.length() == 0 || p == FilePriority.SKIP) {
                continue;
            }
            int last = geometry.lastPieceOf(file.offset(), file.length());
            for (int i = geometry.pieceAt(file.offset()); i <= last; i++) {
                levels[i] = (byte) Math.max(levels[i], p.ordinal());
                touched[i] = true;
            }
        }
        for (int f = filePriorities.length; f < files.size(); f++) {
            TorrentFile file = files.get(f);
            if (!file.padding() && file.length() > 0) {
                int last = geometry.lastPieceOf(file.offset(), file.length());
                for (int i = geometry.pieceAt(file.offset()); i <= last; i++) {
                    levels[i] = (byte) Math.max(levels[i], FilePriority.NORMAL.ordinal());
                    touched[i] = true;
                }
            }
        }
        for (int i = 0; i < levels.length; i++) {
            if (!touched[i]) {
                levels[i] = (byte) FilePriority.NORMAL.ordinal();
            }
        }
        return levels;
    }

    /** The level of a piece (a {@link FilePriority}, never SKIP). */
    public FilePriority priority(int piece) {
        return FilePriority.values()[priority[piece]];
    }

    public static PiecePicker forMeta(TorrentMeta meta, BitSet verified, boolean[] selected, Random random) {
        return new PiecePicker(meta.pieceCount(), meta.pieceLength(), meta.totalLength(), verified,
                wantedPieces(meta, selected), random);
    }

    /**
     * Pieces to download for a file selection: a piece is wanted when it touches any selected, non-empty,
     * non-padding file. {@code selected == null} selects every file.
     */
    public static BitSet wantedPieces(TorrentMeta meta, boolean[] selected) {
        BitSet wanted = new BitSet(meta.pieceCount());
        List<TorrentFile> files = meta.files();
        for (int i = 0; i < files.size(); i++) {
            TorrentFile f = files.get(i);
            if (f.padding() || f.length() == 0 || (selected != null && !selected[i])) {
                continue;
            }
            PieceGeometry geometry = meta.geometry();
            wanted.set(geometry.pieceAt(f.offset()), geometry.lastPieceOf(f.offset(), f.length()) + 1);
        }
        return wanted;
    }

    // ---- availability ------------------------------------------------------------------------------------

    public void peerBitfield(BitSet peerHas) {
        for (int i = peerHas.nextSetBit(0); i >= 0 && i < pieceCount; i = peerHas.nextSetBit(i + 1)) {
            availability[i]++;
        }
    }

    public void peerHave(int piece) {
        availability[piece]++;
    }

    public void peerLeft(BitSet peerHas) {
        for (int i = peerHas.nextSetBit(0); i >= 0 && i < pieceCount; i = peerHas.nextSetBit(i + 1)) {
            availability[i]--;
        }
    }

    public int availability(int piece) {
        return availability[piece];
    }

    // ---- state -------------------------------------------------------------------------------------------

    public int pieceCount() {
        return pieceCount;
    }

    public PieceGeometry geometry() {
        return geometry;
    }

    public int pieceSize(int piece) {
        return geometry.pieceSize(piece);
    }

    public int blockCount(int piece) {
        return geometry.blockCount(piece);
    }

    public int blockLength(int piece, int block) {
        return geometry.blockLength(piece, block);
    }

    public boolean have(int piece) {
        return have.get(piece);
    }

    public BitSet verified() {
        return (BitSet) have.clone();
    }

    public int verifiedCount() {
        return have.cardinality();
    }

    public BitSet wanted() {
        return (BitSet) wanted.clone();
    }

    public void setWanted(BitSet newWanted) {
        wanted.clear();
        wanted.or(newWanted);
        countFresh();
    }

    /** Every wanted piece is verified. */
    public boolean complete() {
        return missingWanted() == 0;
    }

    public int missingWanted() {
        int n = 0;
        for (int i = wanted.nextSetBit(0); i >= 0; i = wanted.nextSetBit(i + 1)) {
            if (!have.get(i)) {
                n++;
            }
        }
        return n;
    }

    /** Bytes of wanted pieces not yet verified. */
    public long bytesLeft() {
        long left = 0;
        for (int i = wanted.nextSetBit(0); i >= 0; i = wanted.nextSetBit(i + 1)) {
            if (!have.get(i)) {
                left += pieceSize(i);
            }
        }
        return left;
    }

    /** Bytes of all pieces not verified, wanted or not (the tracker's "left" for a full download). */
    public long bytesMissing() {
        long left = geometry.totalLength();
        for (int i = have.nextSetBit(0); i >= 0; i = have.nextSetBit(i + 1)) {
            left -= pieceSize(i);
        }
        return left;
    }

    /** True when the peer has a wanted piece we lack (we are interested in it). */
    public boolean interestedIn(BitSet peerHas) {
        for (int i = peerHas.nextSetBit(0); i >= 0 && i < pieceCount; i = peerHas.nextSetBit(i + 1)) {
            if (wanted.get(i) && !have.get(i)) {
                return true;
            }
        }
        return false;
    }

    public boolean interestedIn(int piece) {
        return wanted.get(piece) && !have.get(piece);
    }

    /** Pieces started and not yet verified nor failed (including those waiting for their hash check). */
    public int partialCount() {
        return partials.size();
    }

    // ---- picking -----------------------------------------------------------------------------------------

    /**
     * Up to {@code maxBlocks} blocks to request from a peer that has {@code peerHas}; each returned block is
     * counted as requested. From the highest priority level down: the level's partial pieces first, then its new
     * pieces (random first, then rarest-first); when every missing block is already requested (endgame), blocks
     * outstanding elsewhere are handed out again, except those already outstanding at this peer.
     */
    public List<Block> pick(BitSet peerHas, int maxBlocks, Outstanding alreadyRequested) {
        return pick(peerHas, maxBlocks, alreadyRequested, true);
    }

    /** As {@link #pick(BitSet, int, Outstanding)}; {@code endgame} false never hands out duplicate requests. */
    public List<Block> pick(BitSet peerHas, int maxBlocks, Outstanding alreadyRequested, boolean endgame) {
        List<Block> out = new ArrayList<>(Math.min(maxBlocks, 64));
        if (maxBlocks <= 0) {
            return out;
        }
        for (int level = LEVELS - 1; level > FilePriority.SKIP.ordinal() && out.size() < maxBlocks; level--) {
            for (int p = 0; p < partials.size() && out.size() < maxBlocks; p++) {
                Partial partial = partials.get(p);
                if (priority[partial.piece] == level && wanted.get(partial.piece) && peerHas.get(partial.piece)) {
                    takeFree(partial, out, maxBlocks);
                }
            }
            if (out.size() < maxBlocks) {
                startNewPieces(peerHas, out, maxBlocks, level);
            }
        }
        if (endgame && out.isEmpty() && inEndgame()) {
            for (Partial partial : partials) {
                if (out.size() >= maxBlocks) {
                    break;
                }
                if (wanted.get(partial.piece) && peerHas.get(partial.piece)) {
                    takeDuplicates(partial, out, maxBlocks, alreadyRequested);
                }
            }
        }
        return out;
    }

    private void startNewPieces(BitSet peerHas, List<Block> out, int maxBlocks, int level) {
        if (freshAt[level] == 0) {
            return;
        }
        boolean randomOrder = have.cardinality() < RANDOM_FIRST_PIECES;
        int n = 0;
        for (int i = peerHas.nextSetBit(0); i >= 0 && i < pieceCount; i = peerHas.nextSetBit(i + 1)) {
            if (partialOf[i] == null && priority[i] == level && wanted.get(i) && !have.get(i) && !held.get(i)) {
                // sort key: availability, then a random tie-break, then the piece index
                long rank = randomOrder ? 0 : Math.min(availability[i], 0x7fffff);
                long tie = random.nextInt(randomOrder ? 0x7fffffff : 0x100);
                candidates[n++] = randomOrder ? (tie << 32) | i : (rank << 40) | (tie << 32) | i;
            }
        }
        if (n == 0) {
            return;
        }
        int blocksPerPiece = Math.max(1, geometry.blocksPerPiece());
        int piecesNeeded = (maxBlocks - out.size() + blocksPerPiece - 1) / blocksPerPiece;
        if (piecesNeeded <= 4 && n > 16) {
            // a few selection passes beat sorting everything
            for (int k = 0; k < piecesNeeded && k < n && out.size() < maxBlocks; k++) {
                int min = k;
                for (int j = k + 1; j < n; j++) {
                    if (candidates[j] < candidates[min]) {
                        min = j;
                    }
                }
                long t = candidates[k];
                candidates[k] = candidates[min];
                candidates[min] = t;
                takeFree(start((int) candidates[k]), out, maxBlocks);
            }
            return;
        }
        Arrays.sort(candidates, 0, n);
        for (int k = 0; k < n && out.size() < maxBlocks; k++) {
            takeFree(start((int) candidates[k]), out, maxBlocks);
        }
    }

    private Partial start(int piece) {
        Partial partial = new Partial(piece, blockCount(piece));
        partialOf[piece] = partial;
        freshAt[priority[piece]]--;
        partials.add(partial);
        return partial;
    }

    private void takeFree(Partial partial, List<Block> out, int maxBlocks) {
        for (int b = partial.firstFree; b < partial.blocks && out.size() < maxBlocks; b++) {
            if (!partial.received[b] && partial.requests[b] == 0) {
                partial.requests[b] = 1;
                out.add(new Block(partial.piece, b * BLOCK_SIZE, blockLength(partial.piece, b)));
            }
        }
        partial.advanceFirstFree();
    }

    private void takeDuplicates(Partial partial, List<Block> out, int maxBlocks, Outstanding alreadyRequested) {
        for (int b = 0; b < partial.blocks && out.size() < maxBlocks; b++) {
            int begin = b * BLOCK_SIZE;
            if (!partial.received[b] && partial.requests[b] < ENDGAME_MAX_REQUESTS
                    && !alreadyRequested.contains(partial.piece, begin)) {
                partial.requests[b]++;
                out.add(new Block(partial.piece, begin, blockLength(partial.piece, b)));
            }
        }
    }

    /** Endgame: no wanted block is left that is neither received nor requested. */
    public boolean inEndgame() {
        if (fresh() > 0) {
            return false;
        }
        for (Partial partial : partials) {
            if (wanted.get(partial.piece) && partial.hasFree()) {
                return false;
            }
        }
        return true;
    }

    // ---- block lifecycle ---------------------------------------------------------------------------------

    /** A request is gone without data (cancelled, timed out, peer choked us or left): the block is free again. */
    public void requestDropped(int piece, int begin) {
        Partial partial = partialOf[piece];
        if (partial == null) {
            return;
        }
        int b = begin / BLOCK_SIZE;
        if (!partial.received[b] && partial.requests[b] > 0) {
            partial.requests[b]--;
            if (partial.requests[b] == 0 && b < partial.firstFree) {
                partial.firstFree = b;
            }
        }
    }

    /**
     * A block arrived. Returns -1 when it is not needed (already received, or its piece is not in progress),
     * otherwise how many requests for it were counted as outstanding (more than one: endgame duplicates, to be
     * cancelled at the other peers; zero: a late answer to a request already given up).
     */
    public int blockReceived(int piece, int begin) {
        if (piece < 0 || piece >= pieceCount) {
            return -1;
        }
        Partial partial = partialOf[piece];
        int b = begin / BLOCK_SIZE;
        if (partial == null || begin % BLOCK_SIZE != 0 || b >= partial.blocks || partial.received[b]) {
            return -1;
        }
        partial.received[b] = true;
        partial.receivedCount++;
        int outstanding = partial.requests[b];
        partial.requests[b] = 0;
        return outstanding;
    }

    /** True when the block is expected: its piece is in progress and the block not yet received. */
    public boolean blockNeeded(int piece, int begin) {
        if (piece < 0 || piece >= pieceCount || begin % BLOCK_SIZE != 0) {
            return false;
        }
        Partial partial = partialOf[piece];
        int b = begin / BLOCK_SIZE;
        return partial != null && b < partial.blocks && !partial.received[b];
    }

    /** All blocks of the piece are received: it is ready for its hash check. */
    public boolean pieceComplete(int piece) {
        Partial partial = partialOf[piece];
        return partial != null && partial.receivedCount == partial.blocks;
    }

    public void pieceVerified(int piece) {
        have.set(piece);
        drop(piece);
    }

    /**
     * Pieces whose data is on disk but not yet checked (after an unclean stop they are hashed while the torrent
     * downloads): never started nor requested until {@link #checked} says what they hold.
     */
    public void hold(BitSet pieces) {
        held.or(pieces);
        held.andNot(have);
    }

    /** A held piece's check ended: verified, it is had; otherwise it is picked like any missing piece. */
    public void checked(int piece, boolean verified) {
        held.clear(piece);
        if (verified && !have.get(piece)) {
            have.set(piece);
            if (wanted.get(piece) && partialOf[piece] == null) {
                freshAt[priority[piece]]--;
            }
        }
    }

    public boolean held(int piece) {
        return held.get(piece);
    }

    /** The hash check failed: every block of the piece is downloaded again. */
    public void pieceFailed(int piece) {
        drop(piece);
    }

    /** A piece lost after verification (e.g. a re-check found it damaged). */
    public void pieceLost(int piece) {
        if (have.get(piece)) {
            have.clear(piece);
            if (wanted.get(piece) && partialOf[piece] == null) {
                freshAt[priority[piece]]++;
            }
        }
    }

    private void drop(int piece) {
        Partial partial = partialOf[piece];
        if (partial != null) {
            partialOf[piece] = null;
            partials.remove(partial);
            if (wanted.get(piece) && !have.get(piece)) {
                freshAt[priority[piece]]++;
            }
        }
    }

    /** Per-block state of one started piece. */
    private static final class Partial {
        final int piece;
        final int blocks;
        /** Outstanding requests per block (more than one only in endgame). */
        final byte[] requests;
        final boolean[] received;
        int receivedCount;
        /** No block below this index is free (unrequested and not received). */
        int firstFree;

        Partial(int piece, int blocks) {
            this.piece = piece;
            this.blocks = blocks;
            this.requests = new byte[blocks];
            this.received = new boolean[blocks];
        }

        void advanceFirstFree() {
            while (firstFree < blocks && (received[firstFree] || requests[firstFree] > 0)) {
                firstFree++;
            }
        }

        boolean hasFree() {
            advanceFirstFree();
            return firstFree < blocks;
        }
    }
}
