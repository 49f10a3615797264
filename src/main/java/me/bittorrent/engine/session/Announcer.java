package me.bittorrent.engine.session;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import me.bittorrent.tracker.AnnounceEvent;
import me.bittorrent.tracker.AnnounceRequest;
import me.bittorrent.tracker.AnnounceResponse;
import me.bittorrent.tracker.TrackerStatus;
import me.bittorrent.tracker.TrackerTiers;

/**
 * The announce schedule of one torrent: started, then again after the tracker's interval (never sooner than
 * its min interval), completed once, stopped at the end; failures retry with back-off. Runs on the engine
 * context; tracker answers are handed back to it.
 */
final class Announcer {

    private static final Logger LOG = Logger.getLogger(Announcer.class);
    private static final int DEFAULT_INTERVAL_SECONDS = 1800;
    /** libtorrent's tracker back-off: 5 s + 5 s * fails^2 * 250 % (17, 55, 117, 205 s ...), at most an hour. */
    static final int RETRY_MIN_SECONDS = 5;
    static final int RETRY_MAX_SECONDS = 3600;
    private static final int BACKOFF_PERCENT = 250;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final Context context;
    private final TrackerTiers tiers;
    private final boolean hasTrackers;
    private final Function<AnnounceEvent, AnnounceRequest> requests;
    private final Consumer<AnnounceResponse> onAnswer;
    private final Consumer<TorrentEvent> events;

    private long timerId = -1;
    private int failures;
    private boolean inFlight;
    private boolean stopped;
    /** An event (started/completed) that still has to reach a tracker. */
    private AnnounceEvent pendingEvent = AnnounceEvent.STARTED;
    /** Completed while "started" had not been answered yet: send "completed" right after it. */
    private boolean completedWanted;
    /** Not before this (the tracker's min interval after its last answer). */
    private long earliestNextNanos = System.nanoTime();

    Announcer(Vertx vertx, Context context, TrackerTiers tiers, boolean hasTrackers,
            Function<AnnounceEvent, AnnounceRequest> requests, Consumer<AnnounceResponse> onAnswer,
            Consumer<TorrentEvent> events) {
        this.vertx = vertx;
        this.context = context;
        this.tiers = tiers;
        this.hasTrackers = hasTrackers;
        this.requests = requests;
        this.onAnswer = onAnswer;
        this.events = events;
    }

    List<TrackerStatus> statuses() {
        return hasTrackers ? tiers.statuses() : List.of();
    }

    void start() {
        pendingEvent = AnnounceEvent.STARTED;
        announceNow();
    }

    /** The download finished: tell the tracker (right after the announce in flight, if any). */
    void completed() {
        completedWanted = true;
        if (!inFlight && pendingEvent != AnnounceEvent.STARTED) {
            completedWanted = false;
            pendingEvent = AnnounceEvent.COMPLETED;
            announceNow();
        }
    }

    /** Asks for peers now, or as soon as the tracker's min interval allows. */
    void reannounce() {
        if (stopped || !hasTrackers || inFlight) {
            return;
        }
        long wait = earliestNextNanos - System.nanoTime();
        if (wait > 0) {
            schedule((int) Math.max(1, (wait + 999_999_999L) / 1_000_000_000L));
        } else {
            announceNow();
        }
    }

    /**
     * A torrent without peers asks for more: only when its schedule allows, i.e. never before the tracker's
     * interval (or the failure back-off) has run out. A tracker that says 30 min means it: libtorrent and
     * Transmission do not announce early for lack of peers either. The user's "ask for peers" is
     * {@link #reannounce()}.
     */
    void reannounceIfDue() {
        if (timerId >= 0 || inFlight) {
            return; // the next announce is already scheduled by the tracker's interval or the back-off
        }
        reannounce();
    }

    private void announceNow() {
        if (stopped || !hasTrackers || inFlight) {
            return;
        }
        cancelTimer();
        inFlight = true;
        AnnounceEvent event = pendingEvent;
        // every tier is asked at once: the first answer schedules the next announce, the later tiers' peers are
        // learned as they come (a slow tracker in tier 1 must not keep the swarm of tier 3 waiting)
        subscribe(tiers.announce(requests.apply(event), later -> context.runOnContext(v -> {
            if (!stopped) {
                onAnswer.accept(later);
            }
        })), answer -> {
            inFlight = false;
            if (stopped) {
                return;
            }
            failures = 0;
            earliestNextNanos = System.nanoTime() + answer.minIntervalSeconds() * 1_000_000_000L;
            if (pendingEvent == event) {
                pendingEvent = AnnounceEvent.NONE;
            }
            events.accept(new TorrentEvent.TrackerReplied(workingUrl(), answer.peers().size()));
            onAnswer.accept(answer);
            if (completedWanted && event != AnnounceEvent.COMPLETED) {
                completedWanted = false;
                pendingEvent = AnnounceEvent.COMPLETED;
                announceNow();
                return;
            }
            int interval = answer.intervalSeconds() > 0 ? answer.intervalSeconds() : DEFAULT_INTERVAL_SECONDS;
            schedule(Math.max(interval, answer.minIntervalSeconds()));
        }, failure -> {
            inFlight = false;
            if (stopped) {
                return;
            }
            failures++;
            LOG.infof("tracker announce failed: %s", failure.getMessage());
            int retry = retrySeconds(failures);
            tiers.retryAt(java.time.Instant.now().plusSeconds(retry)); // next_announce says when we try again
            events.accept(new TorrentEvent.TrackerFailed(failedUrl(), String.valueOf(failure.getMessage())));
            schedule(retry);
        });
    }

    /** Sends "stopped" (bounded by a timeout; a dead tracker must not hold up a stop). */
    Future<Void> stop() {
        boolean wasRegistered = hasTrackers && !stopped && (pendingEvent != AnnounceEvent.STARTED || inFlight);
        stopped = true;
        cancelTimer();
        if (!wasRegistered) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        subscribe(tiers.announce(requests.apply(AnnounceEvent.STOPPED)).ifNoItem().after(STOP_TIMEOUT).fail(),
                answer -> done.tryComplete(), failure -> done.tryComplete());
        return done.future();
    }

    /**
     * Seconds before trying again after {@code fails} failures in a row, as libtorrent's {@code tracker_backoff}
     * (default 250): 17, 55, 117, 205, 317 s ..., capped at an hour; so a tracker that comes back is used again
     * within the hour, and 200 torrents behind a dead tracker cost a few announces an hour each, not one a minute.
     */
    static int retrySeconds(int fails) {
        long square = (long) Math.min(fails, 1000) * Math.min(fails, 1000);
        return (int) Math.min(RETRY_MAX_SECONDS, RETRY_MIN_SECONDS + square * RETRY_MIN_SECONDS * BACKOFF_PERCENT / 100);
    }

    /**
     * Fires on a whole second of the monotonic clock (what a timer wheel with 1 s slots does): the timers of
     * many torrents fall due together, so the event loop wakes once for all of them instead of once each.
     */
    private void schedule(int seconds) {
        cancelTimer();
        long millis = Math.max(1, seconds) * 1000L;
        millis += 1000 - Math.floorMod(Math.floorDiv(System.nanoTime(), 1_000_000L) + millis, 1000L);
        timerId = vertx.setTimer(millis, id -> {
            timerId = -1;
            announceNow();
        });
    }

    private void cancelTimer() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
    }

    private <T> void subscribe(Uni<T> uni, Consumer<T> onItem, Consumer<Throwable> onFailure) {
        uni.subscribe().with(item -> context.runOnContext(v -> onItem.accept(item)),
                failure -> context.runOnContext(v -> onFailure.accept(failure)));
    }

    private String workingUrl() {
        for (TrackerStatus s : tiers.statuses()) {
            if (TrackerStatus.WORKING.equals(s.status())) {
                return s.url();
            }
        }
        return firstUrl();
    }

    private String failedUrl() {
        for (TrackerStatus s : tiers.statuses()) {
            if (TrackerStatus.ERROR.equals(s.status())) {
                return s.url();
            }
        }
        return firstUrl();
    }

    private String firstUrl() {
        List<TrackerStatus> all = tiers.statuses();
        return all.isEmpty() ? "" : all.get(0).url();
    }
}
