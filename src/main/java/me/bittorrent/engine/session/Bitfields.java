package me.bittorrent.engine.session;

import java.util.BitSet;

/** The wire bitfield layout: bit i is the (i % 8)-th most significant bit of byte i / 8. */
final class Bitfields {

    private Bitfields() {
    }

    static byte[] toBytes(BitSet pieces, int pieceCount) {
        byte[] bits = new byte[(pieceCount + 7) / 8];
        for (int i = pieces.nextSetBit(0); i >= 0 && i < pieceCount; i = pieces.nextSetBit(i + 1)) {
            bits[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        }
        return bits;
    }

    static BitSet fromBytes(byte[] bits, int pieceCount) {
        BitSet pieces = new BitSet(pieceCount);
        for (int i = 0; i < pieceCount; i++) {
            if ((bits[i >>> 3] & (0x80 >>> (i & 7))) != 0) {
                pieces.set(i);
            }
        }
        return pieces;
    }

    static boolean spareBitsClear(byte[] bits, int pieceCount) {
        for (int i = pieceCount; i < bits.length * 8; i++) {
            if ((bits[i >>> 3] & (0x80 >>> (i & 7))) != 0) {
                return false;
            }
        }
        return true;
    }
}
