package me.bittorrent.api;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.GlobalPreferences;
import me.bittorrent.engine.RegisteredTorrent;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus meters at /q/metrics: bittorrent_torrents{state}, bittorrent_torrents_size_bytes, ..._verified_bytes,
 * bittorrent_alt_speed_enabled.
 */
@ApplicationScoped
public class TorrentMeters {

    static final List<String> STATES = List.of("queued", "checking", "downloading", "seeding", "paused", "stopped",
            "completed", "error", "stalled");

    void register(@Observes StartupEvent event, MeterRegistry registry, DownloadEngine engine,
            GlobalPreferences preferences) {
        Gauge.builder("bittorrent.alt.speed.enabled", preferences, p -> p.settings().altSpeedEnabled() ? 1 : 0)
                .description("1 while the alternative speed limits apply, else 0")
                .register(registry);
        for (String state : STATES) {
            Gauge.builder("bittorrent.torrents", engine,
                            e -> e.torrents().stream().filter(t -> e.statusOf(t).state().equals(state)).count())
                    .tag("state", state)
                    .description("Torrents by state")
                    .register(registry);
        }
        gauge(registry, engine, "bittorrent.torrents.size.bytes", "Total size of all torrents",
                t -> t.meta() == null ? 0 : t.meta().totalLength());
        gauge(registry, engine, "bittorrent.verified.bytes", "Bytes verified against the piece hashes",
                RegisteredTorrent::verifiedBytes);
    }

    private static void gauge(MeterRegistry registry, DownloadEngine engine, String name, String description,
            ToDoubleFunction<RegisteredTorrent> value) {
        Gauge.builder(name, engine, e -> e.torrents().stream().mapToDouble(value).sum())
                .description(description)
                .register(registry);
    }
}
