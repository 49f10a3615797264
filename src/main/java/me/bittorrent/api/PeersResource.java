package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.PieceMap;
import me.bittorrent.engine.session.PeerSnapshot;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** What the dashboard's details pane shows beside the status: a torrent's peers and its verified pieces. */
@Path("/")
@Tag(name = "Torrents")
@Produces(MediaType.APPLICATION_JSON)
public class PeersResource {

    @Inject
    DownloadEngine engine;

    @GET
    @Path("peers/{torrent_id}")
    @Operation(summary = "A torrent's connected peers",
            description = "address, client, flags (D downloading from it, d it chokes us, U uploading to it, "
                    + "u we choke it, S snubbed, I incoming), progress in percent, speeds in bytes/s, "
                    + "downloaded/uploaded in bytes over the connection. Empty when the torrent does not run.")
    @APIResponse(responseCode = "200", description = "The peers",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = PeerSnapshot.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<List<PeerSnapshot>> peers(@PathParam("torrent_id") String torrentId) {
        return engine.peers(torrentId);
    }

    @GET
    @Path("pieces/{torrent_id}")
    @Operation(summary = "A torrent's verified pieces",
            description = "bitfield: the BitTorrent bitfield in base64 (piece 0 is the high bit of the first byte).")
    @APIResponse(responseCode = "200", description = "The piece map",
            content = @Content(schema = @Schema(implementation = PieceMap.class)))
    @APIResponse(responseCode = "404", description = "Download not found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Uni<PieceMap> pieces(@PathParam("torrent_id") String torrentId) {
        return engine.pieces(torrentId);
    }
}
