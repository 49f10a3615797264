package me.bittorrent.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.StoredFingerprint;
import me.bittorrent.storage.FileFingerprint;
import me.bittorrent.storage.PieceJournal;
import me.bittorrent.storage.PieceStore;

/**
 * What a launch checks before trusting the saved verified pieces (STATE.md "Restart rules"):
 * <ul>
 *   <li>{@link Kind#TRUST}: every file has the size and modification time saved with them: nothing is hashed.</li>
 *   <li>{@link Kind#UNSAVED}: after an unclean stop (kill -9, power cut of the process), files differ only as our
 *       own writes since the save explain: each differing file is no shorter than saved, holds a piece the journal
 *       says we wrote, and was not modified after our last write (the journal's time), or only within
 *       {@link #CUT_OFF_SLACK_MICROS} of it when the journal ends on the intent of a write into that file (the stop
 *       cut it); the journal says which pieces were written since. Those
 *       {@code suspects} are hashed, plus a {@code sample} of the saved pieces in the changed files; the rest is
 *       trusted.</li>
 *   <li>{@link Kind#FULL}: anything else (a file shorter, absent, modified after our last write, no journal):
 *       every piece is hashed.</li>
 * </ul>
 */
record ResumePlan(Kind kind, BitSet suspects, BitSet sample, String reason) {

    enum Kind { TRUST, UNSAVED, FULL }

    /** Saved pieces of the changed files hashed to catch a change our own writes would hide. */
    static final int SAMPLE = 4;

    /**
     * How much later than the journal's last note (an intent: the stop cut a write) a file may have been modified
     * and still be taken for that cut write. The kernel stamps a file's time when a write call begins, from a clock
     * that may lag by one tick (4 ms here), and the write begins on the same thread a copy of one piece after its
     * intent was noted: a few ms at most. Anything else writes later: a killed process takes tens of ms to be
     * reaped (28-36 ms measured for a 150 MB JVM from its last write to another program's write into its file).
     * A cut write stamped later than this (a GC pause or a busy core between the note and the write) costs a full
     * check, as any other late change: slower, never less safe.
     */
    static final long CUT_OFF_SLACK_MICROS = 10_000;

    static ResumePlan trust() {
        return new ResumePlan(Kind.TRUST, new BitSet(), new BitSet(), null);
    }

    static ResumePlan full(String reason) {
        return new ResumePlan(Kind.FULL, new BitSet(), new BitSet(), reason);
    }

    /** BLOCKING: compares the files on disk with what was saved with {@code verified}, reads the journal. */
    static ResumePlan plan(TorrentMeta meta, Path dir, boolean[] selected, List<StoredFingerprint> stored,
            BitSet verified, Path journal, Random random) throws IOException {
        Map<Integer, StoredFingerprint> then = stored.stream()
                .collect(Collectors.toMap(StoredFingerprint::fileIndex, Function.identity(), (a, b) -> b));
        List<FileFingerprint> now;
        PieceStore store = new PieceStore(meta, dir, selected, false);
        try (store) {
            now = store.fingerprints();
        }
        List<Integer> changed = new ArrayList<>();
        for (FileFingerprint f : now) {
            StoredFingerprint t = then.getOrDefault(f.fileIndex(), new StoredFingerprint(f.fileIndex(), -1, -1));
            if (t.size() != f.size() || (f.size() >= 0 && t.modifiedMillis() != f.modifiedMillis())) {
                changed.add(f.fileIndex());
            }
        }
        if (changed.isEmpty()) {
            return trust();
        }
        Optional<PieceJournal.Written> written = journal == null ? Optional.empty()
                : PieceJournal.read(journal, meta.pieceCount());
        if (written.isEmpty()) {
            return full("its files changed on disk since the last run");
        }
        FileTime lastWrite = written.get().lastWrite();
        BitSet suspects = (BitSet) written.get().pieces().clone();
        suspects.andNot(verified);
        BitSet candidates = new BitSet();
        StringBuilder cut = new StringBuilder();
        for (int i : changed) {
            StoredFingerprint t = then.get(i);
            long size = now.stream().filter(f -> f.fileIndex() == i).findFirst().map(FileFingerprint::size)
                    .orElse(-1L);
            String name = meta.files().get(i).displayPath();
            if (size < 0 || t == null || size < t.size()) {
                return full(name + " is shorter than when it was last saved, or gone");
            }
            FileTime modified = modified(store.pathOf(i));
            BitSet pieces = piecesOf(meta, store, i);
            if (modified == null) {
                return full(name + " is gone");
            }
            long late = modified.to(TimeUnit.MICROSECONDS) - lastWrite.to(TimeUnit.MICROSECONDS);
            if (late > 0) {
                int cutOff = written.get().cutOff();
                if (cutOff < 0 || !pieces.get(cutOff) || late > CUT_OFF_SLACK_MICROS) {
                    return full(name + " was modified after our last write");
                }
                cut.append(cut.isEmpty() ? "" : "; ").append(name).append(" was written ")
                        .append(late / 1000.0).append(" ms after our last note: the stop cut the write of piece ")
                        .append(cutOff);
            }
            if (!pieces.intersects(written.get().pieces())) {
                return full(name + " changed, but we wrote nothing into it since the last save");
            }
            candidates.or(pieces);
        }
        candidates.and(verified);
        BitSet sample = new BitSet();
        for (int n = 0; n < SAMPLE && !candidates.isEmpty(); n++) {
            int p = nth(candidates, random.nextInt(candidates.cardinality()));
            sample.set(p);
            candidates.clear(p);
        }
        return new ResumePlan(Kind.UNSAVED, suspects, sample, cut.isEmpty() ? null : cut.toString());
    }

    private static FileTime modified(Path path) throws IOException {
        try {
            return Files.getLastModifiedTime(path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static BitSet piecesOf(TorrentMeta meta, PieceStore store, int fileIndex) {
        TorrentFile f = meta.files().get(fileIndex);
        BitSet pieces = new BitSet();
        if (f.length() > 0) {
            pieces.set(store.layout().firstPiece(fileIndex), store.layout().lastPiece(fileIndex) + 1);
        }
        return pieces;
    }

    private static int nth(BitSet set, int n) {
        int p = set.nextSetBit(0);
        for (int i = 0; i < n; i++) {
            p = set.nextSetBit(p + 1);
        }
        return p;
    }
}
