package me.bittorrent.state;

/**
 * Size and modification time of one file when its pieces were last verified, so a restart can tell whether the
 * verified pieces still stand. {@code size} is -1 for a file that did not exist.
 */
public record StoredFingerprint(int fileIndex, long size, long modifiedMillis) {
}
