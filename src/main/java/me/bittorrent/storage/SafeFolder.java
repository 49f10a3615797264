package me.bittorrent.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The download folder and the rule that nothing is read or written outside it.
 *
 * <p>Two layers: {@link #resolve} refuses path elements that could climb out (checked when the store is built),
 * and {@link #realParent} walks the folders one by one at open time, so a symbolic link inside the download
 * folder that points elsewhere is refused before anything is created or written through it.
 */
final class SafeFolder {

    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path root;
    /** The real path of {@link #root}, known once the folder exists. */
    private Path rootReal;

    SafeFolder(Path downloadDir) {
        this.root = downloadDir.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** {@code root/e1/e2/...}, refusing any element that is empty, '.', '..', absolute or holds a separator. */
    Path resolve(List<String> elements) {
        if (elements.isEmpty()) {
            throw new IllegalArgumentException("a file of the torrent has an empty path");
        }
        Path p = root;
        for (String e : elements) {
            if (e == null || e.isEmpty() || e.equals(".") || e.equals("..") || e.indexOf('/') >= 0 || e.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("refusing unsafe file name '" + e + "' in the torrent");
            }
            Path step;
            try {
                step = root.getFileSystem().getPath(e);
            } catch (InvalidPathException ex) {
                throw new IllegalArgumentException("refusing unusable file name '" + e + "' in the torrent");
            }
            if (step.isAbsolute() || step.getNameCount() != 1) {
                throw new IllegalArgumentException("refusing unsafe file name '" + e + "' in the torrent");
            }
            p = p.resolve(step);
        }
        Path normal = p.normalize();
        if (!normal.startsWith(root) || normal.getNameCount() != root.getNameCount() + elements.size()) {
            throw new IllegalArgumentException("refusing a torrent path that leaves the download folder: "
                    + String.join("/", elements));
        }
        return normal;
    }

    /**
     * The real folder that holds {@code file} (a path from {@link #resolve}), every folder on the way checked to
     * stay inside the download folder. Creates missing folders when {@code create}; otherwise returns null when
     * one is missing.
     */
    Path realParent(Path file, boolean create) throws IOException {
        Path cur = rootReal(create);
        if (cur == null) {
            return null;
        }
        Path rel = root.relativize(file);
        for (int k = 0; k < rel.getNameCount() - 1; k++) {
            Path next = cur.resolve(rel.getName(k).toString());
            if (Files.isSymbolicLink(next)) {
                next = checkedTarget(next);
            }
            if (Files.isDirectory(next, NO_FOLLOW)) {
                cur = next;
                continue;
            }
            if (Files.exists(next, NO_FOLLOW)) {
                throw new IOException(next + " should be a folder but is a file");
            }
            if (!create) {
                return null;
            }
            try {
                Files.createDirectory(next);
            } catch (FileAlreadyExistsException raced) {
                // someone made it meanwhile; the next open checks it again
            }
            cur = next;
        }
        return cur;
    }

    /**
     * The path to open for {@code file}: under its checked real parent, and if the file itself is a symbolic
     * link, its target, which must exist and lie inside the download folder. Null when the parent is missing and
     * not {@code create}.
     */
    Path openable(Path file, boolean create) throws IOException {
        Path parent = realParent(file, create);
        if (parent == null) {
            return null;
        }
        Path target = parent.resolve(file.getFileName().toString());
        return Files.isSymbolicLink(target) ? checkedTarget(target) : target;
    }

    /** True when {@code dir} is a real folder (no link anywhere on its way) inside the download folder. */
    boolean isPlainFolder(Path dir) throws IOException {
        Path base = rootReal(false);
        if (base == null) {
            return false;
        }
        Path real = base.resolve(root.relativize(dir).toString());
        return Files.isDirectory(real, NO_FOLLOW) && real.toRealPath().equals(real);
    }

    /** The download folder's real path, created when {@code create}; null when it does not exist. */
    Path rootReal(boolean create) throws IOException {
        if (rootReal == null) {
            if (!Files.isDirectory(root)) {
                if (!create) {
                    return null;
                }
                Files.createDirectories(root);
            }
            rootReal = root.toRealPath();
        }
        return rootReal;
    }

    private Path checkedTarget(Path link) throws IOException {
        Path real;
        try {
            real = link.toRealPath();
        } catch (NoSuchFileException e) {
            throw new IOException("refusing " + link + ": it is a link to something that does not exist");
        }
        if (!real.startsWith(rootReal)) {
            throw new IOException("refusing " + link + ": it links to " + real + ", outside the download folder " + rootReal);
        }
        return real;
    }
}
