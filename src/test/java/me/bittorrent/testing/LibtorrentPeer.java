package me.bittorrent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A real libtorrent 2.0 peer (python3-libtorrent, peers/lt_peer.py) in its own process on 127.0.0.1.
 *
 * <pre>
 * Tools.requireTool("libtorrent");
 * try (LibtorrentPeer seed = LibtorrentPeer.seed(torrent, dataDir).seedMode().start()) {
 *     seed.awaitReady(Duration.ofSeconds(30));
 *     // point our client at 127.0.0.1:seed.port(), or let the tracker tell it
 * }
 * try (LibtorrentPeer leech = LibtorrentPeer.leech(torrent, emptyDir).connectTo("127.0.0.1", ourPort).start()) {
 *     leech.awaitFinished(Duration.ofSeconds(60)); // every piece SHA-1 verified by libtorrent
 * }
 * </pre>
 *
 * The process announces to the torrent's trackers (unless {@link Builder#noTrackers()}), listens on
 * 127.0.0.1 only, TCP only (no uTP, DHT, LSD, UPnP, NAT-PMP), and exits when {@link #close()} closes its
 * stdin. Waits are bounded and fail with an {@link AssertionError} that quotes the peer's last output.
 */
public final class LibtorrentPeer implements AutoCloseable {

    public enum Mode { SEED, LEECH }

    /** One progress report (about once a second). Rates in bytes/s, totals in bytes of payload. */
    public record Progress(String state, double progress, long downloadRate, long uploadRate, int numPeers,
            int numSeeds, long totalDone, long totalDownload, long totalUpload, long totalWanted,
            int hashFailures) {

        static Progress of(JsonNode j) {
            return new Progress(j.path("state").asText(), j.path("progress").asDouble(),
                    j.path("download_rate").asLong(), j.path("upload_rate").asLong(), j.path("num_peers").asInt(),
                    j.path("num_seeds").asInt(), j.path("total_done").asLong(), j.path("total_download").asLong(),
                    j.path("total_upload").asLong(), j.path("total_wanted").asLong(),
                    j.path("hash_failures").asInt());
        }

        public boolean complete() {
            return progress >= 1.0;
        }
    }

    public static Builder seed(Path torrent, Path savePath) {
        return new Builder(Mode.SEED, torrent, savePath);
    }

    public static Builder leech(Path torrent, Path savePath) {
        return new Builder(Mode.LEECH, torrent, savePath);
    }

    /** A leecher given only a magnet link: it fetches the metadata from its peers (BEP 9) first. */
    public static Builder leechMagnet(String magnet, Path savePath) {
        Builder builder = new Builder(Mode.LEECH, null, savePath);
        builder.magnet = magnet;
        return builder;
    }

    public static final class Builder {
        private final Mode mode;
        private final Path torrent;
        private final Path savePath;
        private int port;
        private final List<String> peers = new ArrayList<>();
        private long downloadLimit;
        private long uploadLimit;
        private boolean seedMode;
        private boolean noTrackers;
        private boolean recheckOnFinish;
        private boolean lsd;
        private String magnet;

        private Builder(Mode mode, Path torrent, Path savePath) {
            this.mode = mode;
            this.torrent = torrent;
            this.savePath = savePath;
        }

        /** Listen port on 127.0.0.1; 0 (default) lets the peer pick a free one, see {@link #port()}. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Dial this peer directly once ready (repeatable), besides the peers trackers return; redialled every
         * 5 s until it has been connected once, so it may start listening a little later.
         */
        public Builder connectTo(String host, int port) {
            peers.add(host + ":" + port);
            return this;
        }

        public Builder downloadLimit(long bytesPerSecond) {
            this.downloadLimit = bytesPerSecond;
            return this;
        }

        public Builder uploadLimit(long bytesPerSecond) {
            this.uploadLimit = bytesPerSecond;
            return this;
        }

        /** Seed: trust the data on disk without hashing it first (it must be correct). */
        public Builder seedMode() {
            this.seedMode = true;
            return this;
        }

        /** Do not announce to the torrent's trackers: only direct connections. */
        public Builder noTrackers() {
            this.noTrackers = true;
            return this;
        }

        /**
         * Local service discovery (BEP 14) on: libtorrent announces on its listen interface (127.0.0.1, so on the
         * loopback only).
         */
        public Builder lsd() {
            this.lsd = true;
            return this;
        }

        /** Leech: re-hash every piece from disk before reporting finished. */
        public Builder recheckOnFinish() {
            this.recheckOnFinish = true;
            return this;
        }

        /** Starts the process; does not wait for it to be ready. */
        public LibtorrentPeer start() throws IOException {
            Tools.requireTool("libtorrent");
            List<String> cmd = new ArrayList<>(List.of(Tools.PYTHON, "-u",
                    PeerScripts.path("lt_peer.py").toString(), mode == Mode.SEED ? "seed" : "leech",
                    magnet != null ? magnet : torrent.toString(), savePath.toString(), "--port", Integer.toString(port)));
            for (String peer : peers) {
                cmd.add("--peer");
                cmd.add(peer);
            }
            if (downloadLimit > 0) {
                cmd.add("--download-limit");
                cmd.add(Long.toString(downloadLimit));
            }
            if (uploadLimit > 0) {
                cmd.add("--upload-limit");
                cmd.add(Long.toString(uploadLimit));
            }
            if (seedMode) {
                cmd.add("--seed-mode");
            }
            if (noTrackers) {
                cmd.add("--no-trackers");
            }
            if (recheckOnFinish) {
                cmd.add("--recheck-on-finish");
            }
            if (lsd) {
                cmd.add("--lsd");
            }
            return new LibtorrentPeer(mode, new ProcessBuilder(cmd).start());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEPT_LINES = 40;

    private final Mode mode;
    private final Process process;
    private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
    private final CompletableFuture<Progress> finished = new CompletableFuture<>();
    private final Deque<String> stdoutTail = new ArrayDeque<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final List<String> logs = new ArrayList<>();
    private volatile Progress latest;

    private LibtorrentPeer(Mode mode, Process process) {
        this.mode = mode;
        this.process = process;
        Thread out = new Thread(this::readStdout, "lt-peer-" + mode.name().toLowerCase() + "-out");
        Thread err = new Thread(() -> drain(process.getErrorStream(), stderrTail), "lt-peer-err");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    public Mode mode() {
        return mode;
    }

    public long pid() {
        return process.pid();
    }

    /** The listen port on 127.0.0.1. Only after {@link #awaitReady}. */
    public int port() {
        return readyLine().path("port").asInt();
    }

    /** The torrent's v1 info-hash as libtorrent sees it, 40 lower-case hex. Only after {@link #awaitReady}. */
    public String infoHash() {
        return readyLine().path("info_hash").asText();
    }

    /** Listening, and its files checked (a seeder whose data is wrong fails this instead). */
    public LibtorrentPeer awaitReady(Duration timeout) {
        await(ready, timeout, "ready");
        return this;
    }

    /** A leech has every piece, each one verified by libtorrent; returns its status at that moment. */
    public Progress awaitFinished(Duration timeout) {
        if (mode != Mode.LEECH) {
            throw new IllegalStateException("only a leech finishes");
        }
        return await(finished, timeout, "finished");
    }

    /** Waits until a progress report satisfies the condition (checked at each report, about 1/s). */
    public Progress awaitProgress(Predicate<Progress> condition, Duration timeout) {
        CompletableFuture<Progress> match = new CompletableFuture<>();
        synchronized (waiters) {
            Progress now = latest;
            if (now != null && condition.test(now)) {
                return now;
            }
            waiters.add(new Waiter(condition, match));
        }
        return await(match, timeout, "a progress report matching the condition");
    }

    /**
     * Waits until a tracker answered its announce. Use it before starting a client that should learn about
     * this peer from the tracker: opentracker's re-announce interval is long, a client that announced first
     * would get an empty list and wait.
     */
    public LibtorrentPeer awaitAnnounced(Duration timeout) {
        awaitLog("tracker_reply", timeout);
        return this;
    }

    /**
     * Waits for a "log" line whose kind starts with the prefix ({@code tracker_reply}, {@code tracker_error},
     * {@code tracker_warning}, {@code hash_failed}, {@code peer_ban}, {@code file_error}, {@code torrent_error},
     * {@code recheck_failed}); returns its message. Earlier lines count.
     */
    public String awaitLog(String kindPrefix, Duration timeout) {
        CompletableFuture<String> match = new CompletableFuture<>();
        synchronized (logs) {
            for (String l : logs) {
                if (l.startsWith(kindPrefix)) {
                    return l;
                }
            }
            logWaiters.add(new LogWaiter(kindPrefix, match));
        }
        return await(match, timeout, "a '" + kindPrefix + "' log line");
    }

    /** The latest progress report, if any. */
    public Optional<Progress> latestProgress() {
        return Optional.ofNullable(latest);
    }

    /** Messages of "log" lines so far (tracker replies and errors, hash failures, bans), oldest first. */
    public List<String> logs() {
        synchronized (logs) {
            return List.copyOf(logs);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Closes its stdin (it exits), then kills it if it is still there after 5 s. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines it wrote, for assertion messages. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder("libtorrent " + mode.name().toLowerCase() + " (pid " + process.pid()
                + (process.isAlive() ? ", running" : ", exited " + process.exitValue()) + ")");
        synchronized (stdoutTail) {
            sb.append("\n  stdout:");
            stdoutTail.forEach(l -> sb.append("\n    ").append(l));
        }
        synchronized (stderrTail) {
            sb.append("\n  stderr:");
            stderrTail.forEach(l -> sb.append("\n    ").append(l));
        }
        return sb.toString();
    }

    private record Waiter(Predicate<Progress> condition, CompletableFuture<Progress> future) {
    }

    private final List<Waiter> waiters = new ArrayList<>();

    private record LogWaiter(String prefix, CompletableFuture<String> future) {
    }

    private final List<LogWaiter> logWaiters = new ArrayList<>();

    private JsonNode readyLine() {
        JsonNode line = ready.getNow(null);
        if (line == null) {
            throw new IllegalStateException("libtorrent peer not ready yet: call awaitReady first");
        }
        return line;
    }

    private <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("libtorrent peer not " + what + " within " + timeout + "; latest "
                    + latest + "\n" + diagnostics());
        } catch (ExecutionException e) {
            throw new AssertionError("libtorrent peer never got " + what + ": " + e.getCause().getMessage()
                    + "\n" + diagnostics());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what);
        }
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                keep(stdoutTail, line);
                handle(line);
            }
        } catch (IOException ignored) {
            // the process went away
        } finally {
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String why = process.isAlive() ? "its output closed" : "it exited with status " + process.exitValue();
            IllegalStateException gone = new IllegalStateException(why);
            ready.completeExceptionally(gone);
            finished.completeExceptionally(gone);
            synchronized (waiters) {
                waiters.forEach(w -> w.future().completeExceptionally(gone));
                waiters.clear();
            }
            synchronized (logs) {
                logWaiters.forEach(w -> w.future().completeExceptionally(gone));
                logWaiters.clear();
            }
        }
    }

    private void handle(String line) {
        JsonNode json;
        try {
            json = JSON.readTree(line);
        } catch (IOException e) {
            return; // not ours (a library printing to stdout); kept in the tail for diagnostics
        }
        String event = json.path("event").asText();
        switch (event) {
            case "ready":
                onProgress(Progress.of(json));
                ready.complete(json);
                break;
            case "progress":
                onProgress(Progress.of(json));
                break;
            case "finished":
                Progress p = Progress.of(json);
                onProgress(p);
                finished.complete(p);
                break;
            case "log":
                String entry = json.path("kind").asText() + ": " + json.path("message").asText();
                synchronized (logs) {
                    logs.add(entry);
                    logWaiters.removeIf(w -> entry.startsWith(w.prefix()) && w.future().complete(entry));
                }
                break;
            case "error":
                IllegalStateException error = new IllegalStateException(json.path("message").asText());
                ready.completeExceptionally(error);
                finished.completeExceptionally(error);
                break;
            default:
                break;
        }
    }

    private void onProgress(Progress p) {
        latest = p;
        synchronized (waiters) {
            waiters.removeIf(w -> w.condition().test(p) && w.future().complete(p));
        }
    }

    private static void drain(InputStream stream, Deque<String> tail) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                keep(tail, line);
            }
        } catch (IOException ignored) {
            // the process went away
        }
    }

    private static void keep(Deque<String> tail, String line) {
        synchronized (tail) {
            if (tail.size() == KEPT_LINES) {
                tail.removeFirst();
            }
            tail.addLast(line);
        }
    }
}
