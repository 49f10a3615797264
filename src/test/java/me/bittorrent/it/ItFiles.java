package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import me.bittorrent.testing.TorrentBuilder;

/** Folders under target/it, payloads with awkward shapes, and sha256 comparisons of whole trees. */
final class ItFiles {

    private ItFiles() {
    }

    /** A fresh folder under target/it (kept for inspection; target/ is cleaned by the build). */
    static Path dir(String prefix) {
        try {
            Path base = Files.createDirectories(Path.of("target", "it").toAbsolutePath());
            return Files.createTempDirectory(base, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A multi-file payload at {@code root}: nested folders, sizes that are not multiples of the piece size (and
     * files smaller than one piece, so pieces span several files), and a zero-length file.
     */
    static Path multiFilePayload(Path root, long seed, int scale) {
        TorrentBuilder.randomFile(root.resolve("a.bin"), 3L * scale + 123, seed);
        TorrentBuilder.randomFile(root.resolve("docs/readme.txt"), 1000, seed + 1);
        TorrentBuilder.randomFile(root.resolve("docs/deep/er/x.dat"), 2L * scale + 4097, seed + 2);
        TorrentBuilder.randomFile(root.resolve("docs/deep/empty.txt"), 0, seed + 3);
        TorrentBuilder.randomFile(root.resolve("z/tail.bin"), scale - 1, seed + 4);
        return root;
    }

    /** Relative path (with '/') to sha256 of every regular, non-hidden file below root. */
    static Map<String, String> sha256Tree(Path root) {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .forEach(p -> sums.put(root.relativize(p).toString().replace('\\', '/'), sha256(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sums;
    }

    /** The same set of files with the same sha256 each. */
    static void assertSameTree(Path expected, Path actual) {
        assertEquals(sha256Tree(expected), sha256Tree(actual),
                "files (path to sha256) downloaded to " + actual + " versus the originals in " + expected);
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
