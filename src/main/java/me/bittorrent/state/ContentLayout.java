package me.bittorrent.state;

/**
 * Where a torrent's files go below its save path, as qBittorrent's "content layout" names it: ORIGINAL as the
 * torrent says (a multi-file torrent in a folder of its name, a single file on its own), SUBFOLDER (a single file
 * too gets a folder: its name without the extension), NO_SUBFOLDER (a multi-file torrent's top folder left out).
 * Fixed when the torrent is added.
 */
public enum ContentLayout {
    ORIGINAL, SUBFOLDER, NO_SUBFOLDER
}
