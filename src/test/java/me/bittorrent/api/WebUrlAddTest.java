package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.WebTorrentFetcher;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Adding by web link (issue 13) through the original API, the qBittorrent API and Transmission RPC, against a web
 * server on 127.0.0.1 standing in for an indexer: a .torrent, a redirect chain, a redirect to a magnet link, a 404, a
 * body that is not a torrent, a 20 MiB body, a server that trickles bytes past the deadline, too many redirects, and
 * links at this service's own port (refused, directly and through a redirect).
 */
@QuarkusTest
class WebUrlAddTest {

    static HttpServer server;
    static ExecutorService threads;
    static final Map<String, byte[]> TORRENTS = new ConcurrentHashMap<>();
    static final Map<String, String> COOKIES = new ConcurrentHashMap<>();
    static final AtomicLong SENT_BY_HUGE = new AtomicLong();
    static final String MAGNET_HASH = "0123456789abcdef0123456789abcdef01234567";

    @Inject
    DownloadEngine engine;
    @Inject
    WebTorrentFetcher fetcher;

    @BeforeAll
    static void indexer() throws IOException {
        threads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", WebUrlAddTest::answer);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    static String at(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String cookie = x.getRequestHeaders().getFirst("Cookie");
        if (cookie != null) {
            COOKIES.put(path, cookie);
        }
        try (x) {
            if (TORRENTS.containsKey(path)) {
                byte[] body = TORRENTS.get(path);
                x.getResponseHeaders().add("Content-Type", "application/x-bittorrent");
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
            } else if (path.startsWith("/hop/")) { // /hop/3/x.torrent -> /hop/2/x.torrent ... -> /x.torrent
                String[] parts = path.split("/", 4);
                int left = Integer.parseInt(parts[2]);
                redirect(x, left == 0 ? "/" + parts[3] : "/hop/" + (left - 1) + "/" + parts[3]);
            } else if (path.equals("/to-magnet")) {
                redirect(x, "magnet:?xt=urn:btih:" + MAGNET_HASH + "&dn=from-indexer");
            } else if (path.equals("/to-own-port")) {
                redirect(x, "http://127.0.0.1:" + RestAssured.port + "/status");
            } else if (path.equals("/html")) {
                byte[] body = "<html><body>Please sign in</body></html>".getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
            } else if (path.equals("/huge") || path.equals("/endless")) {
                // chunked, no Content-Length: only counting while reading stops it; /endless would send 1 GiB
                x.sendResponseHeaders(200, 0);
                byte[] chunk = new byte[64 * 1024];
                chunk[0] = 'd';
                OutputStream out = x.getResponseBody();
                int chunks = path.equals("/huge") ? 20 * 16 : 1024 * 16;
                for (int i = 0; i < chunks; i++) {
                    out.write(chunk);
                    if (path.equals("/endless")) {
                        SENT_BY_HUGE.addAndGet(chunk.length);
                    }
                    chunk[0] = '0';
                }
            } else if (path.equals("/trickle")) { // a byte every 200 ms: the idle timeout never trips
                x.sendResponseHeaders(200, 0);
                OutputStream out = x.getResponseBody();
                out.write('d');
                for (int i = 0; i < 300; i++) {
                    out.flush();
                    sleepQuietly(200); // the server's pace, not a synchronisation
                    out.write('1');
                }
            } else {
                x.sendResponseHeaders(404, -1);
            }
        } catch (IOException e) {
            // the client went away (as it should for /huge and /trickle)
        }
    }

    private static void redirect(HttpExchange x, String location) throws IOException {
        x.getResponseHeaders().add("Location", location);
        x.sendResponseHeaders(302, -1);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A fresh one-file torrent served at {@code path}; its info-hash. */
    static String serve(String path, String name) {
        Path file = Payloads.file(Payloads.tempDir("weburl").resolve(name), 40_000);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(16384);
        TORRENTS.put(path, builder.build());
        return builder.infoHashHex();
    }

    static String detail(String url) {
        return given().contentType("application/json").body(Map.of("url", url)).post("/upload").then()
                .statusCode(400).extract().path("detail");
    }

    /** This machine's host name; it resolves to one of its own addresses (Debian: 127.0.1.1), never a literal. */
    static String machineName() {
        try {
            String name = java.net.InetAddress.getLocalHost().getHostName();
            java.net.InetAddress address = java.net.InetAddress.getByName(name);
            assertTrue(address.isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(address) != null,
                    name + " resolves to " + address);
            assertTrue(!name.equalsIgnoreCase("localhost") && !name.matches("[0-9.:]+"), name);
            return name;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonPath rpc(String method, Map<String, ?> arguments) {
        String session = given().contentType("application/json").body("{\"method\":\"session-get\"}")
                .post("/transmission/rpc").then().statusCode(409).extract()
                .header("X-Transmission-Session-Id");
        return given().header("X-Transmission-Session-Id", session).contentType("application/json")
                .body(Map.of("method", method, "arguments", arguments)).post("/transmission/rpc").then()
                .statusCode(200).extract().jsonPath();
    }

    @Test
    void theOriginalApiAddsATorrentFromALinkAndSaysWhyNot() {
        String hash = serve("/one.torrent", "one.bin");
        given().multiPart("url", at("/one.torrent")).post("/upload").then().statusCode(200)
                .body("torrent_id", equalTo(hash)).body("name", equalTo("one.bin"));
        // the same again: a duplicate, named
        given().contentType("application/json").body(Map.of("url", at("/one.torrent"))).post("/upload").then()
                .statusCode(409).body("torrent_id", equalTo(hash));
        // through 5 redirects (the most allowed), JSON
        String chained = serve("/chained.torrent", "chained.bin");
        given().contentType("application/json").body(Map.of("url", at("/hop/4/chained.torrent"))).post("/upload")
                .then().statusCode(200).body("torrent_id", equalTo(chained));
        assertEquals("could not fetch " + at("/hop/5/chained.torrent") + ": more than 5 redirects",
                detail(at("/hop/5/chained.torrent")));
        // a redirect to a magnet link adds the magnet link
        given().contentType("application/json").body(Map.of("url", at("/to-magnet"))).post("/upload").then()
                .statusCode(200).body("torrent_id", equalTo(MAGNET_HASH)).body("name", equalTo("from-indexer"));

        assertEquals("could not fetch " + at("/missing.torrent") + ": HTTP 404", detail(at("/missing.torrent?apikey=secret")));
        assertTrue(detail(at("/html")).startsWith(at("/html") + " is not a torrent file"), detail(at("/html")));
        assertEquals("could not fetch " + at("/huge") + ": it is larger than 16 MiB", detail(at("/huge")));
        assertEquals("could not fetch " + at("/endless") + ": it is larger than 16 MiB", detail(at("/endless")));
        // the reading stopped at the cap: the server could not send much more than its socket buffers hold
        assertTrue(SENT_BY_HUGE.get() < 128L * 1024 * 1024, "sent " + SENT_BY_HUGE.get());
        String own = "http://127.0.0.1:" + RestAssured.port + "/status";
        assertEquals("could not fetch " + own + ": it points at this service's own port " + RestAssured.port
                + " (refused)", detail(own));
        assertEquals("could not fetch " + own + ": it points at this service's own port " + RestAssured.port
                + " (refused)", detail(at("/to-own-port")));
        // a name, not a literal address: judged on the address connected to, before a request byte is sent
        String byName = "http://" + machineName() + ":" + RestAssured.port + "/status";
        assertEquals("could not fetch " + byName + ": it points at this service's own port " + RestAssured.port
                + " (refused)", detail(byName));
        assertTrue(detail("file:///etc/passwd").startsWith("only http and https links"));
        assertTrue(detail(at("/bad.torrent").replace("http", "ftp")).startsWith("only http and https links"));
        // a torrent that fails the upload's validation, named by its link
        TORRENTS.put("/broken.torrent", "d4:infod4:name1:xee".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(detail(at("/broken.torrent")).startsWith(at("/broken.torrent") + " is not a torrent file: "),
                detail(at("/broken.torrent")));
        for (String id : new String[] {hash, chained, MAGNET_HASH}) {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    @Test
    void aServerThatTricklesBytesIsCutAtTheDeadline() {
        Duration before = fetcher.deadline();
        fetcher.setDeadline(Duration.ofSeconds(2));
        try {
            long start = System.nanoTime();
            assertEquals("could not fetch " + at("/trickle") + ": it took longer than 2 s", detail(at("/trickle")));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
            // Transmission says it as its result
            assertEquals("could not fetch " + at("/trickle") + ": it took longer than 2 s",
                    rpc("torrent-add", Map.of("filename", at("/trickle"))).getString("result"));
        } finally {
            fetcher.setDeadline(before);
        }
    }

    @Test
    void qbittorrentAddsLinksWithItsCookieAndMagnetsMixed() {
        String hash = serve("/qb.torrent", "qb.bin");
        String magnet = "magnet:?xt=urn:btih:1111111111111111111111111111111111111111&dn=qb-magnet";
        given().multiPart("urls", at("/qb.torrent") + "\n" + magnet + "\n")
                .multiPart("cookie", "uid=42; pass=abc").multiPart("stopped", "true")
                .multiPart("category", "weburl").multiPart("rename", "Renamed by qB")
                .post("/api/v2/torrents/add").then().statusCode(200).body(equalTo("Ok."));
        assertEquals("uid=42; pass=abc", COOKIES.get("/qb.torrent"));
        given().get("/api/v2/torrents/info?hashes=" + hash).then().statusCode(200)
                .body("[0].name", equalTo("Renamed by qB")).body("[0].category", equalTo("weburl"));
        given().get("/api/v2/torrents/info?hashes=1111111111111111111111111111111111111111").then()
                .body("[0].name", equalTo("Renamed by qB")); // rename applies to every torrent of the add, as qB
        // torrents/rename: the name shown changes, an empty one is qBittorrent's 409
        given().formParam("hash", hash).formParam("name", "Renamed again").post("/api/v2/torrents/rename").then()
                .statusCode(200);
        given().get("/api/v2/torrents/info?hashes=" + hash).then().body("[0].name", equalTo("Renamed again"));
        given().formParam("hash", hash).formParam("name", " ").post("/api/v2/torrents/rename").then()
                .statusCode(409);
        // nothing fetched: Fails. (the reason is in the log); the service's own port is never fetched
        given().multiPart("urls", at("/missing.torrent")).post("/api/v2/torrents/add").then().statusCode(200)
                .body(equalTo("Fails."));
        given().multiPart("urls", "http://127.0.0.1:" + RestAssured.port + "/api/v2/app/version")
                .post("/api/v2/torrents/add").then().statusCode(200).body(equalTo("Fails."));
        given().multiPart("urls", at("/html")).post("/api/v2/torrents/add").then().statusCode(200)
                .body(equalTo("Fails."));
        // a cookie that would split the header is refused
        given().multiPart("urls", at("/qb.torrent")).multiPart("cookie", "a=1\r\nX-Evil: 1")
                .post("/api/v2/torrents/add").then().statusCode(200).body(equalTo("Fails."));
        for (String id : new String[] {hash, "1111111111111111111111111111111111111111"}) {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    @Test
    void transmissionAddsALinkWithItsCookies() {
        String hash = serve("/tr.torrent", "tr.bin");
        JsonPath added = rpc("torrent-add", Map.of("filename", at("/tr.torrent"), "paused", true,
                "cookies", "session=xyz"));
        assertEquals("success", added.getString("result"));
        assertEquals(hash, added.getString("arguments.torrent-added.hashString"));
        assertEquals("session=xyz", COOKIES.get("/tr.torrent"));
        assertEquals("could not fetch " + at("/nothing.torrent") + ": HTTP 404",
                rpc("torrent-add", Map.of("filename", at("/nothing.torrent"))).getString("result"));
        assertTrue(rpc("torrent-add", Map.of("filename", at("/html"))).getString("result")
                .contains("is not a torrent file"));
        given().post("/remove/" + hash).then().statusCode(200);
    }

    @Test
    void anUnreachableIndexerIsSaidInWords() {
        // a port nobody listens on (the server's, once closed, would be reused: take a fresh one and close it)
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String url = "http://127.0.0.1:" + port + "/x.torrent";
        given().contentType("application/json").body(Map.of("url", url)).post("/upload").then().statusCode(400)
                .body("detail", containsString("could not fetch " + url + ": the connection was refused"));
    }
}
