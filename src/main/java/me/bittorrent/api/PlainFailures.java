package me.bittorrent.api;

import io.quarkus.security.AuthenticationException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.ext.web.Router;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The last line behind {@link ErrorMappers}: a failure that reaches the HTTP layer (a response that cannot be
 * serialised, a failing body handler, a route outside the REST resources) is answered {@code {"detail": "..."}},
 * written by hand so it works even when JSON serialisation itself is what failed. Without it Quarkus answers
 * {@code {"details": "Error id ...", "stack": ...}}. Security failures go on to Quarkus, which sends the challenge.
 */
@ApplicationScoped
public class PlainFailures {

    private static final Logger LOG = Logger.getLogger(PlainFailures.class);
    static final String INTERNAL = "Internal server error: the failure was logged on the server";
    /** How long the rest of a refused request is read and dropped before the connection is closed. */
    static final long LINGER_MILLIS = 2_000;
    private static final String LINGERING = "bt.lingering";

    void install(@Observes Router router) {
        router.route().failureHandler(this::answer);
    }

    void answer(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (ctx.response().headWritten() && failure instanceof jakarta.ws.rs.WebApplicationException refusal
                && refusal.getResponse().getStatus() < 500) {
            // already answered: a chunked upload past the size limit is refused (413, JSON) at the chunk that
            // crosses it, and each chunk still arriving fails again. Hang up, but not at once: a socket closed
            // with unread input sends a reset, which can reach the client before it read the answer. What it
            // still sends is read and dropped for at most LINGER_MILLIS (nginx's lingering close), then closed.
            if (ctx.get(LINGERING) == null) {
                ctx.put(LINGERING, Boolean.TRUE);
                LOG.debugf("%s %s: %s after the answer; connection closed within %d ms", ctx.request().method(),
                        ctx.request().path(), refusal.getMessage(), LINGER_MILLIS);
                HttpConnection connection = ctx.request().connection();
                ctx.vertx().setTimer(LINGER_MILLIS, id -> connection.close());
                try {
                    ctx.request().handler(dropped -> { }).resume(); // the body handler stopped reading: drain
                } catch (IllegalStateException ended) {
                    // the request was read to its end meanwhile: nothing is left to drain
                }
            }
            return;
        }
        if (ctx.response().headWritten() || ctx.statusCode() == 401 || failure instanceof AuthenticationException
                || failure instanceof UnauthorizedException || failure instanceof ForbiddenException) {
            ctx.next();
            return;
        }
        int status = ctx.statusCode() >= 400 && ctx.statusCode() <= 599 ? ctx.statusCode() : 500;
        String detail;
        if (status >= 500) {
            LOG.errorf(failure, "Unexpected failure while answering %s %s", ctx.request().method(),
                    ctx.request().path());
            detail = INTERNAL;
        } else {
            detail = HttpResponseStatus.valueOf(status).reasonPhrase();
        }
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"detail\":\"" + detail + "\"}");
    }
}
