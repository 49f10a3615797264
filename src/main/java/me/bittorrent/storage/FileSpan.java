package me.bittorrent.storage;

/**
 * The part of a byte range of a piece that falls in one file.
 *
 * @param fileIndex  index into {@code TorrentMeta.files()} (may be a padding file: callers check)
 * @param fileOffset where the span starts inside that file
 * @param pieceOffset where the span starts inside the piece (from the piece's first byte, not from the
 *                    start of the requested range)
 * @param length     bytes, always &gt; 0
 */
public record FileSpan(int fileIndex, long fileOffset, int pieceOffset, int length) {
}
