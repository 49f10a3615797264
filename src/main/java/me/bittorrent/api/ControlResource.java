package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import me.bittorrent.engine.ConflictException;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.TorrentStatus;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.function.Function;

/**
 * start, pause, resume, stop; each as GET (the original spec) and POST. Cross-site GETs are refused by
 * {@link CsrfFilter}. Lenient like qBittorrent: starting a running torrent or stopping a stopped one is a no-op.
 */
@Path("/")
@Tag(name = "Torrents")
@Produces(MediaType.APPLICATION_JSON)
public class ControlResource {

    /** What a control answers: what was done and the torrent's state right after. */
    public record ControlResponse(String message, String torrentId, String name, String state) {
    }

    @Inject
    DownloadEngine engine;

    @GET
    @Path("start/{torrent_id}")
    @Operation(summary = "Start a download (waits in state queued when BT_MAX_CONCURRENT_DOWNLOADS are running)")
    @APIResponse(responseCode = "200", description = "Started, queued, or already running",
            content = @Content(schema = @Schema(implementation = ControlResponse.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<ControlResponse> startByGet(@PathParam("torrent_id") String id) {
        return control(id, engine::start, "Download started");
    }

    @POST
    @Path("start/{torrent_id}")
    @Operation(summary = "Start a download")
    public Uni<ControlResponse> start(@PathParam("torrent_id") String id) {
        return control(id, engine::start, "Download started");
    }

    @GET
    @Path("pause/{torrent_id}")
    @Operation(summary = "Pause a download: no requests and no uploads; peers and tracker registration stay")
    @APIResponse(responseCode = "200", description = "Paused",
            content = @Content(schema = @Schema(implementation = ControlResponse.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "The download is not running",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<ControlResponse> pauseByGet(@PathParam("torrent_id") String id) {
        return control(id, engine::pause, "Download paused");
    }

    @POST
    @Path("pause/{torrent_id}")
    @Operation(summary = "Pause a download")
    public Uni<ControlResponse> pause(@PathParam("torrent_id") String id) {
        return control(id, engine::pause, "Download paused");
    }

    @GET
    @Path("resume/{torrent_id}")
    @Operation(summary = "Resume a paused download")
    @APIResponse(responseCode = "200", description = "Resumed",
            content = @Content(schema = @Schema(implementation = ControlResponse.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "The download is not paused",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<ControlResponse> resumeByGet(@PathParam("torrent_id") String id) {
        return control(id, engine::resume, "Download resumed");
    }

    @POST
    @Path("resume/{torrent_id}")
    @Operation(summary = "Resume a paused download")
    public Uni<ControlResponse> resume(@PathParam("torrent_id") String id) {
        return control(id, engine::resume, "Download resumed");
    }

    @GET
    @Path("stop/{torrent_id}")
    @Operation(summary = "Stop a download: announces stopped, closes peers, saves its state")
    @APIResponse(responseCode = "200", description = "Stopped",
            content = @Content(schema = @Schema(implementation = ControlResponse.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<ControlResponse> stopByGet(@PathParam("torrent_id") String id) {
        return control(id, engine::stop, "Download stopped");
    }

    @POST
    @Path("stop/{torrent_id}")
    @Operation(summary = "Stop a download")
    public Uni<ControlResponse> stop(@PathParam("torrent_id") String id) {
        return control(id, engine::stop, "Download stopped");
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return ErrorMappers.error(Response.Status.CONFLICT, new ApiError(e.getMessage()));
    }

    private Uni<ControlResponse> control(String id, Function<String, Uni<Void>> action, String message) {
        return action.apply(id).map(ignored -> {
            String name = engine.find(id).map(t -> t.name()).orElse(null);
            String state = engine.find(id).map(engine::statusOf).map(TorrentStatus::state).orElse(null);
            return new ControlResponse(message, id, name, state);
        });
    }
}
