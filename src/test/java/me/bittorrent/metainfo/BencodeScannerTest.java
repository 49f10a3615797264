package me.bittorrent.metainfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strict bencode walk: structure errors with their messages, limits, and the raw span of 'info'. */
class BencodeScannerTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String rejection(String input) {
        return assertThrows(InvalidTorrentException.class, () -> BencodeScanner.scanTorrent(b(input))).getMessage();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "hello                        | The .torrent file is not valid bencode: unexpected character 'h' (at byte 0)",
        "d1:ai03ee                    | The .torrent file is not valid bencode: an integer has a leading zero (at byte 4)",
        "d1:ai-0ee                    | The .torrent file is not valid bencode: an integer is \"-0\" (at byte 4)",
        "d1:ai00ee                    | an integer has a leading zero",
        "d1:ai-ee                     | an integer has no digits",
        "d1:aiee                      | an integer has no digits",
        "d1:ai1x2ee                   | an integer contains 'x'",
        "d1:ai9223372036854775808ee   | an integer is too large",
        "d1:ai99999999999999999999ee  | an integer is too large",
        "d1:a99999999999:xe           | a string length is too large",
        "d1:a10:abce                  | a string of 10 bytes runs past the end of the input",
        "d1:a03:abce                  | a string length has a leading zero",
        "d1:a3x:abce                  | a string length contains 'x'",
        "d1:ad                        | the input ends in the middle of a value",
        "d1:a                         | the input ends in the middle of a value",
        "di1ei2ee                     | a dictionary key is not a string",
        "d1:ae                        | a dictionary key has no value",
        "d1:ai1e1:ai2ee               | a dictionary has the same key twice (a)",
        "d1:ai1eede                   | The .torrent file has extra data after its end (at byte 8)",
        "d1:ai1eegarbage              | The .torrent file has extra data after its end (at byte 8)",
        "li1ee                        | The .torrent file does not hold a dictionary at the top level",
        "4:spam                       | The .torrent file does not hold a dictionary at the top level",
        "i42e                         | The .torrent file does not hold a dictionary at the top level",
        "e                            | unexpected character 'e'",
    })
    void rejectsMalformedBencodeInPlainWords(String input, String expected) {
        String message = rejection(input.strip());
        if (!message.contains(expected)) {
            assertEquals(expected, message);
        }
    }

    @Test
    void rejectsEmptyInput() {
        assertEquals("The .torrent file is empty", rejection(""));
    }

    @Test
    void acceptsExtremeButValidIntegers() throws Exception {
        assertNull(BencodeScanner.scanTorrent(b("d1:ai-9223372036854775808e1:bi9223372036854775807e1:ci0ee")));
    }

    @Test
    void nestingIsLimitedTo100Levels() throws Exception {
        // The top-level dictionary is level 1: 99 lists inside it are fine, 100 are one too many.
        BencodeScanner.scanTorrent(b("d1:a" + "l".repeat(99) + "e".repeat(99) + "e"));
        assertEquals("The .torrent file is nested more than 100 levels deep",
                rejection("d1:a" + "l".repeat(100) + "e".repeat(100) + "e"));
    }

    @Test
    void itemCountIsLimitedTo2Million() throws Exception {
        // Items: the dictionary, its key, the list, then the integers.
        BencodeScanner.scanTorrent(b("d1:al" + "i0e".repeat(2_000_000 - 3) + "ee"));
        assertEquals("The .torrent file has more than 2000000 bencode items",
                rejection("d1:al" + "i0e".repeat(2_000_000 - 2) + "ee"));
    }

    @Test
    void findsTheRawSpanOfTheTopLevelInfoValueEvenWhenKeysAreUnsorted() throws Exception {
        String info = "d4:zzzzi1e1:ali1ei2ee4:infoi3ee";
        String input = "d8:announce3:url4:info" + info + "7:comment2:hie";
        BencodeScanner.Span span = BencodeScanner.scanTorrent(b(input));
        assertEquals(info, input.substring(span.start(), span.end()));
    }

    @Test
    void aScalarInfoValueHasASpanToo() throws Exception {
        BencodeScanner.Span span = BencodeScanner.scanTorrent(b("d4:infoi7ee"));
        assertEquals(new BencodeScanner.Span(7, 10), span);
    }

    @Test
    void infoInsideANestedDictionaryIsNotTheTorrentsInfo() throws Exception {
        assertNull(BencodeScanner.scanTorrent(b("d1:ad4:infod1:xi1eeee")));
    }
}
