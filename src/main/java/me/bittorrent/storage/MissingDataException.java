package me.bittorrent.storage;

import java.io.IOException;

/** The bytes asked for are not on disk (file absent or shorter than the torrent says). */
public final class MissingDataException extends IOException {
    public MissingDataException(String message) {
        super(message);
    }
}
