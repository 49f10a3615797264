package me.bittorrent.lsd;

import java.util.List;
import me.bittorrent.metainfo.InfoHash;

/**
 * One BT-SEARCH datagram: the sender's TCP peer port, the torrents it announces, and its cookie (null when it sent
 * none; a sender recognises its own packets by it, since multicast loops back to the sender).
 */
public record LsdAnnounce(int port, List<InfoHash> hashes, String cookie) {

    public LsdAnnounce {
        hashes = List.copyOf(hashes);
    }
}
