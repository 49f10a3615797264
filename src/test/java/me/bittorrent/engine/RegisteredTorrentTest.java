package me.bittorrent.engine;

import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.Bitfields;
import me.bittorrent.state.StoredTorrent;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.state.TorrentSettings;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Status and per-file progress come from the verified pieces only. */
class RegisteredTorrentTest {

    private static RegisteredTorrent torrent(TorrentMeta meta, BitSet verified, String error) {
        StoredTorrent stored = new StoredTorrent(meta.infoHash().hex(), meta.name(), Instant.now(), "/dl",
                TorrentSettings.defaults(0), Map.of("b.bin", false), TorrentLifecycle.STOPPED,
                Bitfields.toBase64(verified, meta.pieceCount()), 0, 0, List.of(), error);
        return new RegisteredTorrent(meta, stored);
    }

    @Test
    void progressFollowsVerifiedPieces() throws Exception {
        Path root = Payloads.tempDir("payload").resolve("t");
        Payloads.file(root.resolve("a.bin"), 20000); // bytes 0..20000: pieces 0 and 1
        Payloads.file(root.resolve("b.bin"), 12768); // bytes 20000..32768: piece 1
        TorrentMeta meta = MetainfoParser.parse(TorrentBuilder.of(root).pieceLength(16384).build(), 1 << 20);
        assertEquals(2, meta.pieceCount());

        BitSet first = new BitSet();
        first.set(0);
        RegisteredTorrent half = torrent(meta, first, null);
        TorrentStatus status = half.status();
        assertEquals("stopped", status.state());
        assertEquals(1, status.downloadedPieces());
        assertEquals(16384, status.downloadedSize());
        assertEquals(81.92, status.progress(), "progress counts the selected files only (b.bin is not)");
        assertEquals(20000, status.selectedSize(), "the size of what is downloaded: a.bin only");
        assertEquals(32768, status.totalSize());
        assertFalse(status.completed());
        List<FileStatus> files = half.files();
        assertEquals(new FileStatus("a.bin", 20000, true, 81.92), files.get(0));
        assertEquals(new FileStatus("b.bin", 12768, false, 0.0), files.get(1));

        BitSet all = new BitSet();
        all.set(0, 2);
        RegisteredTorrent done = torrent(meta, all, null);
        assertTrue(done.status().completed());
        assertEquals(100.0, done.files().get(1).progress());

        assertEquals("error", torrent(meta, all, "broken").status().state());
    }

    @Test
    void aZeroLengthFileIsCompleteFromTheStart() throws Exception {
        Path root = Payloads.tempDir("payload").resolve("t");
        Payloads.file(root.resolve("a.bin"), 20000);
        Payloads.file(root.resolve("empty.txt"), 0);
        TorrentMeta meta = MetainfoParser.parse(TorrentBuilder.of(root).pieceLength(16384).build(), 1 << 20);
        List<FileStatus> files = torrent(meta, new BitSet(), null).files();
        assertEquals(0.0, files.get(0).progress());
        assertEquals(new FileStatus("empty.txt", 0, true, 100.0), files.get(1));
    }

    @Test
    void settingsUpdatesMergeAndRefuseNegatives() {
        TorrentSettings base = TorrentSettings.defaults(7);
        TorrentSettings merged = new SettingsUpdate(null, 3L, 10, null, true, null, null).applyTo(base);
        assertEquals(new TorrentSettings(7, 3, 10, 100, true, false, false), merged);
        assertThrows(InvalidRequestException.class,
                () -> new SettingsUpdate(-1L, null, null, null, null, null, null).applyTo(base));
        assertThrows(InvalidRequestException.class,
                () -> new SettingsUpdate(null, null, 0, null, null, null, null).applyTo(base));
        assertThrows(InvalidRequestException.class,
                () -> new SettingsUpdate(null, null, null, -4, null, null, null).applyTo(base));
    }

    /** Issue 11 item 11: right after a restart, a torrent that will resume never reads "stopped". */
    @Test
    void aTorrentThatWantsToRunReadsCheckingOrQueuedWithItsReasonBeforeItsSessionExists() throws Exception {
        Path root = Payloads.tempDir("intent").resolve("t");
        Payloads.file(root.resolve("a.bin"), 20000);
        TorrentMeta meta = MetainfoParser.parse(TorrentBuilder.of(root).pieceLength(16384).build(), 1 << 20);
        RegisteredTorrent stopped = torrent(meta, new BitSet(), null);
        for (TorrentLifecycle wants : List.of(TorrentLifecycle.DOWNLOADING, TorrentLifecycle.SEEDING)) {
            RegisteredTorrent loaded = new RegisteredTorrent(meta, stopped.stored().withLifecycle(wants));
            assertEquals("checking", loaded.status().state());
            assertEquals(null, loaded.status().stateReason());
            GlobalSettings global = new GlobalSettings(0, 0, 3, 6881, TorrentSettings.defaults(0), false);
            TorrentStatus queued = loaded.status(null, true, global);
            assertEquals("queued", queued.state());
            assertEquals("waiting: 3 downloads already active (max active downloads = 3)", queued.stateReason());
        }
        assertEquals("stopped", stopped.status().state());
    }
}
