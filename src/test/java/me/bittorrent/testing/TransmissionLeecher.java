package me.bittorrent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Transmission 3.00 ({@code transmission-cli}, apt transmission-cli) downloading a torrent on loopback.
 *
 * <pre>
 * Tools.requireTool("transmission-cli");
 * try (TransmissionLeecher t = TransmissionLeecher.start(torrent, emptyDir)) {
 *     // Transmission will not dial 127.0.0.x peers a tracker hands it: the seeder must dial
 *     // 127.0.0.1:t.port() (our engine learns it from the tracker, or the test tells it)
 *     t.awaitComplete(Duration.ofSeconds(60));
 * }
 * </pre>
 *
 * Transmission is slow to start asking: connected to a libtorrent seeder it waited 6 to 10 s before the first
 * block arrived (then ramps up), so give {@link #awaitComplete} 30 s more than the transfer needs.
 * Complete means Transmission verified every piece and switched the torrent to "Complete". Transmission does
 * not create zero-length files. Its own state lives in a temporary config folder; DHT, port mapping and
 * speed limits are off, encryption only tolerated (plain connections preferred).
 */
public final class TransmissionLeecher implements AutoCloseable {

    private static final int KEPT_LINES = 40;

    private final Process process;
    private final Path configDir;
    private final int port;
    private final CompletableFuture<Void> complete = new CompletableFuture<>();
    private final Deque<String> tail = new ArrayDeque<>();

    private TransmissionLeecher(Process process, Path configDir, int port) {
        this.process = process;
        this.configDir = configDir;
        this.port = port;
        reader(process.getInputStream(), "transmission-out").start();
        reader(process.getErrorStream(), "transmission-err").start();
    }

    /** Starts downloading into {@code downloadDir}, listening on a free port of 127.0.0.1's host. */
    public static TransmissionLeecher start(Path torrent, Path downloadDir) throws IOException {
        Tools.requireTool("transmission-cli");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = Files.createTempDirectory("transmission-cfg-");
        Files.createDirectories(downloadDir);
        // transmission-cli ignores stdin; this shell stops it when our end of its stdin closes, so a JVM
        // that dies without close() leaves no Transmission behind
        Process p = new ProcessBuilder("/bin/sh", "-c",
                "transmission-cli \"$@\" </dev/null & t=$!; cat >/dev/null; kill $t; wait $t", "sh",
                "-g", config.toString(), "-w", downloadDir.toString(), "-p", Integer.toString(port),
                "-M", "-B", "-D", "-U", "-et", torrent.toString())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        return new TransmissionLeecher(p, config, port);
    }

    /** Its peer port (it listens on every interface; dial 127.0.0.1 here). */
    public int port() {
        return port;
    }

    /** Waits until Transmission has every piece, verified. */
    public void awaitComplete(Duration timeout) {
        try {
            complete.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("Transmission did not complete within " + timeout + "\n" + diagnostics());
        } catch (ExecutionException e) {
            throw new AssertionError("Transmission never completed: " + e.getCause().getMessage() + "\n"
                    + diagnostics());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for Transmission");
        }
    }

    public boolean isComplete() {
        return complete.isDone() && !complete.isCompletedExceptionally();
    }

    public String diagnostics() {
        synchronized (tail) {
            return "transmission-cli (pid " + process.pid() + ", " + (process.isAlive() ? "running" : "exited")
                    + ") last output:\n    " + String.join("\n    ", List.copyOf(tail));
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the shell then sends transmission-cli SIGTERM and waits
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(configDir);
    }

    private Thread reader(InputStream stream, String name) {
        Thread t = new Thread(() -> read(stream), name);
        t.setDaemon(true);
        return t;
    }

    // transmission-cli ends its progress lines with '\r', its log lines with '\n'
    private void read(InputStream stream) {
        StringBuilder line = new StringBuilder();
        try (Reader in = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\r' || c == '\n') {
                    if (line.length() > 0) {
                        onLine(line.toString().strip());
                        line.setLength(0);
                    }
                } else {
                    line.append((char) c);
                }
            }
        } catch (IOException ignored) {
            // the process went away
        }
        complete.completeExceptionally(new IllegalStateException("transmission-cli's output ended"));
    }

    private void onLine(String line) {
        synchronized (tail) {
            if (tail.isEmpty() || !tail.peekLast().equals(line)) {
                if (tail.size() == KEPT_LINES) {
                    tail.removeFirst();
                }
                tail.addLast(line);
            }
        }
        if (line.startsWith("Seeding") || line.contains("to \"Complete\"")) {
            complete.complete(null);
        }
    }

    private static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp folder
        }
    }
}
