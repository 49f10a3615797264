package me.bittorrent.engine.session;

import me.bittorrent.metainfo.PieceGeometry;

/** One request unit: {@code length} bytes at {@code begin} inside piece {@code piece}. */
public record Block(int piece, int begin, int length) {

    /** A compact key for hash sets of outstanding requests: piece in the high half, block index in the low. */
    public long key() {
        return key(piece, begin);
    }

    public static long key(int piece, int begin) {
        return ((long) piece << 32) | (begin / PieceGeometry.BLOCK_SIZE);
    }

    /** The piece of a {@link #key}. */
    public static int pieceOf(long key) {
        return (int) (key >>> 32);
    }

    /** The begin offset of a {@link #key}. */
    public static int beginOf(long key) {
        return (int) key * PieceGeometry.BLOCK_SIZE;
    }

    /** The block a {@link #key} names, with its length from the geometry. */
    public static Block fromKey(long key, PieceGeometry geometry) {
        int piece = pieceOf(key);
        int begin = beginOf(key);
        return new Block(piece, begin, geometry.blockLength(piece, begin / PieceGeometry.BLOCK_SIZE));
    }
}
