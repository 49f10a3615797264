package me.bittorrent.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import me.bittorrent.metainfo.InfoHash;

/**
 * The real opentracker (Debian package) on a free 127.0.0.1 port, serving HTTP and UDP on that port, tracking
 * only the whitelisted info-hashes. Debian's build chroots to its rootdir and drops to the _opentracker user, so
 * the rootdir is a temp dir with mode 755 and the whitelist 644. Start and stop are by PID.
 *
 * <pre>
 * try (Opentracker tracker = Opentracker.start(hash)) { announce to tracker.url() or tracker.udpUrl() }
 * </pre>
 */
public final class Opentracker implements AutoCloseable {

    private static final Duration START_BOUND = Duration.ofSeconds(15);

    private final Path dir;
    private final int port;
    private final Process process;

    private Opentracker(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Skips the calling test when opentracker is not installed, but fails it when env CI=true. */
    public static void assumeInstalled() {
        Tools.requireTool("opentracker");
    }

    /** Starts it with these hashes whitelisted; returns once it accepts connections. */
    public static Opentracker start(InfoHash... whitelisted) throws IOException, InterruptedException {
        assumeInstalled();
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // another process may grab the port we picked
            try {
                return startOnce(whitelisted);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private static Opentracker startOnce(InfoHash... whitelisted) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("opentracker-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = freeTcpAndUdpPort();
        writeWhitelist(dir, whitelisted);
        Files.writeString(dir.resolve("opentracker.conf"), String.join("\n",
                "listen.tcp 127.0.0.1:" + port,
                "listen.udp 127.0.0.1:" + port,
                "tracker.rootdir " + dir,
                "tracker.user _opentracker",
                "access.whitelist /whitelist.txt", ""));
        Process process = new ProcessBuilder(Tools.find("opentracker").toString(), "-f", dir.resolve("opentracker.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("opentracker.log").toFile())
                .start();
        Opentracker tracker = new Opentracker(dir, port, process);
        long deadline = System.nanoTime() + START_BOUND.toNanos();
        while (!tracker.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = tracker.log();
                tracker.close();
                throw new IOException("opentracker did not start on port " + port + ": " + log);
            }
            TimeUnit.MILLISECONDS.sleep(20); // bounded poll for the port
        }
        // The whitelist is read by a thread of its own: wait until it is in force.
        if (whitelisted.length > 0) {
            tracker.awaitAccepted(whitelisted[0]);
        }
        return tracker;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/announce";
    }

    public String udpUrl() {
        return "udp://127.0.0.1:" + port + "/announce";
    }

    /**
     * Replaces the whitelist and makes opentracker re-read it (SIGHUP). Returns once the first hash is accepted,
     * checked by a started + stopped announce of a probe peer, so the swarm is left as it was.
     */
    public void whitelist(InfoHash... hashes) throws IOException, InterruptedException {
        writeWhitelist(dir, hashes);
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("could not send SIGHUP to opentracker " + pid());
        }
        if (hashes.length > 0) {
            awaitAccepted(hashes[0]);
        }
    }

    private void awaitAccepted(InfoHash hash) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_BOUND.toNanos();
        while (!probeAccepted(hash)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("opentracker did not take the whitelist: " + log());
            }
            TimeUnit.MILLISECONDS.sleep(20); // bounded poll for the (re)load
        }
    }

    /** Whatever opentracker printed so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("opentracker.log"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM to our own PID
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean probeAccepted(InfoHash hash) throws IOException, InterruptedException {
        String probe = "http://127.0.0.1:" + port + "/announce?info_hash=" + percent(hash.bytes())
                + "&peer_id=-PROBE-whitelist0000&port=9&uploaded=0&downloaded=0&left=0&compact=1&numwant=0";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(probe + "&event=started"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        if (started.body().contains("failure reason")) {
            return false;
        }
        http.send(HttpRequest.newBuilder(URI.create(probe + "&event=stopped")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding());
        return true;
    }

    private static String percent(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append('%').append(String.format("%02X", b & 0xFF));
        }
        return sb.toString();
    }

    private static void writeWhitelist(Path dir, InfoHash... hashes) throws IOException {
        Path list = dir.resolve("whitelist.txt");
        Path tmp = dir.resolve("whitelist.txt.new");
        Files.writeString(tmp, Arrays.stream(hashes).map(InfoHash::hex).collect(Collectors.joining("\n", "", "\n")));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, list, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** A port free for both TCP and UDP on 127.0.0.1 right now. */
    private static int freeTcpAndUdpPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port;
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = tcp.getLocalPort();
            }
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no port free for both TCP and UDP on 127.0.0.1");
    }
}
