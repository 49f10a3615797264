package me.bittorrent.tracker;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;

/** The tracker client the engine uses: picks HTTP(S) or UDP by the URL's scheme. Emits where the clients do. */
@ApplicationScoped
public class Trackers implements TrackerClient {

    private final HttpTrackerClient http;
    private final UdpTrackerClient udp;

    @Inject
    public Trackers(HttpTrackerClient http, UdpTrackerClient udp) {
        this.http = http;
        this.udp = udp;
    }

    @Override
    public Uni<AnnounceResponse> announce(String url, AnnounceRequest request) {
        String lower = url == null ? "" : url.trim().toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return http.announce(url.trim(), request);
        }
        if (lower.startsWith("udp://")) {
            return udp.announce(url.trim(), request);
        }
        return Uni.createFrom().failure(new TrackerException("unsupported tracker URL " + url));
    }
}
