package me.bittorrent.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** /q/health/ready is DOWN until every stored torrent is loaded, and while the state folder cannot be written. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    @Inject
    DownloadEngine engine;

    @Override
    public HealthCheckResponse call() {
        // health checks run on a worker thread: probing the disk here is fine
        String stateProblem = engine.probeStateFolder().orElse(null);
        var response = HealthCheckResponse.named("stored torrents loaded")
                .status(engine.isLoaded() && stateProblem == null);
        engine.loadFailure().ifPresent(reason -> response.withData("reason", reason));
        if (stateProblem != null) {
            response.withData("state_folder", stateProblem);
        }
        if (engine.isLoaded()) {
            response.withData("torrents", engine.torrents().size());
        }
        return response.build();
    }
}
