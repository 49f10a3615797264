package me.bittorrent.bencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import me.bittorrent.bencode.BencodeException.Reason;
import org.junit.jupiter.api.Test;

/** The bounded decoder: values, spans, and every limit checked before anything is allocated for it. */
class BencodeDecoderTest {

    private static final BencodeLimits SMALL = new BencodeLimits(1024, 4, 20);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static BencodeException refusal(String input, BencodeLimits limits) {
        return assertThrows(BencodeException.class, () -> BencodeDecoder.decode(b(input), limits));
    }

    private static String text(Object value) {
        return StandardCharsets.UTF_8.decode(((ByteBuffer) value).duplicate()).toString();
    }

    @Test
    void decodesEveryKindOfValue() throws Exception {
        Map<String, Object> dict = BencodeDecoder.decodeDictionary(
                b("d1:ai-42e1:bl3:xyzi0ee1:cd1:di9223372036854775807eee"), SMALL);
        assertEquals(List.of("a", "b", "c"), List.copyOf(dict.keySet()));
        assertEquals(-42L, dict.get("a"));
        List<?> list = (List<?>) dict.get("b");
        assertEquals("xyz", text(list.get(0)));
        assertEquals(0L, list.get(1));
        assertEquals(Long.MAX_VALUE, ((Map<?, ?>) dict.get("c")).get("d"));
    }

    @Test
    void theBombsOfTheIssueAreRefusedWithoutAllocatingWhatTheyClaim() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String bomb : List.of("d1:v2000000000:x", "d5:peers2000000000:", "d1:v2147483647:", "l99999999:e")) {
            long before = threads.getCurrentThreadAllocatedBytes();
            BencodeException e = refusal(bomb, BencodeLimits.PEER_MESSAGE);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(Reason.MALFORMED, e.reason());
            assertTrue(e.detail().contains("runs past the end of the input"), e.detail());
            assertTrue(allocated < 1024 * 1024, bomb + " made the decoder allocate " + allocated + " bytes");
        }
        assertEquals("a string length is too large", refusal("d1:v4294967296:x", SMALL).detail());
    }

    @Test
    void stringsAreViewsOfTheInputNotCopies() throws Exception {
        byte[] input = b("d1:s5:hello1:t0:e");
        Map<String, Object> dict = BencodeDecoder.decodeDictionary(input, SMALL);
        ByteBuffer s = (ByteBuffer) dict.get("s");
        assertTrue(s.isReadOnly());
        assertEquals(5, s.remaining());
        assertEquals("hello", text(s));
        assertEquals(0, ((ByteBuffer) dict.get("t")).remaining());
    }

    @Test
    void depthItemsAndSizeAreCapped() throws Exception {
        BencodeDecoder.decode(b("llllee" + "ee"), SMALL); // four levels
        BencodeException deep = refusal("lllll" + "eeeee", SMALL);
        assertEquals(Reason.TOO_DEEP, deep.reason());
        assertEquals("values are nested more than 4 levels deep (at byte 4)", deep.getMessage());

        BencodeDecoder.decode(b("l" + "i0e".repeat(19) + "e"), SMALL); // 20 values with the list
        assertEquals(Reason.TOO_MANY_ITEMS, refusal("l" + "i0e".repeat(20) + "e", SMALL).reason());

        assertEquals(Reason.TOO_LARGE, refusal("l" + "0:".repeat(600) + "e", SMALL).reason());
    }

    @Test
    void deepNestingCannotOverflowTheStack() {
        String deep = "l".repeat(1_000_000) + "e".repeat(1_000_000);
        BencodeLimits huge = new BencodeLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(List.of(), unwrap(assertDoesNotFail(deep, huge), 999_999));
    }

    private static Object assertDoesNotFail(String input, BencodeLimits limits) {
        try {
            return BencodeDecoder.decode(b(input), limits).value();
        } catch (BencodeException e) {
            throw new AssertionError(e);
        }
    }

    private static Object unwrap(Object value, int levels) {
        for (int i = 0; i < levels; i++) {
            value = ((List<?>) value).get(0);
        }
        return value;
    }

    @Test
    void strictRulesKeepEveryReaderSeeingTheSameValues() {
        assertEquals("a dictionary has the same key twice (a) (at byte 7)", refusal("d1:ai1e1:ai2ee", SMALL).getMessage());
        assertEquals("an integer has a leading zero", refusal("i01e", SMALL).detail());
        assertEquals("an integer is \"-0\"", refusal("i-0e", SMALL).detail());
        assertEquals("an integer is too large", refusal("i9223372036854775808e", SMALL).detail());
        assertEquals("a dictionary key is not a string", refusal("di1ei2ee", SMALL).detail());
        assertEquals(Reason.TRAILING_DATA, refusal("i1ei2e", SMALL).reason());
        assertEquals("the input is empty", refusal("", SMALL).detail());
        assertEquals("unexpected character '\\x1b'", refusal("d1:a\u001be", SMALL).detail());
        // a key quoted in a message is cleaned: no control characters reach a log
        assertEquals("a dictionary has the same key twice (\uFFFD[2J) (at byte 10)",
                refusal("d4:\u001b[2Ji1e4:\u001b[2Ji2ee", SMALL).getMessage());
    }

    @Test
    void aPrefixIsDecodedAndTheRestLeftToTheCaller() throws Exception {
        byte[] message = b("xxd8:msg_typei1e5:piecei0eeRAWDATA");
        BencodeDecoder.Decoded decoded = BencodeDecoder.decodePrefix(message, 2, message.length - 2,
                BencodeLimits.PEER_MESSAGE);
        assertEquals(1L, decoded.dictionary().get("msg_type"));
        assertEquals("RAWDATA", new String(message, decoded.end(), message.length - decoded.end(),
                StandardCharsets.ISO_8859_1));
    }

    @Test
    void recordsTheRawSpansOfTopLevelValuesOnly() throws Exception {
        String info = "d4:infoi1e1:ali1eee";
        String input = "d8:announce3:url4:info" + info + "e";
        BencodeDecoder.Decoded decoded = BencodeDecoder.decode(b(input), BencodeLimits.TORRENT);
        BencodeDecoder.Span span = decoded.topLevelSpans().get("info");
        assertEquals(info, input.substring(span.start(), span.end()));
        assertEquals(new BencodeDecoder.Span(11, 16), decoded.topLevelSpans().get("announce"));
    }

    @Test
    void randomBytesOnlyEverGiveAValueOrABencodeException() {
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            byte[] input = new byte[random.nextInt(40)];
            for (int j = 0; j < input.length; j++) {
                input[j] = (byte) "dlie0123456789:-x".charAt(random.nextInt(17));
            }
            try {
                BencodeDecoder.decode(input, SMALL);
            } catch (BencodeException expected) {
                // refused in words
            }
        }
    }
}
