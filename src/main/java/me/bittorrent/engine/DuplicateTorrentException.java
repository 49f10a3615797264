package me.bittorrent.engine;

/** The torrent being added is already there. */
public class DuplicateTorrentException extends RuntimeException {
    private final String torrentId;

    public DuplicateTorrentException(String torrentId) {
        super("This torrent has already been added");
        this.torrentId = torrentId;
    }

    public String torrentId() {
        return torrentId;
    }
}
