package me.bittorrent.engine;

/** The uploaded bytes are not a valid .torrent file (a 400 like any bad input; the qBittorrent API answers 415). */
public class InvalidTorrentFileException extends InvalidRequestException {
    public InvalidTorrentFileException(String message) {
        super(message);
    }
}
