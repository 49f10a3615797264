package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import me.bittorrent.engine.DownloadEngine;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** GET /torrent/{id}: the .torrent file, as uploaded or as made from a magnet link's fetched metadata. */
@Path("/torrent/{torrent_id}")
@Tag(name = "Torrents")
public class TorrentFileResource {

    static final String BITTORRENT = "application/x-bittorrent";

    @Inject
    DownloadEngine engine;

    @GET
    @Produces({BITTORRENT, MediaType.APPLICATION_JSON})
    @Operation(summary = "Download the .torrent file",
            description = "The .torrent as uploaded; for a magnet link, made from the metadata fetched from peers "
                    + "(with the link's trackers). 404 while a magnet link's metadata is not known yet.")
    @APIResponse(responseCode = "200", description = "The .torrent file",
            content = @Content(mediaType = BITTORRENT))
    @APIResponse(responseCode = "404", description = "Download not found, or its metadata is not known yet",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ApiError.class)))
    public Uni<Response> torrent(@PathParam("torrent_id") String torrentId) {
        return engine.torrentFile(torrentId).map(bytes -> bytes
                .map(b -> Response.ok(b, BITTORRENT).header("Content-Disposition",
                        "attachment; filename=\"" + torrentId + ".torrent\"").build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                        .entity(new ApiError("The metadata of this torrent is not known yet: it is still being "
                                + "fetched from peers (start it if it is stopped)")).build()));
    }
}
