package me.bittorrent.tracker;

import com.dampcake.bencode.Bencode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A tiny HTTP tracker on 127.0.0.1 for tests: real HTTP, replies written by the test, requests recorded. */
final class TestHttpTracker implements AutoCloseable {

    static final Bencode BENCODE = new Bencode(StandardCharsets.UTF_8, true);

    private final HttpServer server;
    private final int port;
    final List<String> rawUris = new CopyOnWriteArrayList<>();
    private volatile Consumer<HttpServerRequest> replier = req -> req.response().end("d8:intervali60ee");

    TestHttpTracker(Vertx vertx) {
        server = vertx.createHttpServer().requestHandler(req -> {
            rawUris.add(req.uri());
            replier.accept(req);
        });
        port = Await.result(server.listen(0, "127.0.0.1")).actualPort();
    }

    int port() {
        return port;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    void reply(Consumer<HttpServerRequest> replier) {
        this.replier = replier;
    }

    /** Answer every request with this bencoded dictionary. */
    void replyWith(Map<String, Object> dictionary) {
        byte[] body = BENCODE.encode(dictionary);
        reply(req -> req.response().putHeader("Content-Type", "text/plain")
                .end(io.vertx.core.buffer.Buffer.buffer(body)));
    }

    /** The last request's query parameters, values percent-decoded to raw bytes (no '+' handling needed). */
    Map<String, byte[]> lastQuery() {
        String uri = rawUris.get(rawUris.size() - 1);
        Map<String, byte[]> params = new LinkedHashMap<>();
        for (String pair : uri.substring(uri.indexOf('?') + 1).split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), percentDecode(pair.substring(eq + 1)));
        }
        return params;
    }

    String lastRawQuery() {
        String uri = rawUris.get(rawUris.size() - 1);
        return uri.substring(uri.indexOf('?') + 1);
    }

    static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        Await.result(server.close());
    }
}
