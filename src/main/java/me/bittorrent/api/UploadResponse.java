package me.bittorrent.api;

import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;

import java.util.List;

/**
 * The answer to POST /upload. {@code files} is empty for a single-file torrent, as in the original spec, and for a
 * magnet link (pieces and total_size 0 too) until its metadata arrived.
 */
public record UploadResponse(
        String message,
        String torrentId,
        String name,
        int pieces,
        long totalSize,
        boolean isMultiFile,
        List<UploadedFile> files) {

    public record UploadedFile(String path, long size, boolean selected) {
    }

    static UploadResponse of(RegisteredTorrent torrent) {
        TorrentMeta meta = torrent.meta();
        if (meta == null) { // a magnet link: its files are known once its metadata arrived
            return new UploadResponse("Magnet link added", torrent.id(), torrent.name(), 0, 0, false, List.of());
        }
        List<UploadedFile> files = !meta.multiFile() ? List.of() : meta.visibleFiles().stream()
                .map((TorrentFile file) -> new UploadedFile(file.displayPath(), file.length(), torrent.isSelected(file)))
                .toList();
        return new UploadResponse("Torrent added", torrent.id(), torrent.name(), meta.pieceCount(),
                meta.totalLength(), meta.multiFile(), files);
    }
}
