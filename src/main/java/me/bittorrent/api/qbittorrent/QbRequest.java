package me.bittorrent.api.qbittorrent;

import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.engine.TorrentNotFoundException;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One WebAPI call: its parameters (query and form fields alike, as qBittorrent reads them) and the answers
 * qBittorrent gives: plain text ("Ok.", "Fails.", an error sentence) or JSON.
 */
final class QbRequest {

    private static final Logger LOG = Logger.getLogger(QbRequest.class);
    private static final int MAX_HASHES = 100_000;

    final RoutingContext ctx;

    QbRequest(RoutingContext ctx) {
        this.ctx = ctx;
    }

    /** A parameter from the query or the form body, trimmed; null when absent. */
    String param(String name) {
        String value = ctx.request().getParam(name);
        return value == null ? null : value.trim();
    }

    String required(String name) {
        String value = param(name);
        if (value == null || value.isEmpty()) {
            throw new InvalidRequestException("Missing parameter: " + name);
        }
        return value;
    }

    /**
     * true/false in any case (Sonarr sends "True"); {@code fallback} when absent, empty or anything else (Flood
     * sends "undefined"), as qBittorrent's parseBool(...).value_or(fallback).
     */
    boolean bool(String name, boolean fallback) {
        String value = param(name);
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> fallback;
        };
    }

    /** A whole number; {@code fallback} when absent or empty (qBittorrent sends "" for "not set"). */
    long number(String name, long fallback) {
        String value = param(name);
        if (value == null || value.isEmpty() || value.equals("undefined")) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + " must be a whole number");
        }
    }

    /** The torrents named by {@code hashes}: '|'-separated info-hashes (lowercased), or null for "all". */
    List<String> hashes(String name) {
        String value = required(name);
        if (value.equalsIgnoreCase("all")) {
            return null;
        }
        return Arrays.stream(value.split("\\|", MAX_HASHES)).map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).distinct().toList();
    }

    /** The one torrent named by {@code hash}, lowercased. */
    String hash() {
        return required("hash").toLowerCase(Locale.ROOT);
    }

    void text(String body) {
        text(200, body);
    }

    void text(int status, String body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=UTF-8")
                .putHeader("Cache-Control", "no-store").end(body);
    }

    /** Records and maps (Vert.x' JSON: Jackson without reflection on our types). */
    void json(Object body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(Json.encode(body));
    }

    /** Failures as qBittorrent answers them: 404 for an unknown torrent, 400 with the reason, 500 logged. */
    void fail(Throwable failure) {
        Throwable e = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (e instanceof TorrentNotFoundException) {
            text(404, "Torrent hash was not found");
        } else if (e instanceof QbAddEndpoint.NotATorrent) {
            text(415, e.getMessage());
        } else if (e instanceof me.bittorrent.engine.ConflictException) {
            text(409, e.getMessage());
        } else if (e instanceof InvalidRequestException) {
            text(400, e.getMessage());
        } else {
            LOG.errorf(e, "Unexpected failure answering %s %s", ctx.request().method(), ctx.normalizedPath());
            text(500, "Internal server error: the failure was logged on the server");
        }
    }
}
