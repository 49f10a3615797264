package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.InvalidRequestException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/")
@Tag(name = "Download folder")
@Produces(MediaType.APPLICATION_JSON)
public class DownloadDirResource {

    public record DirectoryRequest(String directory) {
    }

    public record DirectoryResponse(String message, String directory) {
    }

    @Inject
    DownloadEngine engine;

    @POST
    @Path("set-download-dir")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the folder new torrents download into",
            description = "Body: {\"directory\": \"...\"}. The folder is created if missing. Torrents already added "
                    + "keep the folder they were added with.")
    @APIResponse(responseCode = "200", description = "The folder, absolute",
            content = @Content(schema = @Schema(implementation = DirectoryResponse.class)))
    @APIResponse(responseCode = "400", description = "Missing, or cannot be created or written",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<DirectoryResponse> set(DirectoryRequest request) {
        if (request == null) {
            return Uni.createFrom().failure(new InvalidRequestException("Send {\"directory\": \"...\"}"));
        }
        return engine.setDownloadDir(request.directory())
                .map(dir -> new DirectoryResponse("Download directory updated", dir.toString()));
    }

    @GET
    @Path("get-download-dir")
    @Operation(summary = "The folder new torrents download into")
    @APIResponse(responseCode = "200", description = "The folder, absolute",
            content = @Content(schema = @Schema(implementation = DirectoryResponse.class)))
    public Uni<DirectoryResponse> get() {
        return Uni.createFrom().item(new DirectoryResponse(null, engine.downloadDir().toString()));
    }
}
