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
import me.bittorrent.state.FilePriority;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/files/{torrent_id}")
@Tag(name = "Files")
@Produces(MediaType.APPLICATION_JSON)
public class FilesResource {

    /** GET and POST answer: the torrent's files with selection and verified progress (percent). */
    public record FilesResponse(String torrentId, String name, List<FileStatus> files) {
    }

    /**
     * POST body: file path (as listed) to wanted, and/or file path to priority (skip, low, normal, high; skip
     * deselects, the others select). A path in both takes its priority.
     */
    public record FileSelectionRequest(Map<String, Boolean> fileSelections,
            @Schema(description = "file path to skip, low, normal or high") Map<String, String> filePriorities) {

        public FileSelectionRequest(Map<String, Boolean> fileSelections) {
            this(fileSelections, null);
        }
    }

    @Inject
    DownloadEngine engine;

    @GET
    @Operation(summary = "List a torrent's files",
            description = "path, size, selected, progress (percent), priority (skip, low, normal, high)")
    @APIResponse(responseCode = "200", description = "The files",
            content = @Content(schema = @Schema(implementation = FilesResponse.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<FilesResponse> list(@PathParam("torrent_id") String torrentId) {
        return engine.files(torrentId).map(files -> respond(torrentId, files));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Select the files to download and set their priorities",
            description = "Body: {\"file_selections\": {\"path\": true|false}} and/or {\"file_priorities\": "
                    + "{\"path\": \"skip\"|\"low\"|\"normal\"|\"high\"}} (skip deselects the file, another level "
                    + "selects it; pieces of higher-priority files are downloaded first). Files not named keep their "
                    + "selection and priority.")
    @APIResponse(responseCode = "200", description = "The files after the change",
            content = @Content(schema = @Schema(implementation = FilesResponse.class)))
    @APIResponse(responseCode = "400", description = "Unknown path or malformed body",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<FilesResponse> select(@PathParam("torrent_id") String torrentId, FileSelectionRequest request) {
        if (request == null || (request.fileSelections() == null && request.filePriorities() == null)) {
            return Uni.createFrom().failure(new InvalidRequestException(
                    "Send {\"file_selections\": {\"path\": true|false}} or {\"file_priorities\": {\"path\": "
                            + "\"skip\"|\"low\"|\"normal\"|\"high\"}}"));
        }
        Map<String, Boolean> selections = new LinkedHashMap<>();
        if (request.fileSelections() != null) {
            selections.putAll(request.fileSelections());
        }
        Map<String, FilePriority> levels = new LinkedHashMap<>();
        if (request.filePriorities() != null) {
            for (Map.Entry<String, String> e : request.filePriorities().entrySet()) {
                FilePriority level = FilePriority.byName(e.getValue());
                if (level == null) {
                    return Uni.createFrom().failure(new InvalidRequestException("file_priorities[\"" + e.getKey()
                            + "\"] must be one of skip, low, normal, high (not " + e.getValue() + ")"));
                }
                selections.put(e.getKey(), level != FilePriority.SKIP);
                if (level != FilePriority.SKIP) {
                    levels.put(e.getKey(), level);
                }
            }
        }
        if (selections.containsValue(null)) {
            return Uni.createFrom().failure(new InvalidRequestException("file_selections values must be true or false"));
        }
        return engine.changeFiles(torrentId, selections, levels).map(files -> respond(torrentId, files));
    }

    private FilesResponse respond(String torrentId, List<FileStatus> files) {
        String name = engine.find(torrentId).map(t -> t.name()).orElse(null);
        return new FilesResponse(torrentId, name, files);
    }
}
