package me.bittorrent.tracker;

import io.smallrye.mutiny.Uni;

/**
 * Announces to one tracker URL. Implementations fail the Uni with a {@link TrackerException} only, and emit on
 * the Vert.x context that subscribed (or on a Vert.x event-loop thread when the subscriber is not on one).
 */
public interface TrackerClient {

    Uni<AnnounceResponse> announce(String url, AnnounceRequest request);
}
