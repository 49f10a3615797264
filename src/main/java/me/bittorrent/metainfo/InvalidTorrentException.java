package me.bittorrent.metainfo;

/** A .torrent file that cannot be accepted; the message says what is wrong, in words fit for a user. */
public class InvalidTorrentException extends Exception {
    public InvalidTorrentException(String message) {
        super(message);
    }
}
