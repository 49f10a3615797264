package me.bittorrent.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 item 11: "permission errors name only the path, not the reason". */
class FileFailuresTest {

    @TempDir
    Path tmp;

    @Test
    void javasPathOnlyFailuresGetTheirReasonInWords() {
        assertEquals("/data/x.bin: permission denied", FileFailures.inWords(new AccessDeniedException("/data/x.bin")));
        assertEquals("/data/x.bin: no such file or folder", FileFailures.inWords(new NoSuchFileException("/data/x.bin")));
        assertEquals("/a -> /b: Read-only file system",
                FileFailures.inWords(new FileSystemException("/a", "/b", "Read-only file system")));
        // wrapped, as a future or a stream hands it on
        assertEquals("/data/x.bin: permission denied", FileFailures.inWords(new CompletionException(
                new UncheckedIOException(new AccessDeniedException("/data/x.bin")))));
        assertEquals("disk on fire", FileFailures.inWords(new IOException("disk on fire")));
        assertEquals("IOException", FileFailures.inWords(new IOException()));
    }

    @Test
    void aRealFailureOfTheFileSystemReadsTheSame() throws Exception {
        Path file = tmp.resolve("gone").resolve("x.bin");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Files.newByteChannel(file).close());
        assertEquals(file + ": no such file or folder", FileFailures.inWords(e), "Java said: " + e.getMessage());
    }
}
