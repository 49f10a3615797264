package me.bittorrent.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The HTTP size limits, answered {@code {"detail": "..."}} like every other error. Vert.x itself answers an
 * over-long request line (414), oversized headers (431) and a declared body over the limit (413) with an empty
 * body, before any route runs, and lets no application replace that answer. So its own limits
 * ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}) are set well above the ones
 * enforced here, first of all filters; only a request beyond those ceilings (256 KiB, 16 times ours) still gets
 * Vert.x's bare answer: Netty's decoder refuses it before any request exists, and Vert.x hands that refusal to its
 * server's invalid-request handler, which Quarkus creates and does not let an application set. The ceilings are
 * not raised further because Netty holds a request head in memory while it is read (about 4 bytes per byte of
 * line, as chars and then a string), per connection. A body without a declared length that grows past the limit
 * is cut by the body handler, whose failure {@link PlainFailures} answers {@code {"detail"}} (413).
 */
@ApplicationScoped
public class HttpLimits {

    /** The longest request line (method, address, version) answered normally. */
    static final int MAX_REQUEST_LINE = 16 * 1024;
    /** The most header bytes (names and values) answered normally; Quarkus' own default. */
    static final int MAX_HEADER_BYTES = 20 * 1024;
    /** Before AuthFilter (200): a refusal for size says nothing about the service and costs nothing. */
    static final int PRIORITY = 300;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBodySize;

    void register(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.uri().length() + request.method().name().length() + 10 > MAX_REQUEST_LINE) {
            refuse(ctx, 414, "The request address is too long: at most " + MAX_REQUEST_LINE / 1024 + " KiB");
            return;
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4;
        }
        if (headerBytes > MAX_HEADER_BYTES) {
            refuse(ctx, 431, "The request headers are too large: at most " + MAX_HEADER_BYTES / 1024
                    + " KiB in all");
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && declaredLength(length) > maxBodySize.asLongValue()) {
            refuse(ctx, 413, "The request body is too large: at most " + maxBodySize.asLongValue() / 1024 / 1024
                    + " MiB");
            return;
        }
        ctx.next();
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x refuses a malformed length itself (400)
        }
    }

    /** The body is not read: the connection is closed after the answer so what the client still sends is dropped. */
    private static void refuse(RoutingContext ctx, int status, String detail) {
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(new JsonObject().put("detail", detail).encode())
                .onComplete(done -> ctx.request().connection().close());
    }
}
