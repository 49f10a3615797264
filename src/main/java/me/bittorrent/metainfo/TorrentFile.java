package me.bittorrent.metainfo;

import java.util.List;

/**
 * One file of a torrent, in the order of the info dictionary.
 *
 * @param path    path elements below the torrent's folder (for a single-file torrent: just the name)
 * @param length  bytes
 * @param offset  where the file starts in the torrent's concatenated byte stream
 * @param padding a BEP 47 padding file: part of the piece layout, never shown nor written
 */
public record TorrentFile(List<String> path, long length, long offset, boolean padding) {

    public TorrentFile {
        path = List.copyOf(path);
    }

    /** The path as users see it, elements joined with '/'. */
    public String displayPath() {
        return String.join("/", path);
    }
}
