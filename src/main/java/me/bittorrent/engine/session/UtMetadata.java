package me.bittorrent.engine.session;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeException;
import me.bittorrent.bencode.BencodeLimits;

/**
 * BEP 9 ut_metadata messages (carried in BEP 10 extended messages): request, data, reject. A peer's message is
 * read with the bounded decoder; a data message is a dictionary followed by the raw piece bytes.
 */
final class UtMetadata {

    /** Our extended message id for ut_metadata (what peers use when they write to us). */
    static final int OUR_ID = 2;
    /** Metadata travels in pieces of 16 KiB (the last one shorter). */
    static final int PIECE_SIZE = 16 * 1024;
    /** The largest info dictionary we fetch or accept (libtorrent's default is 30 MiB; rqbit's 32). */
    static final int MAX_SIZE = 16 * 1024 * 1024;

    static final int REQUEST = 0, DATA = 1, REJECT = 2;

    /** A decoded message: {@code data} is empty except for DATA; {@code totalSize} -1 when absent. */
    record Message(int type, int piece, long totalSize, byte[] data) {
    }

    private UtMetadata() {
    }

    static int pieceCount(int size) {
        return (size + PIECE_SIZE - 1) / PIECE_SIZE;
    }

    static int pieceLength(int size, int piece) {
        return Math.min(PIECE_SIZE, size - piece * PIECE_SIZE);
    }

    static byte[] request(int piece) {
        return ("d8:msg_typei0e5:piecei" + piece + "ee").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] reject(int piece) {
        return ("d8:msg_typei2e5:piecei" + piece + "ee").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] data(int piece, byte[] metadata) {
        int from = piece * PIECE_SIZE;
        int length = pieceLength(metadata.length, piece);
        byte[] head = ("d8:msg_typei1e5:piecei" + piece + "e10:total_sizei" + metadata.length + "ee")
                .getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + length);
        out.write(head, 0, head.length);
        out.write(metadata, from, length);
        return out.toByteArray();
    }

    /** The message, or null when it is not a ut_metadata message we understand (the caller drops the peer). */
    static Message decode(byte[] payload) {
        BencodeDecoder.Decoded decoded;
        try {
            decoded = BencodeDecoder.decodePrefix(payload, 0, payload.length, BencodeLimits.PEER_MESSAGE);
        } catch (BencodeException | IllegalArgumentException e) {
            return null;
        }
        if (!(decoded.value() instanceof Map<?, ?>)) {
            return null;
        }
        Map<String, Object> dict = decoded.dictionary();
        if (!(dict.get("msg_type") instanceof Long type) || !(dict.get("piece") instanceof Long piece)
                || type < 0 || type > 2 || piece < 0 || piece >= pieceCount(MAX_SIZE)) {
            return null;
        }
        long total = dict.get("total_size") instanceof Long t ? t : -1;
        byte[] data = type == DATA ? Arrays.copyOfRange(payload, decoded.end(), payload.length) : new byte[0];
        if (type != DATA && decoded.end() != payload.length) {
            return null;
        }
        return new Message(type.intValue(), piece.intValue(), total, data);
    }
}
