package me.bittorrent.storage;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A file failure in words, path and reason. Java's own message is often the path alone: opening a file without
 * permission throws an {@link AccessDeniedException} whose message is just the file's name, so a torrent in error
 * said "could not open the files: /data/x.bin" without saying why (issue 11 item 11).
 */
public final class FileFailures {

    private FileFailures() {
    }

    /** "{path}: {reason}" for a file system failure anywhere in the causes, else the failure's own message. */
    public static String inWords(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException fs) {
                String reason = fs.getReason() != null ? fs.getReason() : reasonOf(fs);
                String where = fs.getFile() == null ? ""
                        : fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile());
                if (where.isEmpty()) {
                    return reason;
                }
                return where + ": " + reason;
            }
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    private static String reasonOf(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "it already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "the folder is not empty";
        }
        if (e instanceof FileSystemLoopException) {
            return "a loop of symbolic links";
        }
        return "file system error (" + e.getClass().getSimpleName() + ")";
    }
}
