package me.bittorrent.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Third-party tools the interop tests drive. A missing tool fails the test when {@code CI=true} (CI must
 * prove interop, not skip it) and skips it elsewhere (a developer laptop without the apt packages).
 */
public final class Tools {

    /** The python that has python3-libtorrent; never another python on PATH. */
    public static final String PYTHON = "/usr/bin/python3";

    private static final ConcurrentHashMap<String, String> MISSING = new ConcurrentHashMap<>();

    private Tools() {
    }

    /**
     * Requires an executable on PATH (for example {@code opentracker}, {@code aria2c},
     * {@code transmission-cli}), an absolute path, or {@code "libtorrent"} for the python module under
     * {@link #PYTHON}.
     */
    public static void requireTool(String name) {
        String problem = MISSING.computeIfAbsent(name, Tools::problemWith);
        if (problem.isEmpty()) {
            return;
        }
        String message = problem + " (on Debian: apt-get install " + aptPackage(name) + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and a tool this test needs is missing: " + message);
        }
        Assumptions.assumeTrue(false, "skipped, tool missing: " + message);
    }

    /** Whether the tool is there, without failing or skipping. */
    public static boolean available(String name) {
        return MISSING.computeIfAbsent(name, Tools::problemWith).isEmpty();
    }

    private static String problemWith(String name) {
        if ("libtorrent".equals(name)) {
            if (!Files.isExecutable(Path.of(PYTHON))) {
                return PYTHON + " not found";
            }
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import libtorrent")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return "'" + PYTHON + " -c \"import libtorrent\"' did not answer in 30 s";
                }
                return p.exitValue() == 0 ? "" : "python module libtorrent not importable by " + PYTHON;
            } catch (IOException e) {
                return "cannot run " + PYTHON + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while checking for libtorrent";
            }
        }
        return find(name) == null ? "'" + name + "' not found on PATH" : "";
    }

    /** The executable's path, or null. */
    public static Path find(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static String aptPackage(String name) {
        switch (name) {
            case "libtorrent":
                return "python3-libtorrent";
            case "aria2c":
                return "aria2";
            case "transmission-cli":
            case "transmission-create":
            case "transmission-show":
            case "transmission-remote":
                return "transmission-cli";
            case "node":
                return "nodejs npm";
            default:
                return name;
        }
    }
}
