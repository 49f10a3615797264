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
import java.util.function.Consumer;

/**
 * The trackers of one torrent in BEP 12 tiers. Each tier is shuffled once at construction; an announce goes to
 * every tier at once, tries each tier's trackers in order, and a tracker that answers moves to the front of its
 * tier.
 *
 * <p>Not thread-safe and needs no locks: the engine calls it from its one Vert.x context. The status updates
 * and the Uni's item run on the thread the {@link TrackerClient} emits on; {@link Trackers} emits on the
 * subscriber's Vert.x context, so subscribing from the engine context keeps everything there.
 */
public final class TrackerTiers {

    private final List<List<String>> tiers = new ArrayList<>();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** Tiers (by index) whose announce is in flight. */
    private final java.util.Set<Integer> busyTiers = new java.util.HashSet<>();
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
     * Announces to every tier at once; see {@link #announce(AnnounceRequest, Consumer)}. The answers after the
     * first are dropped (tests and callers that only need one).
     */
    public Uni<AnnounceResponse> announce(AnnounceRequest request) {
        return announce(request, later -> { });
    }

    /**
     * Announces to every tier at once, as qBittorrent does by default ("always announce to all tiers") and as
     * Transmission does: within a tier the trackers are tried in order until one answers (BEP 12), and a tier whose
     * tracker is dead or trickles its reply until the deadline cannot hold up the next tier, whose tracker may be
     * the one that knows the swarm. The Uni gets the first answer of any tier; the answers of the tiers that
     * answer after it go to {@code later} (their peers are as good). It fails only when every tier failed, with
     * the last error, or at once when the torrent has no trackers. A tier whose previous announce is still in
     * flight is not asked again until it ends.
     */
    public Uni<AnnounceResponse> announce(AnnounceRequest request, Consumer<AnnounceResponse> later) {
        if (tiers.isEmpty()) {
            return Uni.createFrom().failure(new TrackerException("this torrent has no trackers"));
        }
        return Uni.createFrom().emitter(emitter -> {
            List<Integer> idle = new ArrayList<>();
            for (int i = 0; i < tiers.size(); i++) {
                if (busyTiers.add(i)) {
                    idle.add(i);
                }
            }
            if (idle.isEmpty()) {
                emitter.fail(new TrackerException("every tracker is still busy with the announce before this one"));
                return;
            }
            int[] pending = {idle.size()};
            boolean[] answered = {false};
            for (int index : idle) {
                tryFrom(List.copyOf(tiers.get(index)), 0, request).subscribe().with(answer -> {
                    busyTiers.remove(index);
                    pending[0]--;
                    if (!answered[0]) {
                        answered[0] = true;
                        emitter.complete(answer);
                    } else {
                        later.accept(answer);
                    }
                }, failure -> {
                    busyTiers.remove(index);
                    if (--pending[0] == 0 && !answered[0]) {
                        emitter.fail(new TrackerException(entries.size() == 1 ? messageOf(failure)
                                : "no tracker answered; last: " + messageOf(failure), failure));
                    }
                });
            }
        });
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

    /** The trackers of one tier, in order, until one answers; fails with the last one's error. */
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
                    return Uni.createFrom().failure(failure);
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
