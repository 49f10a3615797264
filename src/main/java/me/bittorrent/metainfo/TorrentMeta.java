package me.bittorrent.metainfo;

import java.util.List;

/**
 * A validated BitTorrent v1 metainfo file.
 *
 * @param infoHash      SHA-1 over the raw bytes of the info dictionary as they stand in the file
 * @param name          the suggested name (name.utf-8 preferred)
 * @param pieceLength   bytes per piece (the last piece may be shorter)
 * @param pieceHashes   20 bytes per piece, concatenated
 * @param totalLength   sum of all file lengths, padding files included
 * @param files         every file in info-dict order, padding files included; one entry for a single-file torrent
 * @param multiFile     true when the info dictionary has a 'files' list
 * @param announceTiers BEP 12 tiers; a lone 'announce' becomes one tier of one URL
 * @param isPrivate     BEP 27 private flag
 * @param torrentBytes  the .torrent file exactly as received
 * @param notes         comment, created by and creation date from outside the info dictionary (cleaned, capped)
 */
public record TorrentMeta(
        InfoHash infoHash,
        String name,
        int pieceLength,
        byte[] pieceHashes,
        long totalLength,
        List<TorrentFile> files,
        boolean multiFile,
        List<List<String>> announceTiers,
        boolean isPrivate,
        byte[] torrentBytes,
        Notes notes) {

    /**
     * What the torrent's author wrote beside the info dictionary, as remote text (cleaned and capped); null when
     * absent.
     *
     * @param comment      the {@code comment} (comment.utf-8 preferred)
     * @param createdBy    the {@code created by}
     * @param creationDate the {@code creation date}, seconds since 1970
     */
    public record Notes(String comment, String createdBy, Long creationDate) {
        public static final Notes NONE = new Notes(null, null, null);
    }

    /** Without notes. */
    public TorrentMeta(InfoHash infoHash, String name, int pieceLength, byte[] pieceHashes, long totalLength,
            List<TorrentFile> files, boolean multiFile, List<List<String>> announceTiers, boolean isPrivate,
            byte[] torrentBytes) {
        this(infoHash, name, pieceLength, pieceHashes, totalLength, files, multiFile, announceTiers, isPrivate,
                torrentBytes, Notes.NONE);
    }

    public TorrentMeta {
        notes = notes == null ? Notes.NONE : notes;
        files = List.copyOf(files);
        announceTiers = announceTiers.stream().map(List::copyOf).toList();
    }

    public int pieceCount() {
        return pieceHashes.length / 20;
    }

    /** Where pieces and blocks lie (sizes, offsets, block checks). */
    public PieceGeometry geometry() {
        return new PieceGeometry(pieceLength, totalLength);
    }

    /** Length of piece {@code index}: pieceLength, except for the last piece. */
    public int pieceSize(int index) {
        return geometry().pieceSize(index);
    }

    /** True when {@code digest} is the expected SHA-1 of piece {@code index}. */
    public boolean pieceHashEquals(int index, byte[] digest) {
        int base = index * 20;
        for (int i = 0; i < 20; i++) {
            if (pieceHashes[base + i] != digest[i]) {
                return false;
            }
        }
        return true;
    }

    /** Files a user sees: all but BEP 47 padding files. */
    public List<TorrentFile> visibleFiles() {
        return files.stream().filter(f -> !f.padding()).toList();
    }
}
