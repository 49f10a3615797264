package me.bittorrent.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Crash-safe file replacement (BLOCKING, call from a worker thread): a reader, even after kill -9 or a power
 * loss, finds either the old content or the new one, never a mix or a truncated file. {@link #writeLazily} keeps
 * that promise for kill -9 only.
 */
public final class AtomicFiles {

    /** Temp files carry this suffix; a leftover one is from an interrupted write and is deleted at start-up. */
    public static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, content, false, true);
    }

    /**
     * Replaces {@code target} by a rename without forcing anything to the disk: after kill -9 a reader finds the
     * old content or the new one, after a power loss possibly a truncated file (on file systems that do not write
     * a renamed file's data first), so only for what can be lost. Why not always force: each force is a cache
     * flush of the disk, and on a virtual disk a flush held every direct write of a download for 250-350 ms.
     */
    public static void writeLazily(Path target, byte[] content) throws IOException {
        write(target, content, false, false);
    }

    /** As {@link #write(Path, byte[])}, readable by the owner only (mode 600 where POSIX): for secrets. */
    public static void writePrivate(Path target, byte[] content) throws IOException {
        write(target, content, true, true);
    }

    private static void write(Path target, byte[] content, boolean ownerOnly, boolean durable) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Same folder as the target: a rename within one file system is atomic.
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            // the temp file is created with its final mode, so the secret is never readable by others, not even briefly
            FileAttribute<?>[] mode = ownerOnly && supportsPosix(dir)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0];
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (durable) {
                    channel.force(true);
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        if (durable) {
            syncDirectory(dir);
        }
    }

    private static boolean supportsPosix(Path dir) throws IOException {
        return Files.getFileStore(dir).supportsFileAttributeView("posix");
    }

    /** Deletes {@code target} if present and makes the deletion durable. */
    public static void delete(Path target) throws IOException {
        if (Files.deleteIfExists(target)) {
            syncDirectory(target.toAbsolutePath().getParent());
        }
    }

    /** Makes a rename durable. Some platforms (Windows) cannot open a folder; there the rename stands on its own. */
    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here: nothing more can be done
        }
    }
}
