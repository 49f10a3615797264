package me.bittorrent.state;

/**
 * One torrent as found in the state folder at start-up.
 *
 * @param id           the id taken from the file names
 * @param torrentBytes the .torrent bytes, or null when they could not be read
 * @param stored       the saved state, or null when it could not be read
 * @param problem      why this torrent cannot be restored as it was, in user words, or null when both were read
 */
public record LoadedTorrent(String id, byte[] torrentBytes, StoredTorrent stored, String problem) {
}
