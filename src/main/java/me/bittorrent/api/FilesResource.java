package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.FileStatus;
import me.bittorrent.engine.InvalidRequestException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;

@Path("/files/{torrent_id}")
@Tag(name = "Files")
@Produces(MediaType.APPLICATION_JSON)
public class FilesResource {

    /** GET and POST answer: the torrent's files with selection and verified progress (percent). */
    public record FilesResponse(String torrentId, String name, List<FileStatus> files) {
    }

    /** POST body: file path (as listed) to wanted. */
    public record FileSelectionRequest(Map<String, Boolean> fileSelections) {
    }

    @Inject
    DownloadEngine engine;

    @GET
    @Operation(summary = "List a torrent's files", description = "path, size, selected, progress (percent)")
    @APIResponse(responseCode = "200", description = "The files",
            content = @Content(schema = @Schema(implementation = FilesResponse.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<FilesResponse> list(@PathParam("torrent_id") String torrentId) {
        return engine.files(torrentId).map(files -> respond(torrentId, files));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Select the files to download",
            description = "Body: {\"file_selections\": {\"path\": true|false}}; files not named keep their selection.")
    @APIResponse(responseCode = "200", description = "The files after the change",
            content = @Content(schema = @Schema(implementation = FilesResponse.class)))
    @APIResponse(responseCode = "400", description = "Unknown path or malformed body",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<FilesResponse> select(@PathParam("torrent_id") String torrentId, FileSelectionRequest request) {
        if (request == null || request.fileSelections() == null) {
            return Uni.createFrom().failure(new InvalidRequestException(
                    "Send {\"file_selections\": {\"path\": true|false}}"));
        }
        return engine.selectFiles(torrentId, request.fileSelections()).map(files -> respond(torrentId, files));
    }

    private FilesResponse respond(String torrentId, List<FileStatus> files) {
        String name = engine.find(torrentId).map(t -> t.name()).orElse(null);
        return new FilesResponse(torrentId, name, files);
    }
}
