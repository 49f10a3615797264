package me.bittorrent.api;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import me.bittorrent.Version;
import me.bittorrent.engine.DhtService;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.engine.TorrentStatus;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/** The original spec's /health and /metrics JSON, and /docs. Prometheus metrics are at /q/metrics. */
@Path("/")
@Tag(name = "Service")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceResource {

    /**
     * {@code peerListenError} says why peers cannot connect to us (the peer port could not be opened), else null;
     * {@code dht} is the DHT node (enabled, running, UDP port, nodes in its routing table, ...); {@code lsd} is local
     * service discovery (enabled, running, the network interface, announces sent, peers found, ...).
     */
    public record Health(String status, String version, double uptime, int activeDownloads, int torrents,
            SystemFigures.Memory memory, SystemFigures.Cpu cpu, int peerPort, String peerListenError,
            String stateFolderError, DhtService.Status dht, me.bittorrent.engine.LsdService.Status lsd) {
    }

    public record Downloads(int total, int active, int paused, int completed, int stopped, int error) {
    }

    public record Totals(long totalSize, long downloadedSize, long downloadedBytes, long uploadedBytes,
            double downloadSpeed, double uploadSpeed) {
    }

    public record SystemInfo(double uptime, SystemFigures.Memory memory, SystemFigures.Cpu cpu, int threads,
            String downloadDir, long downloadDirFreeBytes) {
    }

    public record Metrics(Downloads downloads, Totals totals, SystemInfo system) {
    }

    @Inject
    DownloadEngine engine;
    @Inject
    Vertx vertx;

    @GET
    @Path("health")
    @Operation(summary = "Service health", description = "status is \"healthy\" once stored torrents are loaded, "
            + "\"starting\" before, \"degraded\" when the peer port, the DHT's UDP socket or the state folder "
            + "cannot be used; uptime in seconds; dht.nodes is the DHT routing table's size; lsd.error says why "
            + "local service discovery could not start (it does not make the service degraded).")
    @APIResponse(responseCode = "200", description = "Health",
            content = @Content(schema = @Schema(implementation = Health.class)))
    public Uni<Health> health() {
        // the state folder is probed on a worker (it touches the disk)
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            Collection<RegisteredTorrent> torrents = engine.torrents();
            int active = (int) torrents.stream().filter(t -> engine.statusOf(t).downloading()).count();
            String problem = engine.peerListenProblem().orElse(null);
            String stateProblem = engine.isLoaded() ? engine.probeStateFolder().orElse(null) : null;
            DhtService.Status dht = engine.dhtStatus();
            String status = engine.loadFailure().isPresent() ? "unhealthy" : !engine.isLoaded() ? "starting"
                    : problem != null || stateProblem != null || dht.error() != null ? "degraded" : "healthy";
            return new Health(status, Version.VERSION, uptime(), active, torrents.size(),
                    SystemFigures.memory(), SystemFigures.cpu(), engine.peerPort(), problem, stateProblem,
                    dht, engine.lsdStatus());
        }));
    }

    @GET
    @Path("metrics")
    @Operation(summary = "Download counts and totals, and system figures",
            description = "Sizes in bytes, speeds in KB/s. Prometheus meters are at /q/metrics.")
    @APIResponse(responseCode = "200", description = "Metrics",
            content = @Content(schema = @Schema(implementation = Metrics.class)))
    public Uni<Metrics> metrics() {
        // the free-space figure asks the file system: off the event loop
        return vertx.executeBlocking(Uni.createFrom().item(this::computeMetrics));
    }

    private Metrics computeMetrics() {
        int total = 0, active = 0, paused = 0, completed = 0, stopped = 0, error = 0;
        long size = 0, done = 0, downloaded = 0, uploaded = 0;
        double down = 0, up = 0;
        for (RegisteredTorrent torrent : engine.torrents()) {
            TorrentStatus status = engine.statusOf(torrent);
            total++;
            active += status.downloading() ? 1 : 0;
            paused += status.paused() ? 1 : 0;
            completed += status.completed() ? 1 : 0;
            stopped += "stopped".equals(status.state()) ? 1 : 0;
            error += "error".equals(status.state()) ? 1 : 0;
            size += status.totalSize();
            done += status.downloadedSize();
            downloaded += status.downloaded();
            uploaded += status.uploaded();
            down += status.downloadSpeed();
            up += status.uploadSpeed();
        }
        long free;
        try {
            free = Files.getFileStore(engine.downloadDir()).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            free = -1;
        }
        return new Metrics(new Downloads(total, active, paused, completed, stopped, error),
                new Totals(size, done, downloaded, uploaded, down, up),
                new SystemInfo(uptime(), SystemFigures.memory(), SystemFigures.cpu(), Thread.activeCount(),
                        engine.downloadDir().toString(), free));
    }

    @GET
    @Path("docs")
    @Operation(summary = "Redirects to the Swagger UI (/q/swagger-ui)")
    @APIResponse(responseCode = "303", description = "See /q/swagger-ui")
    public Response docs() {
        return Response.seeOther(URI.create("/q/swagger-ui")).build();
    }

    private double uptime() {
        return SystemFigures.round(Duration.between(engine.startedAt(), Instant.now()).toMillis() / 1000.0);
    }
}
