package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TestCredentials;
import me.bittorrent.testing.Tools;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs nobody here wrote, driving the packaged service: Debian's transmission-remote over the Transmission RPC,
 * the npm clients @ctrl/qbittorrent and @ctrl/transmission, and Flood 4.16 headless over the qBittorrent WebAPI.
 * The npm ones are pinned by src/test/js/package-lock.json and installed by {@code npm ci} there (.ci/run does it);
 * a missing tool or install fails with CI=true and skips elsewhere.
 * <p>
 * Each torrent's data is already in the download folder (its only tracker is a closed port): started, it is
 * verified and seeds, so "delete with data" has files to delete.
 */
class ThirdPartyClientsIT {

    static final Path JS = Path.of("src", "test", "js").toAbsolutePath();
    static final Duration BOUND = Duration.ofSeconds(30);

    static AppProcess app;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        app = AppProcess.start();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** A torrent of one file whose data sits in the app's download folder already; its .torrent is written out. */
    static TorrentBuilder seeded(String name, int size) {
        Path data = Payloads.file(app.downloadDir().resolve(name), size);
        return TorrentBuilder.of(data).pieceLength(16384).announce("http://127.0.0.1:9/announce");
    }

    static Path torrentFile(TorrentBuilder torrent, String name) {
        return torrent.writeTo(Payloads.tempDir("clients").resolve(name + ".torrent"));
    }

    record Run(int exit, String output) {
    }

    static Run run(List<String> command, Path dir) {
        try {
            Path log = Files.createTempFile("client", ".log");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in 120 s:\n" + Files.readString(log));
            }
            return new Run(p.exitValue(), Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- transmission-remote 3.00 (Debian's transmission-cli) -------------------------------------------------

    Run remote(String... args) {
        List<String> command = new ArrayList<>(List.of("transmission-remote", "127.0.0.1:" + app.port(),
                "--auth", TestCredentials.USER + ":" + app.password()));
        command.addAll(List.of(args));
        return run(command, Path.of("."));
    }

    String remoteOk(String... args) {
        Run r = remote(args);
        assertEquals(0, r.exit(), "transmission-remote " + String.join(" ", args) + ":\n" + r.output());
        return r.output();
    }

    /** The -l line of the torrent named {@code name}, once it matches (bounded). */
    String awaitListed(String name, Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        String line = null;
        while (System.nanoTime() < deadline) {
            line = remoteOk("-l").lines().filter(l -> l.endsWith(" " + name)).findFirst().orElse(null);
            if (line != null && wanted.test(line)) {
                return line;
            }
            Thread.sleep(200); // bounded poll of what the client shows
        }
        throw new AssertionError("torrent " + name + " never as wanted in transmission-remote -l; last: " + line);
    }

    @Test
    void transmissionRemote() throws Exception {
        Tools.requireTool("transmission-remote");
        // without --auth it has nothing to answer the challenge with: our 401 reaches the user
        Run anonymous = run(List.of("transmission-remote", "127.0.0.1:" + app.port(), "-l"), Path.of("."));
        assertTrue(anonymous.output().contains("Sign-in required"), anonymous.output());

        TorrentBuilder torrent = seeded("remote.bin", 50000);
        String hash = torrent.infoHashHex();
        assertTrue(remoteOk("-a", torrentFile(torrent, "remote").toString()).contains("success"));
        String line = awaitListed("remote.bin", l -> true);
        String id = line.trim().split("\\s+")[0].replace("*", "");
        // the id survives a restart (kill -9 once the id file has it: it is written on a worker)
        Path ids = app.stateDir().resolve("transmission-ids.json");
        long written = System.nanoTime() + BOUND.toNanos();
        while (!(Files.exists(ids) && Files.readString(ids).contains(hash)) && System.nanoTime() < written) {
            Thread.sleep(50); // bounded wait for the write
        }
        app.restart();
        assertEquals(id, awaitListed("remote.bin", l -> true).trim().split("\\s+")[0].replace("*", ""),
                "the same id after a restart");

        remoteOk("-t", id, "-S");
        awaitListed("remote.bin", l -> l.contains("Stopped"));
        remoteOk("-t", id, "-s");
        awaitListed("remote.bin", l -> l.contains("100%") && (l.contains("Seeding") || l.contains("Idle")));

        String info = remoteOk("-t", id, "-i");
        assertTrue(info.contains("Name: remote.bin"), info);
        assertTrue(info.contains("Hash: " + hash), info);
        assertTrue(info.contains("Location: " + app.downloadDir()), info);
        String files = remoteOk("-t", hash, "-f");
        assertTrue(files.contains("remote.bin"), files);

        remoteOk("-t", id, "--remove-and-delete");
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (Files.exists(app.downloadDir().resolve("remote.bin")) && System.nanoTime() < deadline) {
            Thread.sleep(100); // bounded wait for the deletion on a worker
        }
        assertFalse(Files.exists(app.downloadDir().resolve("remote.bin")), "the data was deleted");
        assertFalse(remoteOk("-l").contains("remote.bin"));
    }

    /**
     * transmission-remote -a with a web link (issue 13): the service fetches the .torrent from a local "indexer"
     * (through a redirect), and the torrent downloads from a libtorrent seeder into the download folder.
     */
    @Test
    void transmissionRemoteAddsByWebLinkAndDownloadsFromLibtorrent() throws Exception {
        Tools.requireTool("transmission-remote");
        Tools.requireTool("libtorrent");
        Path seedDir = Payloads.tempDir("weblink-seed");
        Path data = TorrentBuilder.randomFile(seedDir.resolve("from-indexer.bin"), 700_000, 31);
        TorrentBuilder torrent = TorrentBuilder.of(data).pieceLength(16384).announce("http://127.0.0.1:9/announce");
        Path file = torrentFile(torrent, "from-indexer");
        byte[] bytes = Files.readAllBytes(file);
        com.sun.net.httpserver.HttpServer indexer = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        indexer.createContext("/", x -> {
            try (x) {
                if (x.getRequestURI().getPath().equals("/download")) {
                    x.getResponseHeaders().add("Location", "/files/from-indexer.torrent");
                    x.sendResponseHeaders(302, -1);
                } else {
                    x.getResponseHeaders().add("Content-Type", "application/x-bittorrent");
                    x.sendResponseHeaders(200, bytes.length);
                    x.getResponseBody().write(bytes);
                }
            }
        });
        indexer.start();
        try {
            String link = "http://127.0.0.1:" + indexer.getAddress().getPort() + "/download?apikey=k&id=1";
            assertTrue(remoteOk("-a", link).contains("success"));
            String line = awaitListed("from-indexer.bin", l -> true);
            String id = line.trim().split("\\s+")[0].replace("*", "");
            try (LibtorrentPeer seed = LibtorrentPeer.seed(file, seedDir).seedMode()
                    .connectTo("127.0.0.1", app.peerPort()).start()) {
                seed.awaitReady(BOUND);
                awaitListed("from-indexer.bin", l -> l.contains("100%"));
            }
            assertArrayEquals(Files.readAllBytes(data), Files.readAllBytes(app.downloadDir().resolve("from-indexer.bin")));
            remoteOk("-t", id, "--remove-and-delete");
        } finally {
            indexer.stop(0);
        }
    }

    // ---- @ctrl/qbittorrent and @ctrl/transmission (npm) --------------------------------------------------------

    static void requireNodeModules() {
        Tools.requireTool("node");
        if (Files.isDirectory(JS.resolve("node_modules").resolve("@ctrl").resolve("qbittorrent"))
                && Files.isDirectory(JS.resolve("node_modules").resolve("flood"))) {
            return;
        }
        String message = "the npm test clients are not installed: run 'npm ci' in " + JS + " (.ci/run does)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and " + message);
        }
        Assumptions.assumeTrue(false, "skipped: " + message);
    }

    void ctrlClient(String which, String name) {
        requireNodeModules();
        TorrentBuilder torrent = seeded(name, 40000);
        Run r = run(List.of("node", "ctrl-clients.mjs", which, app.baseUrl(), TestCredentials.USER, app.password(),
                torrentFile(torrent, name).toString(), torrent.infoHashHex()), JS);
        assertEquals(0, r.exit(), which + ":\n" + r.output());
        assertTrue(r.output().contains("OK"), r.output());
        assertFalse(Files.exists(app.downloadDir().resolve(name)), "removeTorrent(id, true) deleted the data");
    }

    @Test
    void ctrlQbittorrent() {
        ctrlClient("qbittorrent", "ctrl-qb.bin");
    }

    @Test
    void ctrlTransmission() {
        ctrlClient("transmission", "ctrl-tr.bin");
    }

    // ---- Flood 4.16, headless, over the qBittorrent WebAPI -----------------------------------------------------

    @Test
    void flood() throws Exception {
        requireNodeModules();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path runDir = Payloads.tempDir("flood");
        Path log = runDir.resolve("flood.log");
        Process flood = new ProcessBuilder("node", JS.resolve("node_modules/flood/dist/index.js").toString(),
                "--auth", "none", "--qburl", "http://127.0.0.1:" + app.port(), "--qbuser", TestCredentials.USER,
                "--qbpass", app.password(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--rundir", runDir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            driveFlood("http://127.0.0.1:" + port, log);
        } finally {
            flood.destroy();
            if (!flood.waitFor(10, TimeUnit.SECONDS)) {
                flood.destroyForcibly();
            }
        }
    }

    private void driveFlood(String base, Path log) throws Exception {
        // with --auth none, /api/auth/verify hands out the session cookie
        String cookie = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (cookie == null && System.nanoTime() < deadline) {
            try {
                HttpResponse<String> verify = http.send(HttpRequest.newBuilder(URI.create(base + "/api/auth/verify"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (verify.statusCode() == 200) {
                    cookie = verify.headers().firstValue("Set-Cookie").map(c -> c.split(";", 2)[0]).orElse("");
                }
            } catch (IOException e) {
                Thread.sleep(200); // Flood is still starting (bounded)
            }
        }
        assertTrue(cookie != null, "Flood did not answer /api/auth/verify in 60 s; log:\n" + Files.readString(log));
        Flood f = new Flood(base, cookie, log);

        TorrentBuilder torrent = seeded("flood.bin", 60000);
        String hash = torrent.infoHashHex().toUpperCase(); // Flood names torrents by upper-case hash
        HttpResponse<String> added = f.post("/api/torrents/add-files", new JsonObject()
                .put("files", new JsonArray().add(Base64.getEncoder().encodeToString(torrent.build())))
                .put("destination", app.downloadDir().toString()).put("start", false));
        assertEquals(200, added.statusCode(), added.body() + "\n" + Files.readString(log));

        f.awaitTorrent(hash, t -> t != null && t.getJsonArray("status").contains("stopped"));
        assertEquals(200, f.post("/api/torrents/start", hashes(hash)).statusCode());
        JsonObject seeding = f.awaitTorrent(hash, t -> t != null && t.getJsonArray("status").contains("seeding"));
        assertEquals(100.0, seeding.getDouble("percentComplete"), 0.001);
        assertEquals(200, f.post("/api/torrents/stop", hashes(hash)).statusCode());
        f.awaitTorrent(hash, t -> t != null && t.getJsonArray("status").contains("stopped"));

        HttpResponse<String> contents = f.get("/api/torrents/" + hash + "/contents");
        assertEquals(200, contents.statusCode(), contents.body());
        assertTrue(contents.body().contains("flood.bin"), contents.body());

        assertEquals(200, f.post("/api/torrents/delete", hashes(hash).put("deleteData", true)).statusCode());
        f.awaitTorrent(hash, t -> t == null);
        long until = System.nanoTime() + BOUND.toNanos();
        while (Files.exists(app.downloadDir().resolve("flood.bin")) && System.nanoTime() < until) {
            Thread.sleep(100); // bounded wait for the deletion
        }
        assertFalse(Files.exists(app.downloadDir().resolve("flood.bin")), "Flood's delete with data deleted it");
    }

    static JsonObject hashes(String hash) {
        return new JsonObject().put("hashes", new JsonArray().add(hash));
    }

    /** Flood's own HTTP API, with its session cookie. */
    final class Flood {
        final String base;
        final String cookie;
        final Path log;

        Flood(String base, String cookie, Path log) {
            this.base = base;
            this.cookie = cookie;
            this.log = log;
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, JsonObject body) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** The torrent as Flood lists it (null when it does not), once {@code wanted} holds (bounded). */
        JsonObject awaitTorrent(String hash, Predicate<JsonObject> wanted) throws Exception {
            long deadline = System.nanoTime() + BOUND.toNanos();
            JsonObject torrent = null;
            while (System.nanoTime() < deadline) {
                HttpResponse<String> list = get("/api/torrents");
                assertEquals(200, list.statusCode(), list.body());
                torrent = new JsonObject(list.body()).getJsonObject("torrents").getJsonObject(hash);
                if (wanted.test(torrent)) {
                    return torrent;
                }
                Thread.sleep(250); // bounded poll of Flood's list (it polls the service itself)
            }
            throw new AssertionError("Flood never showed " + hash + " as wanted; last " + torrent + "; log:\n"
                    + Files.readString(log));
        }
    }
}
