package me.bittorrent.metainfo;

/**
 * Where pieces and blocks lie in a torrent: the one place their sizes and offsets are computed (libtorrent's
 * {@code file_storage::piece_size} and {@code map_block}). Every piece is {@code pieceLength} bytes except the
 * last; every block is {@link #BLOCK_SIZE} bytes except the last of a piece.
 *
 * @param pieceLength bytes per piece (positive: the parser and PieceLayout reject anything else)
 * @param totalLength bytes of the whole torrent, padding files included
 */
public record PieceGeometry(int pieceLength, long totalLength) {

    /** The request unit every client uses (16 KiB). */
    public static final int BLOCK_SIZE = 16 * 1024;

    public static PieceGeometry of(TorrentMeta meta) {
        return new PieceGeometry(meta.pieceLength(), meta.totalLength());
    }

    public int pieceCount() {
        return (int) ((totalLength + pieceLength - 1) / pieceLength);
    }

    public boolean validPiece(int piece) {
        return piece >= 0 && piece < pieceCount();
    }

    /** Offset of the piece's first byte in the torrent. */
    public long pieceStart(int piece) {
        return (long) piece * pieceLength;
    }

    /** Length of {@code piece}: pieceLength, except for the last piece. */
    public int pieceSize(int piece) {
        return (int) Math.min(pieceLength, totalLength - pieceStart(piece));
    }

    public int blockCount(int piece) {
        return (pieceSize(piece) + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    /** Blocks in a full-length piece. */
    public int blocksPerPiece() {
        return (pieceLength + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    public int blockLength(int piece, int block) {
        return Math.min(BLOCK_SIZE, pieceSize(piece) - block * BLOCK_SIZE);
    }

    /**
     * The index of the block when ({@code piece}, {@code begin}, {@code length}) is exactly one of the piece's
     * blocks, else -1: the one check of received data at the boundary (rqbit's
     * {@code chunk_info_from_received_data}).
     */
    public int blockIndex(int piece, int begin, int length) {
        if (!validPiece(piece) || begin < 0 || begin % BLOCK_SIZE != 0) {
            return -1;
        }
        int block = begin / BLOCK_SIZE;
        return block < blockCount(piece) && length == blockLength(piece, block) ? block : -1;
    }

    /** True when {@code [begin, begin + length)} is a non-empty range inside {@code piece}. */
    public boolean inPiece(int piece, int begin, int length) {
        return validPiece(piece) && begin >= 0 && length > 0 && (long) begin + length <= pieceSize(piece);
    }

    /** The piece holding byte {@code offset} of the torrent. */
    public int pieceAt(long offset) {
        return (int) (offset / pieceLength);
    }

    /** The last piece holding a byte of the non-empty range {@code [offset, offset + length)}. */
    public int lastPieceOf(long offset, long length) {
        return pieceAt(offset + length - 1);
    }

    /** Bytes of {@code [offset, offset + length)} that lie in the pieces of {@code pieces} (e.g. a file's verified bytes). */
    public long bytesIn(java.util.BitSet pieces, long offset, long length) {
        if (length <= 0) {
            return 0;
        }
        long end = offset + length;
        int last = lastPieceOf(offset, length);
        long bytes = 0;
        for (int p = pieces.nextSetBit(pieceAt(offset)); p >= 0 && p <= last; p = pieces.nextSetBit(p + 1)) {
            long start = pieceStart(p);
            bytes += Math.min(end, start + pieceSize(p)) - Math.max(offset, start);
        }
        return bytes;
    }
}
