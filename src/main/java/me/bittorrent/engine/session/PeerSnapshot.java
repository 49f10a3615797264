package me.bittorrent.engine.session;

/**
 * One connected peer as the user sees it (a copy taken on the engine context: safe on any thread). Speeds in
 * bytes/s over the last seconds, totals in payload bytes over this connection, progress in percent of the pieces.
 *
 * @param address host:port
 * @param client  the client name it sent (extension handshake), else the peer id's client prefix, else null
 * @param flags   qBittorrent's letters: D we download from it, d we want to but it chokes us, U we upload to it,
 *                u it wants to but we choke it, S snubbed (no block for a while), I it connected to us
 */
public record PeerSnapshot(String address, String client, String flags, double progress, long downloadSpeed,
        long uploadSpeed, long downloaded, long uploaded) {

    /** The client named by an Azureus-style peer id ("-LT2000-..." gives "LT2000"), else null. */
    static String clientOf(String peerIdHex) {
        if (peerIdHex == null || peerIdHex.length() < 16) {
            return null;
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            int c = Integer.parseInt(peerIdHex.substring(i, i + 2), 16);
            prefix.append((char) c);
        }
        if (prefix.charAt(0) != '-' || prefix.charAt(7) != '-') {
            return null;
        }
        String id = prefix.substring(1, 7);
        return id.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.') ? id : null;
    }
}
