package me.bittorrent.metainfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import me.bittorrent.testing.TorrentBuilder;

/** comment, created by and creation date: read when sane, cleaned as remote text, left out when malformed. */
class MetainfoNotesTest {

    static TorrentMeta parse(Map<String, Object> top) throws Exception {
        top.put("info", MetainfoParserTest.validMultiFileInfo());
        return MetainfoParser.parse(TorrentBuilder.encode(top), MetainfoParserTest.LIMIT);
    }

    @Test
    void readCleanedAndCapped() throws Exception {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("comment", "Line one\r\nline two\u202e evil\u001b[31m");
        top.put("created by", "mktorrent 1.1");
        top.put("creation date", 1_700_000_000L);
        TorrentMeta meta = parse(top);
        assertEquals("Line one line two\uFFFD evil\uFFFD[31m", meta.notes().comment());
        assertEquals("mktorrent 1.1", meta.notes().createdBy());
        assertEquals(1_700_000_000L, meta.notes().creationDate());

        top = new LinkedHashMap<>();
        top.put("comment", "x".repeat(10_000));
        top.put("comment.utf-8", "y".repeat(10_000));
        meta = parse(top);
        assertTrue(meta.notes().comment().startsWith("yyy"), "comment.utf-8 is preferred");
        assertEquals(MetainfoParser.MAX_COMMENT_CHARS + 1, meta.notes().comment().length(), "capped with an ellipsis");
    }

    @Test
    void malformedNotesAreLeftOutNotFatal() throws Exception {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("comment", 42L);
        top.put("created by", Map.of("a", 1L));
        top.put("creation date", "yesterday");
        TorrentMeta meta = parse(top);
        assertNull(meta.notes().comment());
        assertNull(meta.notes().createdBy());
        assertNull(meta.notes().creationDate());
        assertEquals(TorrentMeta.Notes.NONE, parse(new LinkedHashMap<>()).notes());
    }
}
