package me.bittorrent.storage;

/**
 * What a file on disk looked like: lets the engine notice files changed behind its back.
 *
 * @param fileIndex      index into {@code TorrentMeta.files()}
 * @param size           bytes on disk, -1 when the file does not exist
 * @param modifiedMillis last modification time, -1 when the file does not exist
 */
public record FileFingerprint(int fileIndex, long size, long modifiedMillis) {

    public boolean exists() {
        return size >= 0;
    }
}
