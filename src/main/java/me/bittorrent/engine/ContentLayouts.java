package me.bittorrent.engine;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.ContentLayout;

import java.util.List;

/**
 * A torrent as its files are laid out on disk under a {@link ContentLayout} (qBittorrent's rules): the same
 * info-hash, pieces and .torrent bytes, with the name and folder flag the storage uses to place files. A multi-file
 * torrent without its top folder reads as "not multi-file" (its files straight in the save path); a single file
 * with a folder reads as a one-file torrent in a folder named after the file without its extension. File paths
 * (and so file selections) stay as they are.
 */
final class ContentLayouts {

    private ContentLayouts() {
    }

    static TorrentMeta placed(TorrentMeta meta, ContentLayout layout) {
        if (meta == null || layout == null || layout == ContentLayout.ORIGINAL) {
            return meta;
        }
        if (layout == ContentLayout.NO_SUBFOLDER && meta.multiFile()) {
            return copy(meta, meta.name(), false);
        }
        if (layout == ContentLayout.SUBFOLDER && !meta.multiFile()) {
            return copy(meta, folderOf(meta.name()), true);
        }
        return meta;
    }

    /** qBittorrent's folder for a single file: its name without the extension (the whole name when it has none). */
    static String folderOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    private static TorrentMeta copy(TorrentMeta meta, String name, boolean multiFile) {
        List<TorrentFile> files = meta.files();
        return new TorrentMeta(meta.infoHash(), name, meta.pieceLength(), meta.pieceHashes(), meta.totalLength(),
                files, multiFile, meta.announceTiers(), meta.isPrivate(), meta.torrentBytes());
    }
}
