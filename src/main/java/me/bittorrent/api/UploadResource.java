package me.bittorrent.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.engine.SettingsUpdate;
import me.bittorrent.engine.WebTorrentFetcher;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.util.Locale;

@Path("/upload")
@Tag(name = "Torrents")
public class UploadResource {

    static final String NOT_A_TORRENT = "Invalid file format. Only .torrent files are supported.";

    @Inject
    DownloadEngine engine;
    @Inject
    ObjectMapper json;
    @Inject
    Vertx vertx;
    @Inject
    WebTorrentFetcher fetcher;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a torrent (a .torrent file, a magnet link or a web link to a .torrent)",
            description = "Multipart form: part 'file' is the .torrent file, or part 'magnet' a BEP 9 magnet link "
                    + "(magnet:?xt=urn:btih:..., with dn, tr, x.pe and so), or part 'url' an http(s) link to a "
                    + ".torrent file (an indexer's download link; fetched by the service: at most 5 redirects, a "
                    + "redirect to a magnet link adds that link, 16 MiB, 30 s; never this service's own port); one "
                    + "of the three is required. Part "
                    + "'settings' is optional JSON with the download settings (speed_limit, upload_limit, max_peers, "
                    + "max_connections, auto_stop, verify_pieces, pre_allocate, category, ratio_limit, "
                    + "seeding_time_limit, share_limit_action); part 'save_path' is optional (a .torrent only): an "
                    + "absolute folder for this torrent (else the category's save path, else the download folder). The "
                    + "torrent is saved and shown as stopped; a magnet link, once started, reads 'metadata' until its "
                    + "info dictionary arrived from peers. The same link as JSON: POST /upload with "
                    + "{\"magnet\": \"magnet:?...\", \"settings\": {...}}.")
    @APIResponse(responseCode = "200", description = "Added",
            content = @Content(schema = @Schema(implementation = UploadResponse.class)))
    @APIResponse(responseCode = "400",
            description = "Not a .torrent file, an invalid torrent or magnet link, a web link that could not be "
                    + "fetched or is not a torrent (the detail says why), or invalid settings",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Already added; torrent_id names it",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<UploadResponse> upload(
            @RestForm("file") @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING,
                    format = "binary") FileUpload file,
            @RestForm("settings") String settings,
            @RestForm("magnet") @Schema(description = "a magnet link, instead of 'file'") String magnet,
            @RestForm("save_path") String savePath,
            @RestForm("url") @Schema(description = "an http(s) link to a .torrent file, instead of 'file'") String url) {
        if (url != null && !url.isBlank()) {
            if (file != null && file.uploadedFile() != null || magnet != null && !magnet.isBlank()) {
                return Uni.createFrom().failure(new InvalidRequestException(
                        "Send one of a .torrent file (part 'file'), a magnet link (part 'magnet') or a web link "
                                + "(part 'url'), not several"));
            }
            return settingsOf(settings).chain(update -> addLink(url, update, savePath)).map(UploadResponse::of);
        }
        if (magnet != null && !magnet.isBlank()) {
            if (file != null && file.uploadedFile() != null) {
                return Uni.createFrom().failure(new InvalidRequestException(
                        "Send either a .torrent file (part 'file') or a magnet link (part 'magnet'), not both"));
            }
            if (savePath != null && !savePath.isBlank()) {
                return Uni.createFrom().failure(new InvalidRequestException(
                        "save_path is not supported with a magnet link yet: add it, then move it with /location"));
            }
            return settingsOf(settings).chain(update -> engine.addMagnet(magnet, update)).map(UploadResponse::of);
        }
        if (file == null || file.uploadedFile() == null) {
            return Uni.createFrom().failure(new InvalidRequestException(
                    "No file uploaded: send the .torrent file as the multipart part 'file', or a magnet link as "
                            + "the part 'magnet'"));
        }
        String fileName = file.fileName();
        if (fileName != null && !fileName.isBlank() && !fileName.toLowerCase(Locale.ROOT).endsWith(".torrent")) {
            return Uni.createFrom().failure(new InvalidRequestException(NOT_A_TORRENT));
        }
        SettingsUpdate update;
        try {
            update = settings == null || settings.isBlank() ? SettingsUpdate.NONE
                    : json.readValue(settings, SettingsUpdate.class);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new InvalidRequestException("settings: " + ErrorMappers.describe(e)));
        }
        return vertx.fileSystem().readFile(file.uploadedFile().toString())
                .map(buffer -> buffer.getBytes())
                .chain(bytes -> {
                    // A .torrent is a bencoded dictionary; anything else is not a torrent at all.
                    if (bytes.length == 0 || bytes[0] != 'd') {
                        return Uni.createFrom().failure(new InvalidRequestException(NOT_A_TORRENT));
                    }
                    return engine.add(bytes, update, savePath, null);
                })
                .map(UploadResponse::of);
    }

    /** The JSON way to add a magnet link, or a web link to a .torrent file ({@code url}). */
    public record MagnetRequest(String magnet, SettingsUpdate settings, String url) {
    }

    /**
     * Fetches a web link and adds what it gave: a .torrent (validated as an upload) in {@code savePath}, or the
     * magnet link it redirected to (placed in {@code savePath} before it has files).
     */
    private Uni<me.bittorrent.engine.RegisteredTorrent> addLink(String url, SettingsUpdate update, String savePath) {
        return fetcher.fetch(url, null).chain(fetched -> {
            if (fetched instanceof WebTorrentFetcher.TorrentBytes t) {
                return engine.add(t.bytes(), update, savePath, null)
                        .onFailure(me.bittorrent.engine.InvalidTorrentFileException.class)
                        .transform(e -> WebTorrentFetcher.notATorrent(t, e));
            }
            String link = ((WebTorrentFetcher.Magnet) fetched).link();
            return engine.addMagnet(link, update).call(torrent -> savePath == null || savePath.isBlank()
                    ? Uni.createFrom().voidItem() : engine.setLocation(torrent.id(), savePath));
        });
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a magnet link or a web link to a .torrent (JSON)",
            description = "Body: {\"magnet\": \"magnet:?xt=urn:btih:...\", \"settings\": {...}} (settings optional, "
                    + "as in the multipart form), or {\"url\": \"https://indexer/download/x.torrent\"}: the same as "
                    + "the multipart parts 'magnet' and 'url'.")
    @APIResponse(responseCode = "200", description = "Added",
            content = @Content(schema = @Schema(implementation = UploadResponse.class)))
    @APIResponse(responseCode = "400", description = "No or an invalid magnet link, a web link that could not be "
            + "fetched or is not a torrent (the detail says why), or invalid settings",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Already added (as a magnet link or a .torrent); torrent_id names it",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<UploadResponse> uploadMagnet(MagnetRequest request) {
        if (request != null && request.url() != null && !request.url().isBlank()) {
            if (request.magnet() != null && !request.magnet().isBlank()) {
                return Uni.createFrom().failure(new InvalidRequestException("Send either 'magnet' or 'url', not both"));
            }
            return addLink(request.url(), request.settings() == null ? SettingsUpdate.NONE : request.settings(), null)
                    .map(UploadResponse::of);
        }
        if (request == null || request.magnet() == null || request.magnet().isBlank()) {
            return Uni.createFrom().failure(new InvalidRequestException(
                    "A JSON body {\"magnet\": \"magnet:?xt=urn:btih:...\"} or {\"url\": \"https://...\"} is required"));
        }
        return engine.addMagnet(request.magnet(), request.settings()).map(UploadResponse::of);
    }

    private Uni<SettingsUpdate> settingsOf(String settings) {
        try {
            return Uni.createFrom().item(settings == null || settings.isBlank() ? SettingsUpdate.NONE
                    : json.readValue(settings, SettingsUpdate.class));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new InvalidRequestException("settings: " + ErrorMappers.describe(e)));
        }
    }
}
