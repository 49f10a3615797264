package me.bittorrent.engine;

/**
 * Which pieces of a torrent are verified: {@code bitfield} is the BitTorrent bitfield (piece 0 is the high bit of
 * the first byte) in base64, {@code pieces} long; {@code verified} counts the set bits; {@code pieceLength}
 * in bytes (the last piece may be shorter).
 */
public record PieceMap(int pieces, int pieceLength, int verified, String bitfield) {
}
