package me.bittorrent.metainfo;

import static me.bittorrent.metainfo.MetainfoParserTest.LIMIT;
import static me.bittorrent.metainfo.MetainfoParserTest.validMultiFileInfo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import me.bittorrent.testing.BencodeFuzzer;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the .torrent parser: every mutated file is either a torrent or refused with an
 * {@link InvalidTorrentException}; nothing else (no ClassCastException, no OutOfMemoryError, no stack overflow).
 */
class MetainfoFuzzTest {

    @Test
    void everyMutatedTorrentIsParsedOrRefusedInWords() {
        Map<String, Object> single = validMultiFileInfo();
        single.remove("files");
        single.put("name", "one.bin");
        single.put("length", 3L * 16384);
        List<byte[]> seeds = List.of(TorrentBuilder.torrentWithInfo(validMultiFileInfo()),
                TorrentBuilder.torrentWithInfo(single));
        BencodeFuzzer fuzzer = new BencodeFuzzer(20261201L, seeds);
        int iterations = BencodeFuzzer.iterations();
        int parsed = 0;
        for (int i = 0; i < iterations; i++) {
            byte[] input = fuzzer.next();
            try {
                MetainfoParser.parse(input, LIMIT);
                parsed++;
            } catch (InvalidTorrentException refused) {
                assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
            } catch (RuntimeException | Error e) {
                throw new AssertionError("input " + i + " (" + input.length + " bytes) broke the parser", e);
            }
        }
        // The mutations must reach past the bencode layer, or the fuzzing proves little about the parser.
        assertTrue(parsed > 0, "no mutated torrent was valid");
    }
}
