package me.bittorrent.api.transmission;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import me.bittorrent.api.CsrfFilter;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Transmission's RPC at {@code POST /transmission/rpc} (and with a trailing slash, where transmission-remote 3.00
 * posts), on the service's port and behind its sign-in: {@code AuthFilter} answers a request without credentials
 * 401 with a Basic challenge for realm "Transmission" (transmission-remote waits for it before it sends them).
 * <p>
 * Then Transmission's CSRF guard: a request without the current {@code X-Transmission-Session-Id} gets 409 with
 * the id in that header, and the client sends it again with it. The body is JSON whatever its Content-Type says
 * (transmission-remote labels it application/x-www-form-urlencoded), so it is read raw, not as a form.
 */
@ApplicationScoped
public class TransmissionRpc {

    private static final Logger LOG = Logger.getLogger(TransmissionRpc.class);
    public static final String PATH = "/transmission/rpc";
    static final String SESSION_HEADER = "X-Transmission-Session-Id";

    @Inject
    RpcTorrents torrents;
    @Inject
    RpcSession session;
    @Inject
    me.bittorrent.engine.DownloadEngine engine;

    private final Map<String, Consumer<RpcCall>> methods = new HashMap<>();
    private String sessionId;

    @PostConstruct
    void init() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        sessionId = java.util.HexFormat.of().formatHex(random);
    }

    void register(@Observes Router router) {
        methods.put("session-get", session::get);
        methods.put("session-set", session::set);
        methods.put("session-stats", session::stats);
        methods.put("session-close", RpcCall::success);
        methods.put("free-space", session::freeSpace);
        methods.put("port-test", session::portTest);
        methods.put("torrent-get", torrents::get);
        methods.put("torrent-add", torrents::add);
        methods.put("torrent-start", torrents::start);
        methods.put("torrent-start-now", torrents::start);
        methods.put("torrent-stop", torrents::stop);
        methods.put("torrent-remove", torrents::remove);
        methods.put("torrent-verify", torrents::verify);
        methods.put("torrent-reannounce", torrents::reannounce);
        methods.put("torrent-set", torrents::set);
        methods.put("torrent-set-location", torrents::setLocation);
        methods.put("torrent-rename-path", r -> r.result("renaming files is not supported by this service yet"));
        methods.put("queue-move-top", r -> torrents.queueMove(r, EngineExtras.QueueMove.TOP));
        methods.put("queue-move-up", r -> torrents.queueMove(r, EngineExtras.QueueMove.UP));
        methods.put("queue-move-down", r -> torrents.queueMove(r, EngineExtras.QueueMove.DOWN));
        methods.put("queue-move-bottom", r -> torrents.queueMove(r, EngineExtras.QueueMove.BOTTOM));
        router.route(PATH).handler(this::handle);
        router.route(PATH + "/").handler(this::handle);
    }

    public String sessionId() {
        return sessionId;
    }

    /** An RPC call is a small JSON object (a .torrent in base64 at most): more is refused, not buffered. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    void handle(RoutingContext ctx) {
        var request = ctx.request();
        // read the whole body first, whatever is answered; a raw request body has no limit of its own (a chunked
        // one passes the Content-Length check in front), so it is counted here and refused past MAX_BODY
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_BODY) {
                if (!ctx.response().ended()) {
                    RpcCall.send(ctx, 413, new JsonObject().put("detail", "The request body is over "
                            + (MAX_BODY >> 20) + " MiB: an RPC call is a small JSON object"));
                    request.connection().close();
                }
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> {
            if (!ctx.response().ended()) {
                RpcCall.send(ctx, 400, new JsonObject().put("detail", "The request body could not be read: "
                        + e.getMessage()));
            }
        });
        request.endHandler(v -> {
            if (!ctx.response().ended()) {
                // right after a start, the answer waits for the stored torrents (an empty list reads as all gone)
                engine.whenResumed(() -> answer(ctx, body), why -> RpcCall.send(ctx, 503,
                        new JsonObject().put("detail", why)));
            }
        });
        request.resume();
    }

    private void answer(RoutingContext ctx, Buffer body) {
        var request = ctx.request();
        if (!request.method().equals(HttpMethod.POST)) {
            ctx.response().setStatusCode(405).putHeader("Allow", "POST")
                    .putHeader("Content-Type", "application/json").end(new JsonObject()
                            .put("detail", "The Transmission RPC takes POST requests with a JSON body").encode());
            return;
        }
        String crossSite = CsrfFilter.crossSiteReason(request.getHeader("Host"), request.getHeader("Origin"),
                request.getHeader("Referer"), request.getHeader("Sec-Fetch-Site"));
        if (crossSite != null) {
            LOG.warnf("Refused a Transmission RPC call from another site (%s)", crossSite);
            RpcCall.send(ctx, 403, new JsonObject().put("detail", "Forbidden: cross-site request (" + crossSite + ")"));
            return;
        }
        if (!sessionId.equals(request.getHeader(SESSION_HEADER))) {
            // Transmission's answer, word for word: clients look for the header
            ctx.response().setStatusCode(409).putHeader(SESSION_HEADER, sessionId)
                    .putHeader("Content-Type", "text/html; charset=UTF-8")
                    .putHeader("Cache-Control", "no-store")
                    .end("<h1>409: Conflict</h1><p>Your request had an invalid session-id header.</p>"
                            + "<p>To fix this, follow these steps:<ol><li> When reading a response, get its "
                            + "X-Transmission-Session-Id header and remember it<li> Add the updated header to your "
                            + "outgoing requests<li> When you get this 409 error message, resend your request with "
                            + "the updated header</ol></p><p>This requirement has been added to help prevent "
                            + "<a href=\"https://en.wikipedia.org/wiki/Cross-site_request_forgery\">CSRF</a> "
                            + "attacks.</p><p><code>" + SESSION_HEADER + ": " + sessionId + "</code></p>");
            return;
        }
        JsonObject json;
        try {
            json = body.length() == 0 ? null : new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            json = null;
        }
        if (json == null || !(json.getValue("method") instanceof String method)) {
            RpcCall.send(ctx, 400, new JsonObject().put("result", "no method name")
                    .put("arguments", new JsonObject()));
            return;
        }
        Object arguments = json.getValue("arguments");
        RpcCall call = new RpcCall(ctx, method, arguments instanceof JsonObject a ? a : null, json.getValue("tag"));
        Consumer<RpcCall> handler = methods.get(method);
        if (handler == null) {
            call.result("method name not recognized");
            return;
        }
        try {
            handler.accept(call);
        } catch (RuntimeException e) {
            call.fail(e);
        }
    }
}
