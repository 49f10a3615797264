package me.bittorrent.engine;

/** One request unit: {@code length} bytes at {@code begin} inside piece {@code piece}. */
public record Block(int piece, int begin, int length) {

    /** A compact key for hash sets of outstanding requests: piece in the high half, block index in the low. */
    public long key() {
        return key(piece, begin);
    }

    public static long key(int piece, int begin) {
        return ((long) piece << 32) | (begin / PiecePicker.BLOCK_SIZE);
    }
}
