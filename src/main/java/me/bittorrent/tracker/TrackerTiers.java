package me.bittorrent.tracker;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The trackers of one torrent in BEP 12 tiers. Each tier is shuffled once at construction; an announce tries
 * tier 1's trackers in order, then tier 2's, and so on, and a tracker that answers moves to the front of its
 * tier.
 *
 * <p>Not thread-safe and needs no locks: the engine calls it from its one Vert.x context. The status updates
 * and the Uni's item run on the thread the {@link TrackerClient} emits on; {@link Trackers} emits on the
 * subscriber's Vert.x context, so subscribing from the engine context keeps everything there.
 */
public final class TrackerTiers {

    private final List<List<String>> tiers = new ArrayList<>();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final TrackerClient client;
    private final Clock clock;

    /** Mutable status of one URL; snapshot by {@link #statuses()}. */
    private static final class Entry {
        String status = TrackerStatus.NOT_CONTACTED;
        String lastError;
        int peersReceived;
        Instant nextAnnounce;
    }

    public TrackerTiers(List<List<String>> tiers, TrackerClient client) {
        this(tiers, client, new Random(), Clock.systemUTC());
    }

    /** With a given shuffle and clock, for tests. */
    public TrackerTiers(List<List<String>> tiers, TrackerClient client, Random random, Clock clock) {
        this.client = client;
        this.clock = clock;
        for (List<String> tier : tiers) {
            List<String> urls = new ArrayList<>();
            for (String url : tier) {
                String trimmed = url == null ? "" : url.trim();
                // A URL listed twice is one tracker: keep its first place.
                if (!trimmed.isEmpty() && !entries.containsKey(trimmed)) {
                    entries.put(trimmed, new Entry());
                    urls.add(trimmed);
                }
            }
            if (!urls.isEmpty()) {
                Collections.shuffle(urls, random);
                this.tiers.add(urls);
            }
        }
    }

    /** The current order, tier by tier (after shuffling and promotions). */
    public List<List<String>> tiers() {
        return tiers.stream().map(List::copyOf).toList();
    }

    /**
     * Announces to the first tracker that answers, in tier order. Fails with the last tracker's error when none
     * answers, or at once when the torrent has no trackers.
     */
    public Uni<AnnounceResponse> announce(AnnounceRequest request) {
        List<String> order = new ArrayList<>();
        tiers.forEach(order::addAll);
        if (order.isEmpty()) {
            return Uni.createFrom().failure(new TrackerException("this torrent has no trackers"));
        }
        return tryFrom(order, 0, request);
    }

    public List<TrackerStatus> statuses() {
        List<TrackerStatus> list = new ArrayList<>(entries.size());
        entries.forEach((url, e) -> list.add(
                new TrackerStatus(url, e.status, e.lastError, e.peersReceived, e.nextAnnounce)));
        return list;
    }

    /** Every tracker that failed the last announce is tried again at {@code next} (the announcer's back-off). */
    public void retryAt(Instant next) {
        entries.values().forEach(e -> {
            if (TrackerStatus.ERROR.equals(e.status)) {
                e.nextAnnounce = next;
            }
        });
    }

    private Uni<AnnounceResponse> tryFrom(List<String> order, int index, AnnounceRequest request) {
        String url = order.get(index);
        return Uni.createFrom().deferred(() -> {
            entries.get(url).status = TrackerStatus.UPDATING;
            return client.announce(url, request);
        }).onItem().invoke(response -> answered(url, response))
                .onFailure().recoverWithUni(failure -> {
                    failed(url, failure);
                    if (index + 1 < order.size()) {
                        return tryFrom(order, index + 1, request);
                    }
                    return Uni.createFrom().failure(new TrackerException(
                            order.size() == 1 ? messageOf(failure) : "no tracker answered; last: " + messageOf(failure),
                            failure));
                });
    }

    private void answered(String url, AnnounceResponse response) {
        Entry e = entries.get(url);
        e.status = TrackerStatus.WORKING;
        e.lastError = null;
        e.peersReceived = response.peers().size();
        e.nextAnnounce = clock.instant().plusSeconds(Math.max(response.intervalSeconds(), 0));
        for (List<String> tier : tiers) {
            if (tier.remove(url)) {
                tier.add(0, url);
                break;
            }
        }
    }

    private void failed(String url, Throwable failure) {
        Entry e = entries.get(url);
        e.status = TrackerStatus.ERROR;
        e.lastError = messageOf(failure);
        e.nextAnnounce = null;
    }

    private static String messageOf(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
    }
}
