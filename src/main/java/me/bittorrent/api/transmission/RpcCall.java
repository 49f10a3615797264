package me.bittorrent.api.transmission;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import me.bittorrent.engine.ConflictException;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.engine.StateNotWritableException;
import me.bittorrent.engine.TorrentNotFoundException;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionException;

/**
 * One RPC request ({@code {"method", "arguments", "tag"}}) and its answer: always HTTP 200 with
 * {@code {"result", "arguments", "tag"}}, {@code result} "success" or a sentence saying what went wrong, as
 * Transmission answers.
 */
final class RpcCall {

    private static final Logger LOG = Logger.getLogger(RpcCall.class);

    final RoutingContext ctx;
    final String method;
    final JsonObject arguments;
    private final Object tag;

    RpcCall(RoutingContext ctx, String method, JsonObject arguments, Object tag) {
        this.ctx = ctx;
        this.method = method;
        this.arguments = arguments == null ? new JsonObject() : arguments;
        this.tag = tag;
    }

    void success(JsonObject arguments) {
        answer("success", arguments);
    }

    void success() {
        answer("success", new JsonObject());
    }

    /** A failure in Transmission's way: the sentence as {@code result}. */
    void result(String result) {
        answer(result, new JsonObject());
    }

    void answer(String result, JsonObject arguments) {
        JsonObject body = new JsonObject().put("arguments", arguments).put("result", result);
        if (tag != null) {
            body.put("tag", tag);
        }
        send(ctx, 200, body);
    }

    static void send(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=UTF-8")
                .putHeader("Cache-Control", "no-store").end(body.encode());
    }

    /** What a failure tells the client; an unexpected one is logged and answered without its details. */
    void fail(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (e instanceof EngineExtras.NotSupportedYet || e instanceof InvalidRequestException
                || e instanceof ConflictException || e instanceof StateNotWritableException
                || e instanceof RpcException) {
            result(e.getMessage());
        } else if (e instanceof TorrentNotFoundException) {
            result("torrent not found");
        } else {
            LOG.errorf(e, "Unexpected failure answering the Transmission RPC method %s", method);
            result("internal error: the failure was logged on the server");
        }
    }

    /** A boolean argument; Transmission clients also send 0/1. */
    boolean bool(String name, boolean fallback) {
        Object value = arguments.getValue(name);
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.intValue() != 0;
        }
        if (value instanceof String s) {
            if (s.equalsIgnoreCase("true") || s.equals("1")) {
                return true;
            }
            return !s.equalsIgnoreCase("false") && !s.equals("0") && fallback;
        }
        return fallback;
    }

    /** A whole-number argument, or null when absent. */
    Long number(String name) {
        Object value = arguments.getValue(name);
        if (value == null) {
            return null;
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw new RpcException("argument '" + name + "' must be a whole number");
    }

    String string(String name) {
        Object value = arguments.getValue(name);
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        throw new RpcException("argument '" + name + "' must be a string");
    }

    JsonArray array(String name) {
        Object value = arguments.getValue(name);
        if (value == null) {
            return null;
        }
        if (value instanceof JsonArray a) {
            return a;
        }
        throw new RpcException("argument '" + name + "' must be an array");
    }

    /** A request Transmission would refuse: its message becomes the result. */
    static final class RpcException extends RuntimeException {
        RpcException(String message) {
            super(message);
        }
    }
}
