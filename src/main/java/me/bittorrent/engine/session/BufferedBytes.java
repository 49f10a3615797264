package me.bittorrent.engine.session;

/**
 * The memory a session holds for transfers at one instant (see STATE.md "Memory bounds").
 *
 * @param pieceBuffers   bytes of piece buffers still receiving blocks (a whole piece each, allocated at its first block)
 * @param pendingVerify  bytes of complete pieces waiting for their hash check or their write
 * @param requested      bytes requested from peers and not yet arrived (they will land in piece buffers)
 * @param uploadReads    bytes of disk reads in flight for uploads
 * @param uploadQueued   peer requests queued for upload (requests only, no data)
 */
public record BufferedBytes(long pieceBuffers, long pendingVerify, long requested, long uploadReads,
        int uploadQueued) {

    /** Bytes of payload held or about to be held: piece buffers, pieces waiting for the disk, upload reads. */
    public long held() {
        return pieceBuffers + pendingVerify + uploadReads;
    }
}
