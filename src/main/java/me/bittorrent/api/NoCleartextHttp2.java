package me.bittorrent.api;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Plain-text HTTP stays HTTP/1.1: a client's {@code Upgrade: h2c} is ignored (RFC 9113 lets a server ignore it).
 * Vert.x 4.5's upgrade answered a body larger than about 64 KiB (GET /status of a few hundred torrents, the
 * OpenAPI document, app.js) with frames out of step: Java's default HttpClient, which asks for h2c on every new
 * connection, failed 5 to 17% of such calls with "protocol error: Frame type(...)". HTTP/2 over TLS (ALPN) is
 * not affected and stays on.
 */
@ApplicationScoped
public class NoCleartextHttp2 implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
