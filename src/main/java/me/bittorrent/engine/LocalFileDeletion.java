package me.bittorrent.engine;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * Deletes a removed torrent's own files (BLOCKING, run on a worker): single file {@code <dir>/<name>}, multi-file
 * {@code <dir>/<name>/<path...>}, then the folders that this left empty, up to and including {@code <dir>/<name>}.
 * Nothing outside {@code <dir>/<name>} is touched and symbolic links are removed, never followed.
 * TODO(storage): replace with PieceStore.deleteFiles once the storage package lands.
 */
final class LocalFileDeletion {

    private static final Logger LOG = Logger.getLogger(LocalFileDeletion.class);

    private LocalFileDeletion() {
    }

    /** Returns how many files were deleted. */
    static int deleteFiles(TorrentMeta meta, Path downloadDir) throws IOException {
        Path base = downloadDir.toAbsolutePath().normalize();
        Path root = base.resolve(meta.name()).normalize();
        if (!root.startsWith(base) || root.equals(base)) {
            throw new IOException("the torrent's name points outside the download folder");
        }
        int deleted = 0;
        TreeSet<Path> folders = new TreeSet<>(Comparator.comparingInt(Path::getNameCount).reversed()
                .thenComparing(Comparator.naturalOrder()));
        for (TorrentFile file : meta.files()) {
            if (file.padding()) {
                continue;
            }
            Path path = meta.multiFile() ? resolveInside(root, file) : root;
            if (path == null) {
                LOG.warnf("Not deleting %s: it is not inside %s", file.displayPath(), root);
                continue;
            }
            if (Files.deleteIfExists(path)) {
                deleted++;
            }
            for (Path parent = path.getParent(); parent != null && parent.startsWith(root); parent = parent.getParent()) {
                folders.add(parent);
            }
        }
        for (Path folder : folders) { // deepest first
            if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.delete(folder);
                } catch (DirectoryNotEmptyException e) {
                    // something else lives there: keep it
                }
            }
        }
        return deleted;
    }

    private static Path resolveInside(Path root, TorrentFile file) {
        Path path = root;
        for (String element : file.path()) {
            path = path.resolve(element);
        }
        path = path.normalize();
        return path.startsWith(root) && !path.equals(root) ? path : null;
    }
}
