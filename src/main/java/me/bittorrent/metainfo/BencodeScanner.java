package me.bittorrent.metainfo;

import java.util.Map;

import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeException;
import me.bittorrent.bencode.BencodeLimits;

/**
 * Reads a .torrent file with the bounded {@link BencodeDecoder} and words its errors for a user who uploaded a
 * file. The info-hash needs the raw span of the top-level {@code info} value, which the decoder records.
 * Trailing ASCII whitespace after the dictionary is ignored (libtorrent loads such files; several of its own test
 * torrents end with a newline); any other trailing data is refused.
 */
final class BencodeScanner {

    static final int MAX_DEPTH = BencodeLimits.TORRENT.maxDepth();
    static final int MAX_TOKENS = BencodeLimits.TORRENT.maxItems();

    /** Bytes [start, end) of a value. */
    record Span(int start, int end) {
    }

    /** A decoded .torrent: its top-level dictionary and the span of its info value (null when absent). */
    record Torrent(Map<String, Object> top, Span info) {
    }

    private BencodeScanner() {
    }

    /** The raw span of the top-level {@code info} value, or null when there is none. */
    static Span scanTorrent(byte[] data) throws InvalidTorrentException {
        return decodeTorrent(data).info();
    }

    static Torrent decodeTorrent(byte[] data) throws InvalidTorrentException {
        if (data.length == 0) {
            throw new InvalidTorrentException("The .torrent file is empty");
        }
        BencodeDecoder.Decoded decoded;
        try {
            decoded = BencodeDecoder.decodePrefix(data, 0, data.length, BencodeLimits.TORRENT);
        } catch (BencodeException e) {
            throw inUserWords(e);
        }
        for (int i = decoded.end(); i < data.length; i++) {
            if (!isWhitespace(data[i])) {
                throw new InvalidTorrentException("The .torrent file has extra data after its end (at byte "
                        + decoded.end() + ")");
            }
        }
        if (!(decoded.value() instanceof Map<?, ?>)) {
            throw new InvalidTorrentException("The .torrent file does not hold a dictionary at the top level");
        }
        BencodeDecoder.Span info = decoded.topLevelSpans().get("info");
        return new Torrent(decoded.dictionary(), info == null ? null : new Span(info.start(), info.end()));
    }

    private static boolean isWhitespace(byte b) {
        return b == '\n' || b == '\r' || b == ' ' || b == '\t';
    }

    private static InvalidTorrentException inUserWords(BencodeException e) {
        return new InvalidTorrentException(switch (e.reason()) {
            case TOO_DEEP -> "The .torrent file is nested more than " + MAX_DEPTH + " levels deep";
            case TOO_MANY_ITEMS -> "The .torrent file has more than " + MAX_TOKENS + " bencode items";
            case TOO_LARGE -> "The .torrent file is too large";
            case MALFORMED, TRAILING_DATA -> "The .torrent file is not valid bencode: " + e.detail() + " (at byte "
                    + e.at() + ")";
        });
    }
}
