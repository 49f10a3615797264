package me.bittorrent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import me.bittorrent.engine.TorrentChanges;
import me.bittorrent.engine.TorrentChanges.TorrentChange;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Server-sent events: every torrent's status as it changes, then only what changed. What the dashboard lives on. */
@Path("/events")
@Tag(name = "Torrents")
public class EventsResource {

    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** How long EventSource waits before reconnecting (ms), sent with the first event. */
    static final long RECONNECT_MILLIS = 2000;

    @Inject
    TorrentChanges changes;
    @Inject
    ObjectMapper mapper;

    /**
     * Turns a connection's changes into what it is sent: a torrent's first status in full, then only the fields
     * that differ from what this connection last got ({@code delta}). Events of one connection arrive one at a time.
     */
    static final class Deltas {
        private final ObjectMapper mapper;
        private final Map<String, ObjectNode> sent = new HashMap<>();

        Deltas(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        ObjectNode apply(TorrentChange change) {
            ObjectNode event = mapper.valueToTree(change);
            switch (change.type()) {
                case "reset" -> sent.clear();
                case "snapshot" -> {
                    sent.clear();
                    event.get("statuses").fields().forEachRemaining(
                            entry -> sent.put(entry.getKey(), (ObjectNode) entry.getValue()));
                }
                case "removed" -> sent.remove(change.torrentId());
                case "status" -> {
                    ObjectNode status = (ObjectNode) event.get("status");
                    ObjectNode before = sent.put(change.torrentId(), status);
                    if (before != null) {
                        ObjectNode delta = mapper.createObjectNode();
                        status.fields().forEachRemaining(field -> {
                            if (!field.getValue().equals(before.get(field.getKey()))) {
                                delta.set(field.getKey(), field.getValue());
                            }
                        });
                        event.put("type", "delta");
                        event.remove("status");
                        event.set("changes", delta);
                    }
                }
                default -> { }
            }
            return event;
        }
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Live changes (server-sent events)",
            description = "A text/event-stream. Each event has an `id:`, an `event:` name and JSON data "
                    + "{id, type, torrent_id, status}. event `reset`: forget every torrent you know; `status`: this "
                    + "torrent's status (the same object as GET /status/{torrent_id}) is now `status`; `delta` "
                    + "{id, type, torrent_id, changes}: only these fields of the torrent's status changed since the "
                    + "last event of this connection (a torrent's first event on a connection is always a full "
                    + "`status`; a torrent with nothing new sends nothing); `removed`: the torrent is gone. "
                    + "A new connection gets `reset` then one `status` per torrent, then changes "
                    + "as they happen (a torrent's status at most about twice a second). Reconnecting with the "
                    + "Last-Event-ID header replays only what was missed (the last 1000 changes are kept); an id "
                    + "older than that, or from before a restart, gets `reset` and a fresh snapshot. A comment line "
                    + "is sent every 15 s so proxies keep the connection open. With `snapshot=true` that fresh "
                    + "snapshot is one event instead: `snapshot` {id, type, statuses} where `statuses` maps each "
                    + "torrent id to its status (forget every torrent it does not name); what follows is the same.")
    @APIResponse(responseCode = "200", description = "The event stream; each event's data is a TorrentChange",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS,
                    schema = @Schema(implementation = TorrentChange.class)))
    public Multi<OutboundSseEvent> events(@Context Sse sse,
            @Parameter(description = "The id of the last event received; sent by EventSource when it reconnects")
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Parameter(description = "true: a fresh snapshot is one `snapshot` event holding every torrent's status, "
                    + "instead of `reset` and one `status` per torrent (what the dashboard asks for)")
            @QueryParam("snapshot") String snapshotParam) {
        boolean snapshot = snapshot(snapshotParam); // checked before the stream: a bad value is a 400, not a 404
        Multi<OutboundSseEvent> stream = Multi.createFrom().deferred(() -> {
            Deltas deltas = new Deltas(mapper); // one per connection: what this client was sent
            return changes.stream(parse(lastEventId), snapshot).map(deltas::apply)
                    .map(event -> sse.newEventBuilder()
                            .id(event.get("id").asText())
                            .name(event.get("type").asText())
                            .mediaType(MediaType.APPLICATION_JSON_TYPE)
                            .data(ObjectNode.class, event)
                            .reconnectDelay(RECONNECT_MILLIS)
                            .build());
        });
        Multi<OutboundSseEvent> heartbeats = Multi.createFrom().ticks().every(HEARTBEAT)
                .onOverflow().drop()
                .map(tick -> sse.newEventBuilder().comment("keep-alive").build());
        return Multi.createBy().merging().streams(stream, heartbeats);
    }

    /** Null for a missing or malformed id: the client then gets a full snapshot. */
    static Long parse(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(lastEventId.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code snapshot}: absent or {@code false} is false, {@code true} is true; anything else is refused in words. */
    static boolean snapshot(String value) {
        if (value == null || value.isBlank() || value.strip().equalsIgnoreCase("false")) {
            return false;
        }
        if (value.strip().equalsIgnoreCase("true")) {
            return true;
        }
        throw new me.bittorrent.engine.InvalidRequestException("snapshot must be true or false, not '" + value + "'");
    }
}
