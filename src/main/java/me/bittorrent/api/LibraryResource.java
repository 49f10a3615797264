package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import me.bittorrent.engine.ConflictException;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.engine.QueueMove;
import me.bittorrent.engine.TorrentStatus;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.Map;

/**
 * Recheck, reannounce, force start, queue order, save path (moving the files), categories and tags. Each torrent
 * action answers like the controls: what was done and the torrent's state right after.
 */
@Path("/")
@Tag(name = "Library")
@Produces(MediaType.APPLICATION_JSON)
public class LibraryResource {

    public record ForceStart(Boolean force) {
    }

    public record QueueRequest(String move) {
    }

    public record LocationRequest(String savePath) {
    }

    public record TagsRequest(List<String> tags) {
    }

    public record Category(String name, String savePath) {
    }

    /** What a torrent action answers: the message, and the torrent's state, queue position, save path and tags. */
    public record LibraryResponse(String message, String torrentId, String name, String state, long queuePosition,
            String savePath, List<String> tags) {
    }

    @Inject
    DownloadEngine engine;

    @POST
    @Path("recheck/{torrent_id}")
    @Operation(summary = "Check every piece on disk again (state checking)",
            description = "A running torrent stops and starts again with a full check; a stopped or paused one is "
                    + "checked and keeps its state.")
    @APIResponse(responseCode = "200", description = "The check started",
            content = @Content(schema = @Schema(implementation = LibraryResponse.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Being moved or checked already, or stopping",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<LibraryResponse> recheck(@PathParam("torrent_id") String id) {
        return engine.recheck(id).map(ignored -> answer(id, "Checking the files again"));
    }

    @POST
    @Path("reannounce/{torrent_id}")
    @Operation(summary = "Announce to every tracker of a running torrent now")
    @APIResponse(responseCode = "200", description = "Announced",
            content = @Content(schema = @Schema(implementation = LibraryResponse.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "The torrent is not running",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<LibraryResponse> reannounce(@PathParam("torrent_id") String id) {
        return engine.reannounce(id).map(ignored -> answer(id, "Announcing to the trackers"));
    }

    @POST
    @Path("force-start/{torrent_id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Force start on or off",
            description = "Body {\"force\": true|false}. A forced torrent starts at once and does not count toward "
                    + "max_concurrent_downloads; off, it takes its turn in the queue again.")
    @APIResponse(responseCode = "200", description = "Done",
            content = @Content(schema = @Schema(implementation = LibraryResponse.class)))
    @APIResponse(responseCode = "400", description = "force missing",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<LibraryResponse> forceStart(@PathParam("torrent_id") String id, ForceStart body) {
        if (body == null || body.force() == null) {
            throw new InvalidRequestException("A JSON body {\"force\": true or false} is required");
        }
        return engine.setForceStart(id, body.force())
                .map(ignored -> answer(id, body.force() ? "Force-started" : "Force start off"));
    }

    @POST
    @Path("queue/{torrent_id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move a torrent in the download queue",
            description = "Body {\"move\": \"top\"|\"bottom\"|\"up\"|\"down\"}. The first max_concurrent_downloads "
                    + "torrents in queue order that want to download run; the others wait (state queued).")
    @APIResponse(responseCode = "200", description = "Moved; queue_position is the new place (1 = first)",
            content = @Content(schema = @Schema(implementation = LibraryResponse.class)))
    @APIResponse(responseCode = "400", description = "move is not top, bottom, up or down",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<LibraryResponse> queue(@PathParam("torrent_id") String id, QueueRequest body) {
        QueueMove move = body == null ? null : QueueMove.of(body.move());
        if (move == null) {
            throw new InvalidRequestException("A JSON body {\"move\": \"top\", \"bottom\", \"up\" or \"down\"} is required");
        }
        return engine.moveInQueue(id, move).map(ignored -> answer(id, "Moved " + move.name().toLowerCase()
                + " in the queue"));
    }

    @POST
    @Path("location/{torrent_id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move a torrent's files to another folder",
            description = "Body {\"save_path\": \"/absolute/folder\"}. The torrent stops (state moving), its files "
                    + "move, and it starts again if it was running. The folder must be absolute and is created when "
                    + "missing; the service's state folder (and folders in or around it) is refused; nothing at the "
                    + "target is overwritten.")
    @APIResponse(responseCode = "200", description = "Moved; save_path is the new folder",
            content = @Content(schema = @Schema(implementation = LibraryResponse.class)))
    @APIResponse(responseCode = "400", description = "Not an absolute folder, the state folder, or not writable",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "The files could not be moved (they stay where they were)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<LibraryResponse> location(@PathParam("torrent_id") String id, LocationRequest body) {
        return engine.setLocation(id, body == null ? null : body.savePath())
                .map(dir -> answer(id, "Files moved to " + dir));
    }

    @POST
    @Path("tags/{torrent_id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set a torrent's tags", description = "Body {\"tags\": [\"a\", \"b\"]} replaces its tags; "
            + "a tag is not empty, at most 128 characters, without a comma.")
    @APIResponse(responseCode = "200", description = "The torrent's tags now",
            content = @Content(schema = @Schema(implementation = LibraryResponse.class)))
    @APIResponse(responseCode = "400", description = "An invalid tag",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<LibraryResponse> tags(@PathParam("torrent_id") String id, TagsRequest body) {
        if (body == null || body.tags() == null) {
            throw new InvalidRequestException("A JSON body {\"tags\": [...]} is required");
        }
        return engine.changeTags(id, body.tags(), null, true).map(ignored -> answer(id, "Tags set"));
    }

    @GET
    @Path("tags")
    @Operation(summary = "Every known tag")
    public List<String> allTags() {
        return engine.tags();
    }

    @GET
    @Path("categories")
    @Operation(summary = "The categories, each with its save path",
            description = "save_path \"\" means the download folder; a relative one is inside the download folder.")
    public List<Category> categories() {
        return engine.categories().entrySet().stream().map(e -> new Category(e.getKey(), e.getValue())).toList();
    }

    @POST
    @Path("categories")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a category or change its save path",
            description = "Body {\"name\": \"tv\", \"save_path\": \"/data/tv\"}. A torrent added with the category "
                    + "and no save path of its own downloads there.")
    @APIResponse(responseCode = "200", description = "The category",
            content = @Content(schema = @Schema(implementation = Category.class)))
    @APIResponse(responseCode = "400", description = "An invalid name or save path",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<Category> saveCategory(Category body) {
        if (body == null) {
            throw new InvalidRequestException("A JSON body {\"name\", \"save_path\"} is required");
        }
        return engine.saveCategory(body.name(), body.savePath(), null)
                .map(all -> new Category(body.name().trim(), all.get(body.name().trim())));
    }

    @DELETE
    @Path("categories/{name}")
    @Operation(summary = "Remove a category (its torrents keep their files and have no category any more)")
    @APIResponse(responseCode = "200", description = "Removed")
    @APIResponse(responseCode = "404", description = "No such category",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<Map<String, String>> removeCategory(@PathParam("name") String name) {
        return engine.removeCategories(List.of(name)).map(gone -> {
            if (gone.isEmpty()) {
                throw new jakarta.ws.rs.NotFoundException();
            }
            return Map.of("message", "Category removed", "name", name);
        });
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return ErrorMappers.error(Response.Status.CONFLICT, new ApiError(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response noCategory(jakarta.ws.rs.NotFoundException e) {
        return ErrorMappers.error(Response.Status.NOT_FOUND, new ApiError("Category not found"));
    }

    private LibraryResponse answer(String id, String message) {
        return engine.find(id).map(t -> {
            TorrentStatus s = engine.statusOf(t);
            return new LibraryResponse(message, id, t.name(), s.state(), s.queuePosition(), s.savePath(), s.tags());
        }).orElse(new LibraryResponse(message, id, null, null, 0, null, List.of()));
    }
}
