package me.bittorrent.state;

import java.util.Base64;
import java.util.BitSet;

/** BitSet to and from the BitTorrent bitfield layout (piece 0 = high bit of byte 0), base64 for JSON. */
public final class Bitfields {

    private Bitfields() {
    }

    public static byte[] toBytes(BitSet pieces, int pieceCount) {
        byte[] bits = new byte[(pieceCount + 7) / 8];
        for (int i = pieces.nextSetBit(0); i >= 0 && i < pieceCount; i = pieces.nextSetBit(i + 1)) {
            bits[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        }
        return bits;
    }

    public static BitSet fromBytes(byte[] bits, int pieceCount) {
        BitSet pieces = new BitSet(pieceCount);
        for (int i = 0; i < pieceCount && (i >>> 3) < bits.length; i++) {
            if ((bits[i >>> 3] & (0x80 >>> (i & 7))) != 0) {
                pieces.set(i);
            }
        }
        return pieces;
    }

    /** True when the bits past {@code pieceCount} (padding of the last byte) are all zero, as BEP 3 requires. */
    public static boolean spareBitsClear(byte[] bits, int pieceCount) {
        for (int i = pieceCount; i < bits.length * 8; i++) {
            if ((bits[i >>> 3] & (0x80 >>> (i & 7))) != 0) {
                return false;
            }
        }
        return true;
    }

    public static String toBase64(BitSet pieces, int pieceCount) {
        return Base64.getEncoder().encodeToString(toBytes(pieces, pieceCount));
    }

    /** An empty or malformed value is no verified piece: verification is redone rather than trusted. */
    public static BitSet fromBase64(String base64, int pieceCount) {
        if (base64 == null || base64.isEmpty()) {
            return new BitSet(pieceCount);
        }
        try {
            return fromBytes(Base64.getDecoder().decode(base64), pieceCount);
        } catch (IllegalArgumentException e) {
            return new BitSet(pieceCount);
        }
    }
}
