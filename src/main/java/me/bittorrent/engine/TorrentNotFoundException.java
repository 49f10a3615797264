package me.bittorrent.engine;

/** No torrent has this id. */
public class TorrentNotFoundException extends RuntimeException {
    public TorrentNotFoundException(String id) {
        super("Download not found");
        this.id = id;
    }

    private final String id;

    public String id() {
        return id;
    }
}
