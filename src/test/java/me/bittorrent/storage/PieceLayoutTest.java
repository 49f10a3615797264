package me.bittorrent.storage;

import static me.bittorrent.storage.TestTorrent.file;
import static me.bittorrent.storage.TestTorrent.pad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import me.bittorrent.metainfo.TorrentMeta;
import org.junit.jupiter.api.Test;

class PieceLayoutTest {

    @Test
    void pieceSpanningThreeFiles() {
        TestTorrent t = TestTorrent.multi("t", 16, file(10, "a"), file(3, "b"), file(10, "c"));
        PieceLayout layout = new PieceLayout(t.meta());
        assertEquals(List.of(new FileSpan(0, 0, 0, 10), new FileSpan(1, 0, 10, 3), new FileSpan(2, 0, 13, 3)),
                layout.spans(0));
        assertEquals(List.of(new FileSpan(2, 3, 0, 7)), layout.spans(1));
    }

    @Test
    void blockInsidePieceGivesOffsetsFromPieceStart() {
        TestTorrent t = TestTorrent.multi("t", 16, file(10, "a"), file(3, "b"), file(10, "c"));
        PieceLayout layout = new PieceLayout(t.meta());
        assertEquals(List.of(new FileSpan(0, 8, 8, 2), new FileSpan(1, 0, 10, 3), new FileSpan(2, 0, 13, 1)),
                layout.spans(0, 8, 6));
        assertEquals(List.of(new FileSpan(1, 1, 11, 1)), layout.spans(0, 11, 1));
        assertEquals(List.of(), layout.spans(0, 4, 0));
    }

    @Test
    void zeroLengthFilesOwnNoBytes() {
        TestTorrent t = TestTorrent.multi("t", 8, file(0, "empty0"), file(5, "a"), file(0, "empty1"),
                file(0, "empty2"), file(7, "b"), file(0, "tail"));
        PieceLayout layout = new PieceLayout(t.meta());
        assertEquals(List.of(new FileSpan(1, 0, 0, 5), new FileSpan(4, 0, 5, 3)), layout.spans(0));
        assertEquals(List.of(new FileSpan(4, 3, 0, 4)), layout.spans(1));
        assertEquals(0, layout.firstPiece(2));
        assertEquals(-1, layout.lastPiece(2), "an empty file covers no piece");
        assertEquals(0, layout.firstPiece(4));
        assertEquals(1, layout.lastPiece(4));
    }

    @Test
    void lastPieceIsShort() {
        TestTorrent t = TestTorrent.single("s.bin", 8, 20);
        PieceLayout layout = new PieceLayout(t.meta());
        assertEquals(3, t.meta().pieceCount());
        assertEquals(List.of(new FileSpan(0, 16, 0, 4)), layout.spans(2));
        assertThrows(IllegalArgumentException.class, () -> layout.spans(2, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> layout.spans(3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> layout.spans(0, -1, 1));
        assertEquals(0, layout.firstPiece(0));
        assertEquals(2, layout.lastPiece(0));
    }

    @Test
    void paddingFilesAreSpansLikeAnyOther() {
        TestTorrent t = TestTorrent.multi("t", 8, file(5, "a"), pad(3), file(8, "b"), pad(8), file(2, "c"));
        PieceLayout layout = new PieceLayout(t.meta());
        assertEquals(List.of(new FileSpan(0, 0, 0, 5), new FileSpan(1, 0, 5, 3)), layout.spans(0));
        assertEquals(List.of(new FileSpan(2, 0, 0, 8)), layout.spans(1));
        assertEquals(List.of(new FileSpan(3, 0, 0, 8)), layout.spans(2));
        assertEquals(List.of(new FileSpan(4, 0, 0, 2)), layout.spans(3));
        assertEquals(1, layout.firstPiece(2));
        assertEquals(1, layout.lastPiece(2));
        assertEquals(3, layout.firstPiece(4));
    }

    @Test
    void fileSpanningManyPieces() {
        TestTorrent t = TestTorrent.multi("t", 4, file(3, "a"), file(10, "b"), file(1, "c"));
        PieceLayout layout = new PieceLayout(t.meta());
        assertEquals(0, layout.firstPiece(1));
        assertEquals(3, layout.lastPiece(1));
        assertEquals(List.of(new FileSpan(1, 5, 0, 4)), layout.spans(2));
        assertEquals(List.of(new FileSpan(1, 9, 0, 1), new FileSpan(2, 0, 1, 1)), layout.spans(3));
    }

    @Test
    void inconsistentTorrentIsRefused() {
        TorrentMeta ok = TestTorrent.multi("t", 8, file(5, "a"), file(7, "b")).meta();
        TorrentMeta badTotal = new TorrentMeta(ok.infoHash(), ok.name(), 8, ok.pieceHashes(), 13, ok.files(), true,
                List.of(), false, new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> new PieceLayout(badTotal));
        TorrentMeta badHashes = new TorrentMeta(ok.infoHash(), ok.name(), 8, new byte[60], 12, ok.files(), true,
                List.of(), false, new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> new PieceLayout(badHashes));
    }
}
