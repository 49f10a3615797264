package me.bittorrent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test helper: real files with random content to make torrents from. */
public final class Payloads {

    private static final Random RANDOM = new Random();

    private Payloads() {
    }

    /** Writes {@code size} random bytes at {@code file} (parents created) and returns it. */
    public static Path file(Path file, int size) {
        try {
            Files.createDirectories(file.getParent());
            byte[] content = new byte[size];
            RANDOM.nextBytes(content);
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh temp folder. */
    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
