package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.SettingsUpdate;
import me.bittorrent.state.TorrentSettings;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/settings/{torrent_id}")
@Tag(name = "Torrents")
public class SettingsResource {

    public record SettingsResponse(String message, String torrentId, TorrentSettings settings) {
    }

    @Inject
    DownloadEngine engine;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a torrent's settings",
            description = "Any of speed_limit, upload_limit (KB/s, 0 = unlimited), max_peers, max_connections, "
                    + "auto_stop, verify_pieces, pre_allocate; fields not sent keep their value.")
    @APIResponse(responseCode = "200", description = "The settings now in force",
            content = @Content(schema = @Schema(implementation = SettingsResponse.class)))
    @APIResponse(responseCode = "400", description = "A value out of range or malformed JSON",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<SettingsResponse> update(@PathParam("torrent_id") String torrentId, SettingsUpdate settings) {
        return engine.updateSettings(torrentId, settings)
                .map(applied -> new SettingsResponse("Settings updated", torrentId, applied));
    }
}
