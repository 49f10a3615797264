package me.bittorrent.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Asks the real libtorrent (Debian's python3-libtorrent under /usr/bin/python3) for a .torrent's info-hash.
 * Without libtorrent the calling test is skipped, or fails when env CI=true (CI must have it).
 */
public final class LibtorrentInfoHash {

    private static final String PYTHON = "/usr/bin/python3";
    private static Boolean available;

    private LibtorrentInfoHash() {
    }

    /** Lowercase hex v1 info-hash libtorrent computes for the .torrent file at {@code torrentFile}. */
    public static String of(Path torrentFile) throws IOException, InterruptedException {
        requireLibtorrent();
        String out = run(PYTHON, "-c",
                "import libtorrent as lt, sys; print(lt.torrent_info(sys.argv[1]).info_hash())",
                torrentFile.toString());
        if (!out.matches("[0-9a-f]{40}")) {
            fail("libtorrent could not read " + torrentFile + ": " + out);
        }
        return out;
    }

    /** Skips the test (or fails it on CI) when /usr/bin/python3 cannot import libtorrent. */
    public static synchronized void requireLibtorrent() throws IOException, InterruptedException {
        if (available == null) {
            try {
                available = run(PYTHON, "-c", "import libtorrent; print('ok')").equals("ok");
            } catch (IOException e) {
                available = false;
            }
        }
        if (!available) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but " + PYTHON + " cannot import libtorrent: install python3-libtorrent");
            }
            assumeTrue(false, PYTHON + " cannot import libtorrent; skipping the libtorrent cross-check");
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("timed out: " + String.join(" ", command));
        }
        return new String(output, StandardCharsets.UTF_8).trim();
    }
}
