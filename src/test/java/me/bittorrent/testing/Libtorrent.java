package me.bittorrent.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real libtorrent (Debian's python3-libtorrent under /usr/bin/python3) as a reference for tests.
 * Without libtorrent the calling test is skipped, or fails when env CI=true (CI must have it).
 */
public final class Libtorrent {

    private static final String PYTHON = Tools.PYTHON;

    private Libtorrent() {
    }

    /** What {@code lt.torrent_info(file).info_hash()} prints (for a hybrid v1+v2 torrent: the truncated v2 hash). */
    public static String infoHash(Path torrentFile) throws IOException, InterruptedException {
        return hex(python("import libtorrent as lt, sys; print(lt.torrent_info(sys.argv[1]).info_hash())",
                torrentFile.toString()), torrentFile);
    }

    /** The BitTorrent v1 info-hash libtorrent computes ({@code info_hashes().v1}), also for hybrid torrents. */
    public static String v1InfoHash(Path torrentFile) throws IOException, InterruptedException {
        return hex(python("import libtorrent as lt, sys; print(lt.torrent_info(sys.argv[1]).info_hashes().v1)",
                torrentFile.toString()), torrentFile);
    }

    /**
     * Makes a .torrent of {@code content} (file or folder) with libtorrent's own creator. {@code v1Only=false}
     * gives libtorrent 2's default: a hybrid v1+v2 torrent with BEP 47 padding files between files.
     */
    public static Path createTorrent(Path content, int pieceSize, boolean v1Only, Path out) throws IOException {
        List<String> flags = v1Only ? List.of() : List.of("--hybrid");
        return LibtorrentTorrentMaker.make(content, out, pieceSize, flags).torrent();
    }

    /** Skips the test (or fails it on CI) when /usr/bin/python3 cannot import libtorrent. */
    public static void requireLibtorrent() {
        Tools.requireTool("libtorrent");
    }

    private static String python(String script, String... args) throws IOException, InterruptedException {
        requireLibtorrent();
        String[] command = new String[args.length + 3];
        command[0] = PYTHON;
        command[1] = "-c";
        command[2] = script;
        System.arraycopy(args, 0, command, 3, args.length);
        return run(command);
    }

    private static String hex(String out, Path torrentFile) {
        if (!out.matches("[0-9a-f]{40}")) {
            fail("libtorrent could not read " + torrentFile + ": " + out);
        }
        return out;
    }

    /** Runs a command to completion (bounded) and returns its trimmed stdout+stderr. */
    static String run(String... command) throws IOException, InterruptedException {
        // Output goes to a file so the bounded wait cannot be blocked by a full pipe or a stuck reader.
        Path log = Files.createTempFile("libtorrent", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("timed out: " + String.join(" ", command));
            }
            return Files.readString(log, StandardCharsets.UTF_8).trim();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
