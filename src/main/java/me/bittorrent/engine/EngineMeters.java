package me.bittorrent.engine;

import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Transfer meters at /q/metrics: bittorrent_downloaded_bytes_total, bittorrent_uploaded_bytes_total,
 * bittorrent_pieces_verified_total, bittorrent_pieces_failed_total and the gauge bittorrent_peers_connected.
 */
final class EngineMeters {

    private final Counter downloaded;
    private final Counter uploaded;
    private final Counter verified;
    private final Counter failed;

    EngineMeters(MeterRegistry registry, Supplier<Number> peersConnected) {
        downloaded = Counter.builder("bittorrent.downloaded.bytes").baseUnit("bytes")
                .description("Payload bytes received from peers").register(registry);
        uploaded = Counter.builder("bittorrent.uploaded.bytes").baseUnit("bytes")
                .description("Payload bytes sent to peers").register(registry);
        verified = Counter.builder("bittorrent.pieces.verified").description("Pieces that passed their hash check")
                .register(registry);
        failed = Counter.builder("bittorrent.pieces.failed").description("Pieces that failed their hash check")
                .register(registry);
        Gauge.builder("bittorrent.peers.connected", peersConnected).description("Connected peers, all torrents")
                .register(registry);
    }

    void downloaded(long bytes) {
        if (bytes > 0) {
            downloaded.increment(bytes);
        }
    }

    void uploaded(long bytes) {
        if (bytes > 0) {
            uploaded.increment(bytes);
        }
    }

    void pieceVerified() {
        verified.increment();
    }

    void pieceFailed() {
        failed.increment();
    }
}
