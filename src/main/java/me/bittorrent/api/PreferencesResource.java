package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.engine.GlobalPreferences;
import me.bittorrent.engine.GlobalSettings;
import me.bittorrent.engine.GlobalSettingsUpdate;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Service-wide settings: global limits, concurrent downloads, the peer port and the defaults for new torrents. */
@Path("/settings")
@Tag(name = "Settings")
public class PreferencesResource {

    @Inject
    GlobalPreferences preferences;
    @Inject
    me.bittorrent.engine.DownloadEngine engine;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The service-wide settings",
            description = "download_limit and upload_limit (KB/s, shared by all torrents, 0 = unlimited), "
                    + "max_concurrent_downloads, peer_port, default_settings for new torrents, and dht (the DHT "
                    + "finds peers for public torrents; false for good with BT_DHT=off), pex (peer exchange, BEP 11, "
                    + "with the peers of public torrents; false for good with BT_PEX=off), lsd (local service "
                    + "discovery announces public torrents on the LAN and finds peers there; false for good with "
                    + "BT_LSD=off), alt_download_limit and alt_upload_limit (KB/s, 0 = unlimited) with "
                    + "alt_speed_enabled (they apply instead of the normal limits while on).")
    @APIResponse(responseCode = "200", description = "The settings in force",
            content = @Content(schema = @Schema(implementation = GlobalSettings.class)))
    public GlobalSettings get() {
        return preferences.settings();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change the service-wide settings",
            description = "Any of download_limit, upload_limit (KB/s, 0 = unlimited), max_concurrent_downloads "
                    + "(1-1000; lowering it queues the newest active downloads), peer_port (1-65535; the listener "
                    + "moves), default_settings (the per-torrent fields, each optional), dht (true/false, applied live; "
                    + "true is a 400 when the service runs with BT_DHT=off), pex (true/false; new connections follow it "
                    + "at once; true is a 400 with BT_PEX=off), lsd (true/false, applied live; true is a "
                    + "400 when the service runs with BT_LSD=off), alt_download_limit, alt_upload_limit (KB/s), "
                    + "alt_speed_enabled (switches the global limiters at once). Fields not sent keep "
                    + "their value. Saved in the state folder and applied at once.")
    @APIResponse(responseCode = "200", description = "The settings now in force",
            content = @Content(schema = @Schema(implementation = GlobalSettings.class)))
    @APIResponse(responseCode = "400", description = "A value out of range or malformed JSON",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<GlobalSettings> update(GlobalSettingsUpdate update) {
        return engine.requireWritableState().chain(() -> preferences.update(update));
    }
}
