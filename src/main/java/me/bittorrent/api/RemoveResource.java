package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.InvalidRequestException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Locale;

@Path("/remove/{torrent_id}")
@Tag(name = "Torrents")
@Produces(MediaType.APPLICATION_JSON)
public class RemoveResource {

    public record RemoveResponse(String message, String torrentId, String name, boolean filesDeleted,
            int deletedFiles) {
    }

    @Inject
    DownloadEngine engine;

    @GET
    @Operation(summary = "Remove a torrent (GET form of the original spec)",
            description = "Removes the torrent and its saved state; its downloaded files are deleted too unless "
                    + "delete_files=false. Refused (403) when sent from another site.")
    @APIResponse(responseCode = "200", description = "Removed",
            content = @Content(schema = @Schema(implementation = RemoveResponse.class)))
    @APIResponse(responseCode = "403", description = "Cross-site request refused",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<RemoveResponse> removeByGet(@PathParam("torrent_id") String torrentId,
            @Parameter(description = "true (default) deletes the downloaded files") @QueryParam("delete_files")
            String deleteFiles) {
        return remove(torrentId, deleteFiles);
    }

    @POST
    @Operation(summary = "Remove a torrent",
            description = "Removes the torrent and its saved state; its downloaded files are deleted too unless "
                    + "delete_files=false.")
    @APIResponse(responseCode = "200", description = "Removed",
            content = @Content(schema = @Schema(implementation = RemoveResponse.class)))
    @APIResponse(responseCode = "403", description = "Cross-site request refused",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<RemoveResponse> removeByPost(@PathParam("torrent_id") String torrentId,
            @Parameter(description = "true (default) deletes the downloaded files") @QueryParam("delete_files")
            String deleteFiles) {
        return remove(torrentId, deleteFiles);
    }

    private Uni<RemoveResponse> remove(String torrentId, String deleteFiles) {
        boolean delete;
        try {
            delete = parseBoolean(deleteFiles);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        return engine.remove(torrentId, delete).map(removal -> new RemoveResponse(
                removal.filesDeleted() ? "Download removed and its files deleted" : "Download removed",
                removal.torrentId(), removal.name(), removal.filesDeleted(), removal.deletedFileCount()));
    }

    static boolean parseBoolean(String value) {
        if (value == null || value.isBlank()) {
            return true;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes":
                return true;
            case "false", "0", "no":
                return false;
            default:
                throw new InvalidRequestException("delete_files must be true or false");
        }
    }
}
