package me.bittorrent.magnet;

import java.util.List;
import me.bittorrent.metainfo.InfoHash;

/**
 * A parsed BEP 9 magnet link.
 *
 * @param infoHash    the v1 info-hash ({@code xt=urn:btih:})
 * @param displayName {@code dn}, or null
 * @param trackers    every {@code tr}, in order, duplicates removed
 * @param peers       every {@code x.pe} peer address
 * @param selectedFiles BEP 53 {@code so} ranges of file indexes; empty means every file
 */
public record MagnetLink(InfoHash infoHash, String displayName, List<String> trackers, List<Peer> peers,
        List<FileRange> selectedFiles) {

    public MagnetLink {
        trackers = List.copyOf(trackers);
        peers = List.copyOf(peers);
        selectedFiles = List.copyOf(selectedFiles);
    }

    /** An {@code x.pe} peer: an IP literal or host name and a port. */
    public record Peer(String host, int port) {
    }

    /** File indexes {@code first..last}, both included. */
    public record FileRange(int first, int last) {

        public boolean contains(int index) {
            return index >= first && index <= last;
        }
    }

    /** Whether BEP 53 selects this file (true for all files when {@code so} is absent). */
    public boolean selects(int fileIndex) {
        return selectedFiles.isEmpty() || selectedFiles.stream().anyMatch(r -> r.contains(fileIndex));
    }
}
