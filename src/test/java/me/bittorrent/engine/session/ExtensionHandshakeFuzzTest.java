package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import me.bittorrent.testing.BencodeFuzzer;
import me.bittorrent.text.RemoteText;
import org.junit.jupiter.api.Test;

/** A peer's extension handshake, hostile or fuzzed, costs at most its hints and never the event loop. */
class ExtensionHandshakeFuzzTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theTwentyByteBombIsIgnoredWithoutAllocating() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertEquals(-1, ExtensionHandshake.reqq(b("d1:v2000000000:x")));
        assertNull(ExtensionHandshake.client(b("d1:v2000000000:x")));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024 * 1024, "the bomb made the handshake parser allocate " + allocated + " bytes");
    }

    @Test
    void readsAnHonestHandshakeAndCleansTheClientName() {
        byte[] libtorrent = b("d1:md11:ut_metadatai2ee1:pi6881e4:reqqi250e1:v17:libtorrent 2.0.10e");
        assertEquals(250, ExtensionHandshake.reqq(libtorrent));
        assertEquals("libtorrent 2.0.10", ExtensionHandshake.client(libtorrent));
        assertEquals(500, ExtensionHandshake.reqq(ExtensionHandshake.ours(6881)));
        assertEquals("evil\uFFFD[31m\uFFFD\uFFFDINFO forged", ExtensionHandshake.client(
                b("d1:v22:evil\u001b[31m\r\nINFO forgede")));
        assertEquals(64 + 1, ExtensionHandshake.client(b("d1:v1000:" + "x".repeat(1000) + "e")).length());
    }

    @Test
    void everyMutatedHandshakeGivesAHintOrNothing() {
        List<byte[]> seeds = List.of(ExtensionHandshake.ours(6881),
                b("d1:md11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei31337e1:pi6881e4:reqqi250e1:v17:libtorrent"
                        + " 2.0.10"
                        + "6:yourip4:\u007f\0\0\1e"),
                b("d8:msg_typei1e5:piecei0e10:total_sizei16384ee"));
        BencodeFuzzer fuzzer = new BencodeFuzzer(20261203L, seeds);
        int iterations = BencodeFuzzer.iterations();
        for (int i = 0; i < iterations; i++) {
            byte[] input = fuzzer.next();
            try {
                int reqq = ExtensionHandshake.reqq(input);
                assertTrue(reqq == -1 || reqq >= 1 && reqq <= 100_000, "input " + i);
                assertTrue(RemoteText.isClean(ExtensionHandshake.client(input)), "input " + i);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("input " + i + " (" + input.length + " bytes) broke the handshake parser", e);
            }
        }
    }

    /** The two extension messages after the handshake: ut_pex (BEP 11) and ut_metadata (BEP 9). */
    @Test
    void everyMutatedPexOrMetadataMessageIsReadOrRefused() {
        List<byte[]> seeds = List.of(
                b("d5:added12:\u007f\0\0\1\u001a\u00e1\u007f\0\0\2\u001a\u00e27:added.f2:\0\u00027:dropped6:\n\0\0\1\0\1e"),
                b("d8:msg_typei0e5:piecei0ee"), b("d8:msg_typei2e5:piecei3ee"),
                b("d8:msg_typei1e5:piecei0e10:total_sizei20ee" + "x".repeat(20)));
        BencodeFuzzer fuzzer = new BencodeFuzzer(20261204L, seeds);
        int iterations = BencodeFuzzer.iterations();
        for (int i = 0; i < iterations; i++) {
            byte[] input = fuzzer.next();
            try {
                UtPex.Message pex = UtPex.decode(input);
                assertTrue(pex == null || pex.added().size() + pex.dropped().size() <= input.length / 6, "input " + i);
                UtMetadata.Message m = UtMetadata.decode(input);
                assertTrue(m == null || m.type() >= 0 && m.type() <= 2 && m.data().length <= input.length, "input " + i);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("input " + i + " (" + input.length + " bytes) broke a PEX/metadata parser", e);
            }
        }
    }
}
