package me.bittorrent.api;

import io.netty.buffer.Unpooled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.TorrentStatus;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.QueryParam;
import me.bittorrent.engine.InvalidRequestException;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/status")
@Tag(name = "Torrents")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    @Inject
    DownloadEngine engine;

    @Inject
    ObjectMapper json;

    @Inject
    StatusJson statusJson;

    /** The field names a status has in JSON (snake_case), as Jackson writes them. */
    private volatile Set<String> fieldNames;

    @GET
    @Operation(summary = "Status of every torrent", description = "A map from torrent_id to its status, ordered by "
            + "torrent_id. `fields` keeps only the named fields of each status; `offset` and `limit` return one page "
            + "of the torrents (the header X-Total-Count then gives how many there are).")
    @APIResponse(responseCode = "200", description = "torrent_id to status (or to the fields asked for)",
            content = @Content(schema = @Schema(implementation = Map.class,
                    additionalProperties = TorrentStatus.class)))
    @APIResponse(responseCode = "400", description = "An unknown field, or a negative offset or limit",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "Just started: the torrents are still being restored from the "
            + "state folder after 10 s (Retry-After: 1)", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<RestResponse<Buffer>> all(
            @Parameter(description = "Comma-separated status fields to return, e.g. name,state,progress")
            @QueryParam("fields") String fields,
            @Parameter(description = "Torrents to skip (in torrent_id order); default 0") @QueryParam("offset")
            String offset,
            @Parameter(description = "At most this many torrents; default all") @QueryParam("limit") String limit) {
        List<String> wanted = fields == null ? null : parseFields(fields);
        int skip = count("offset", offset, 0);
        int max = count("limit", limit, Integer.MAX_VALUE);
        boolean paged = offset != null || limit != null;
        return engine.statuses().map(all -> {
            Map<String, TorrentStatus> page = all;
            if (paged) {
                page = new LinkedHashMap<>();
                int i = 0;
                for (Map.Entry<String, TorrentStatus> e : all.entrySet()) {
                    if (i++ < skip) {
                        continue;
                    }
                    if (page.size() >= max) {
                        break;
                    }
                    page.put(e.getKey(), e.getValue());
                }
            }
            // a Vert.x buffer is written as it is: the whole body is never one more array (StatusJson.body)
            RestResponse.ResponseBuilder<Buffer> answer = RestResponse.ResponseBuilder.ok(wanted == null
                    ? statusJson.body(page, !paged) : Buffer.buffer(Unpooled.wrappedBuffer(onlyFields(page, wanted))),
                    MediaType.APPLICATION_JSON_TYPE);
            if (paged) {
                answer.header("X-Total-Count", all.size());
            }
            return answer.build();
        });
    }

    private byte[] onlyFields(Map<String, TorrentStatus> page, List<String> wanted) {
        Map<String, ObjectNode> narrow = new LinkedHashMap<>();
        page.forEach((id, status) -> narrow.put(id, only(status, wanted)));
        try {
            return json.writeValueAsBytes(narrow);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A whole number of 0 or more (a 400 otherwise, where a typed parameter would give JAX-RS's 404). */
    private static int count(String name, String value, int absent) {
        if (value == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidRequestException(name + " must be a whole number of 0 or more, not '" + value + "'");
    }

    private List<String> parseFields(String fields) {
        Set<String> known = knownFields();
        List<String> wanted = new ArrayList<>();
        for (String f : fields.split(",")) {
            String name = f.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (!known.contains(name)) {
                throw new InvalidRequestException("Unknown status field '" + name + "'; known fields: "
                        + String.join(", ", known));
            }
            wanted.add(name);
        }
        if (wanted.isEmpty()) {
            throw new InvalidRequestException("fields names no field; known fields: " + String.join(", ", known));
        }
        return wanted;
    }

    private ObjectNode only(TorrentStatus status, List<String> wanted) {
        ObjectNode all = json.valueToTree(status);
        ObjectNode kept = json.createObjectNode();
        for (String name : wanted) {
            kept.set(name, all.get(name));
        }
        return kept;
    }

    private Set<String> knownFields() {
        Set<String> known = fieldNames;
        if (known == null) {
            known = new TreeSet<>();
            for (BeanPropertyDefinition p : json.getSerializationConfig()
                    .introspect(json.constructType(TorrentStatus.class)).findProperties()) {
                known.add(p.getName());
            }
            fieldNames = known;
        }
        return known;
    }

    @GET
    @Path("/{torrent_id}")
    @Operation(summary = "Status of one torrent")
    @APIResponse(responseCode = "200", description = "The torrent's status",
            content = @Content(schema = @Schema(implementation = TorrentStatus.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "Just started: the torrents are still being restored from the "
            + "state folder after 10 s (Retry-After: 1)", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<TorrentStatus> one(@PathParam("torrent_id") String torrentId) {
        return engine.status(torrentId);
    }
}
