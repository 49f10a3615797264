package me.bittorrent.tracker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import me.bittorrent.testing.BencodeFuzzer;
import org.junit.jupiter.api.Test;

/** Fuzzes tracker replies: each is an answer or a TrackerException, and any text kept from it is clean. */
class AnnounceReplyFuzzTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyMutatedReplyIsReadOrRefused() {
        List<byte[]> seeds = List.of(
                b("d8:completei5e10:incompletei3e8:intervali1800e12:min intervali60e5:peers12:\u007f\0\0\1\u001a\u00e1"
                        + "\u007f\0\0\2\u001a\u00e2e"),
                b("d8:intervali900e5:peersld2:ip9:127.0.0.14:porti6881e7:peer id20:-XX0001-abcdefghijklee"
                        + "6:peers618:\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1\u001a\u00e1e"),
                b("d14:failure reason17:torrent not founde"),
                b("d15:warning message9:slow down8:intervali60e5:peers0:e"));
        BencodeFuzzer fuzzer = new BencodeFuzzer(20261202L, seeds);
        int iterations = BencodeFuzzer.iterations();
        int answers = 0;
        for (int i = 0; i < iterations; i++) {
            byte[] input = fuzzer.next();
            try {
                AnnounceResponse reply = AnnounceReplyParser.parse(input);
                answers++;
                assertTrue(me.bittorrent.text.RemoteText.isClean(reply.warning()), "input " + i);
            } catch (TrackerException refused) {
                assertTrue(me.bittorrent.text.RemoteText.isClean(refused.getMessage()), "input " + i);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("input " + i + " (" + input.length + " bytes) broke the reply parser", e);
            }
        }
        assertTrue(answers > 0, "no mutated reply was readable");
    }
}
