package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
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

import java.util.Map;

@Path("/status")
@Tag(name = "Torrents")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    @Inject
    DownloadEngine engine;

    @GET
    @Operation(summary = "Status of every torrent", description = "A map from torrent_id to its status.")
    @APIResponse(responseCode = "200", description = "torrent_id to status",
            content = @Content(schema = @Schema(implementation = Map.class,
                    additionalProperties = TorrentStatus.class)))
    public Uni<Map<String, TorrentStatus>> all() {
        return engine.statuses();
    }

    @GET
    @Path("/{torrent_id}")
    @Operation(summary = "Status of one torrent")
    @APIResponse(responseCode = "200", description = "The torrent's status",
            content = @Content(schema = @Schema(implementation = TorrentStatus.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<TorrentStatus> one(@PathParam("torrent_id") String torrentId) {
        return engine.status(torrentId);
    }
}
