package me.bittorrent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.StoredFingerprint;
import me.bittorrent.storage.PieceJournal;
import me.bittorrent.storage.PieceStore;

/**
 * A restart after an unclean stop hashes only what was written after the last save (the journal's pieces) and a
 * sample of the saved ones; a file truncated or modified behind our back still costs a full check.
 */
class ResumePlanTest {

    private static final int PIECE = 1024;
    private static final int PIECES = 32;

    @TempDir
    Path dir;
    private TorrentMeta meta;
    private byte[] content;
    private Path journal;
    private final boolean[] all = {true};
    /** What the last save stored: the verified pieces and the files' fingerprints then. */
    private BitSet saved;
    private List<StoredFingerprint> savedFingerprints;

    @BeforeEach
    void downloadHalfThenKill() throws Exception {
        content = new byte[PIECE * PIECES];
        new Random(7).nextBytes(content);
        byte[] hashes = new byte[PIECES * 20];
        for (int i = 0; i < PIECES; i++) {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(Arrays.copyOfRange(content, i * PIECE, (i + 1) * PIECE));
            System.arraycopy(h, 0, hashes, i * 20, 20);
        }
        meta = new TorrentMeta(new InfoHash(new byte[20]), "payload.bin", PIECE, hashes, content.length,
                List.of(new TorrentFile(List.of("payload.bin"), content.length, 0, false)), false, List.of(), false,
                new byte[0]);
        journal = dir.resolve("state.written");
        Path downloads = Files.createDirectories(dir.resolve("downloads"));
        // pieces in a random order, as the picker takes them; the save comes after 12, the kill after 20
        List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < PIECES; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new Random(3));
        saved = new BitSet();
        try (PieceStore store = new PieceStore(meta, downloads, all, false);
                PieceJournal written = new PieceJournal(journal)) {
            for (int n = 0; n < 20; n++) {
                int p = order.get(n);
                store.writePiece(p, content, p * PIECE);
                written.written(p);
                if (n == 11) {
                    for (int k = 0; k <= n; k++) {
                        saved.set(order.get(k));
                    }
                    savedFingerprints = store.fingerprints().stream()
                            .map(f -> new StoredFingerprint(f.fileIndex(), f.size(), f.modifiedMillis())).toList();
                }
            }
        }
        // the test writes faster than the clock moves: make the saved fingerprint visibly older than the kill
        Path file = downloads.resolve("payload.bin");
        FileTime last = Files.getLastModifiedTime(journal);
        savedFingerprints = List.of(new StoredFingerprint(0, savedFingerprints.get(0).size(),
                last.toMillis() - 3000));
        Files.setLastModifiedTime(file, FileTime.fromMillis(last.toMillis() - 1));
    }

    private ResumePlan plan() throws Exception {
        return ResumePlan.plan(meta, dir.resolve("downloads"), all, savedFingerprints, saved, journal, new Random(1));
    }

    @Test
    void afterAKillOnlyTheUnsavedPiecesAndASampleAreHashed() throws Exception {
        ResumePlan plan = plan();
        assertEquals(ResumePlan.Kind.UNSAVED, plan.kind());
        assertEquals(8, plan.suspects().cardinality(), "the 8 pieces written after the save");
        assertTrue(!plan.suspects().intersects(saved));
        assertEquals(ResumePlan.SAMPLE, plan.sample().cardinality());
        BitSet sampleOutsideSaved = (BitSet) plan.sample().clone();
        sampleOutsideSaved.andNot(saved);
        assertTrue(sampleOutsideSaved.isEmpty(), "the sample is of saved pieces");
        try (PieceStore store = new PieceStore(meta, dir.resolve("downloads"), all, false)) {
            BitSet good = store.checkAfterUncleanStop(saved, plan.suspects(), plan.sample());
            assertEquals(20, good.cardinality(), "every piece written is found again");
            assertEquals(8 + ResumePlan.SAMPLE, store.hashedPieces(), "not the 12 saved ones, not all 32");
        }
    }

    @Test
    void aTruncatedFileIsCheckedInFull() throws Exception {
        Path file = dir.resolve("downloads/payload.bin");
        FileTime before = Files.getLastModifiedTime(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(PIECE * 4L);
        }
        Files.setLastModifiedTime(file, before); // even with its old time: the size gives it away
        assertEquals(ResumePlan.Kind.FULL, plan().kind());
    }

    @Test
    void aFileModifiedAfterOurLastWriteIsCheckedInFull() throws Exception {
        Path file = dir.resolve("downloads/payload.bin");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(saved.nextSetBit(0) * (long) PIECE);
            raf.write(0x55);
        }
        // the edit came after the kill: a second after our last write
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(journal).toMillis() + 1000));
        ResumePlan plan = plan();
        assertEquals(ResumePlan.Kind.FULL, plan.kind());
        assertTrue(plan.reason().contains("modified after our last write"), plan.reason());
    }

    /** Kill between a piece's intent and its note after the write: the journal ends on that intent. */
    private int cutAWrite() throws Exception {
        int cut = -1;
        for (int p = 0; p < PIECES && cut < 0; p++) {
            if (!saved.get(p) && !PieceJournal.read(journal, PIECES).orElseThrow().pieces().get(p)) {
                cut = p;
            }
        }
        try (PieceStore store = new PieceStore(meta, dir.resolve("downloads"), all, false);
                PieceJournal written = new PieceJournal(journal)) {
            written.writing(cut);
            store.writePiece(cut, content, cut * PIECE);
        }
        Files.setLastModifiedTime(journal, FileTime.fromMillis(Files.getLastModifiedTime(journal).toMillis()));
        return cut;
    }

    private void fileModifiedAfterJournal(long millis) throws Exception {
        Files.setLastModifiedTime(dir.resolve("downloads/payload.bin"),
                FileTime.fromMillis(Files.getLastModifiedTime(journal).toMillis() + millis));
    }

    @Test
    void aWriteCutByTheKillIsHashedNotTheTorrent() throws Exception {
        int cut = cutAWrite();
        fileModifiedAfterJournal(3); // the write began within a clock tick (4 ms) of its intent
        assertEquals(cut, PieceJournal.read(journal, PIECES).orElseThrow().cutOff());
        ResumePlan plan = plan();
        assertEquals(ResumePlan.Kind.UNSAVED, plan.kind(), String.valueOf(plan.reason()));
        assertTrue(plan.suspects().get(cut), "the cut piece is hashed");
        assertEquals(9, plan.suspects().cardinality(), "the 8 pieces written after the save and the cut one");
        assertTrue(plan.reason().contains("the stop cut the write of piece " + cut), plan.reason());
        try (PieceStore store = new PieceStore(meta, dir.resolve("downloads"), all, false)) {
            BitSet good = store.checkAfterUncleanStop(saved, plan.suspects(), plan.sample());
            assertEquals(21, good.cardinality(), "the cut piece's write had finished: it is verified, not fetched");
        }
    }

    /**
     * What the slack rests on, on this machine's clock and file system: a piece write that follows its intent
     * note is stamped within {@link ResumePlan#CUT_OFF_SLACK_MICROS} of the note (most of the time: a busy core may
     * pause the thread in between, which costs a full check, never a wrong one).
     */
    @Test
    void aWriteIsStampedWithinTheSlackOfItsIntent() throws Exception {
        Path file = dir.resolve("downloads/payload.bin");
        int within = 0;
        long worst = 0;
        try (PieceStore store = new PieceStore(meta, dir.resolve("downloads"), all, false);
                PieceJournal written = new PieceJournal(journal)) {
            for (int n = 0; n < 20; n++) {
                int p = n % PIECES;
                written.writing(p);
                store.writePiece(p, content, p * PIECE);
                long late = Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.MICROSECONDS)
                        - Files.getLastModifiedTime(journal).to(java.util.concurrent.TimeUnit.MICROSECONDS);
                worst = Math.max(worst, late);
                within += late <= ResumePlan.CUT_OFF_SLACK_MICROS ? 1 : 0;
                written.written(p);
            }
        }
        assertTrue(within >= 15, within + " of 20 writes stamped within the slack of their intent; worst "
                + worst + " us");
    }

    @Test
    void aFileModifiedWellAfterACutWriteIsCheckedInFull() throws Exception {
        cutAWrite();
        fileModifiedAfterJournal(1000);
        ResumePlan plan = plan();
        assertEquals(ResumePlan.Kind.FULL, plan.kind());
        assertTrue(plan.reason().contains("modified after our last write"), plan.reason());
    }

    @Test
    void withoutACutWriteNoSlackIsGiven() throws Exception {
        fileModifiedAfterJournal(3); // the journal ends on a piece written: any later change is not ours
        ResumePlan plan = plan();
        assertEquals(ResumePlan.Kind.FULL, plan.kind());
        assertTrue(plan.reason().contains("modified after our last write"), plan.reason());
    }

    @Test
    void withoutAJournalAChangedFileIsCheckedInFull() throws Exception {
        Files.delete(journal);
        assertEquals(ResumePlan.Kind.FULL, plan().kind());
    }

    @Test
    void aSavedPieceThatNoLongerMatchesTurnsTheCheckIntoAFullOne() throws Exception {
        int victim = saved.nextSetBit(0);
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("downloads/payload.bin").toFile(), "rw")) {
            raf.seek(victim * (long) PIECE + 5);
            raf.write(~content[victim * PIECE + 5]);
        }
        BitSet sample = new BitSet();
        sample.set(victim);
        try (PieceStore store = new PieceStore(meta, dir.resolve("downloads"), all, false)) {
            BitSet good = store.checkAfterUncleanStop(saved, plan().suspects(), sample);
            assertEquals(19, good.cardinality(), "the corrupt piece is not verified, the others are found again");
            assertTrue(!good.get(victim));
            long withData = Math.min(PIECES, Files.size(dir.resolve("downloads/payload.bin")) / PIECE);
            assertEquals(1 + withData, store.hashedPieces(), "the sample, then every piece inside the file");
        }
    }

    @Test
    void unchangedFilesAreTrustedWithoutHashing() throws Exception {
        Path file = dir.resolve("downloads/payload.bin");
        savedFingerprints = List.of(new StoredFingerprint(0, Files.size(file),
                Files.getLastModifiedTime(file).toMillis()));
        assertEquals(ResumePlan.Kind.TRUST, plan().kind());
    }
}
