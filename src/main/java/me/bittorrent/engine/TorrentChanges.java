package me.bittorrent.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service's change stream: what GET /events sends. Callers say "this torrent's status changed"
 * ({@link #publish(String, TorrentStatus)}) or "this torrent is gone" ({@link #removed(String)}); subscribers get
 * numbered {@link TorrentChange}s.
 *
 * <p>Threading: publish is called from the engine context and REST/worker threads. Every change goes into one Mutiny
 * {@link UnicastProcessor} ({@code incoming}: a very short synchronized enqueue, then a work-in-progress drain that
 * delivers one item at a time on whichever thread wins it). Only that drain assigns ids, appends to the backlog and
 * broadcasts, so ids increase in the order subscribers see them and the backlog is in id order. Nothing blocks.
 *
 * <p>Catching up: the last {@value #BACKLOG} changes are kept. A subscriber first attaches to the live broadcast
 * (buffering), then reads the backlog; live changes it already replayed are dropped by id. A Last-Event-ID that is not
 * in the backlog (too old, or from before a restart: ids start at the start time in microseconds, so an older process's
 * ids are always too old) gets a "reset" change and then a fresh status of every torrent instead.
 *
 * <p>Only changes: a status equal to the torrent's last one is dropped (an idle torrent sends nothing).
 *
 * <p>Coalescing: one torrent's status goes out at most every {@link #minIntervalMillis} ms. A status published sooner
 * is held (a newer one replaces it) and sent when the interval has passed, so the last one always goes out.
 */
@ApplicationScoped
public class TorrentChanges {

    /**
     * A numbered change. {@code type}: "status" (status set), "removed" (status null), "reset" (forget all; ids null),
     * "snapshot" (forget all, then every torrent's status in {@code statuses}, by torrent id; only for a subscriber
     * that asked for one snapshot event instead of a reset and a status per torrent).
     */
    public record TorrentChange(long id, String type, String torrentId, TorrentStatus status,
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, TorrentStatus> statuses) {

        public TorrentChange(long id, String type, String torrentId, TorrentStatus status) {
            this(id, type, torrentId, status, null);
        }
    }

    static final int BACKLOG = 1000;

    private final Vertx vertx;
    private final DownloadEngine engine;
    private final long minIntervalMillis;

    private final BroadcastProcessor<TorrentChange> live = BroadcastProcessor.create();
    private final UnicastProcessor<Unnumbered> incoming = UnicastProcessor.create();
    private final ConcurrentLinkedDeque<TorrentChange> backlog = new ConcurrentLinkedDeque<>();
    private final AtomicInteger backlogSize = new AtomicInteger();
    /** Only written by the serialized drain; volatile for subscribers reading where the stream stands. */
    private volatile long lastId = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
    private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

    private record Unnumbered(String type, String torrentId, TorrentStatus status) {
    }

    /** Coalescing state of one torrent; only changed inside {@code slots.compute}. */
    private static final class Slot {
        long lastSentNanos = Long.MIN_VALUE / 2;
        TorrentStatus held;
        boolean timerArmed;
        /** The last status accepted (sent or held): an equal one is not sent again. */
        TorrentStatus last;
    }

    @Inject
    public TorrentChanges(Vertx vertx, DownloadEngine engine,
            @ConfigProperty(name = "bt.events.min-interval-ms", defaultValue = "500") long minIntervalMillis) {
        this.vertx = vertx;
        this.engine = engine;
        this.minIntervalMillis = minIntervalMillis;
        this.incoming.subscribe().with(this::number);
    }

    /** A torrent's status changed. Cheap, non-blocking, callable from any thread. */
    public void publish(String torrentId, TorrentStatus status) {
        if (torrentId == null || status == null) {
            return;
        }
        long now = System.nanoTime();
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMillis);
        long[] armDelay = {-1};
        boolean[] sendNow = {false};
        slots.compute(torrentId, (id, slot) -> {
            Slot s = slot == null ? new Slot() : slot;
            if (status.equals(s.last)) {
                return s; // nothing changed: an idle torrent sends nothing
            }
            s.last = status;
            if (!s.timerArmed && now - s.lastSentNanos >= intervalNanos) {
                s.lastSentNanos = now;
                sendNow[0] = true;
            } else {
                s.held = status;
                if (!s.timerArmed) {
                    s.timerArmed = true;
                    armDelay[0] = Math.max(1, TimeUnit.NANOSECONDS.toMillis(s.lastSentNanos + intervalNanos - now));
                }
            }
            return s;
        });
        if (sendNow[0]) {
            incoming.onNext(new Unnumbered("status", torrentId, status));
        } else if (armDelay[0] > 0) {
            vertx.setTimer(armDelay[0], timer -> flush(torrentId));
        }
    }

    /** Convenience for the registry: publishes the torrent's stored status. */
    public void publish(RegisteredTorrent torrent) {
        publish(torrent.id(), torrent.status());
    }

    /** A torrent was removed. A status held for it is dropped. */
    public void removed(String torrentId) {
        slots.remove(torrentId);
        incoming.onNext(new Unnumbered("removed", torrentId, null));
    }

    private void flush(String torrentId) {
        TorrentStatus[] held = {null};
        slots.computeIfPresent(torrentId, (id, s) -> {
            held[0] = s.held;
            s.held = null;
            s.timerArmed = false;
            s.lastSentNanos = System.nanoTime();
            return s;
        });
        if (held[0] != null) {
            incoming.onNext(new Unnumbered("status", torrentId, held[0]));
        }
    }

    /** Runs in the serialized drain only: numbers, keeps, broadcasts. */
    private void number(Unnumbered change) {
        TorrentChange numbered = new TorrentChange(lastId + 1, change.type(), change.torrentId(), change.status());
        backlog.addLast(numbered);
        lastId = numbered.id();
        if (backlogSize.incrementAndGet() > BACKLOG) {
            backlog.pollFirst();
            backlogSize.decrementAndGet();
        }
        live.onNext(numbered);
    }

    /** The id of the newest change so far. */
    public long lastId() {
        return lastId;
    }

    /**
     * Changes after {@code lastEventId} then live ones; with no id, or one not in the backlog, a "reset" and every
     * torrent's current status first (all numbered with the id the stream stood at), then live changes.
     */
    public Multi<TorrentChange> stream(Long lastEventId) {
        return stream(lastEventId, false);
    }

    /**
     * As {@link #stream(Long)}; with {@code oneSnapshot} a fresh snapshot is one "snapshot" change holding every
     * torrent's status rather than a "reset" and a "status" per torrent (1,000 torrents: one message, not 1,001).
     */
    public Multi<TorrentChange> stream(Long lastEventId, boolean oneSnapshot) {
        return Multi.createFrom().deferred(() -> {
            UnicastProcessor<TorrentChange> pending = UnicastProcessor.create();
            Cancellable attached = live.subscribe().with(pending::onNext, pending::onError, pending::onComplete);
            long standing = lastId;
            List<TorrentChange> missed = lastEventId == null ? null : missedSince(lastEventId, standing);
            Multi<TorrentChange> first;
            if (missed != null) {
                first = Multi.createFrom().iterable(missed);
            } else {
                first = engine.statuses().onItem().transformToMulti(all -> Multi.createFrom().iterable(oneSnapshot
                        ? List.of(new TorrentChange(standing, "snapshot", null, null, all))
                        : snapshot(standing, all)));
            }
            // every change up to `standing` is in the backlog or reflected in the snapshot; later ones come live
            return Multi.createBy().concatenating().streams(first, pending.select().where(change -> change.id() > standing))
                    .onTermination().invoke(attached::cancel);
        });
    }

    /** The backlog after {@code lastEventId}, or null when it cannot say (unknown, too old, another process). */
    private List<TorrentChange> missedSince(long lastEventId, long standing) {
        if (lastEventId > standing) {
            return null;
        }
        List<TorrentChange> missed = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (TorrentChange change : backlog) {
            oldest = Math.min(oldest, change.id());
            if (change.id() > lastEventId && change.id() <= standing) {
                missed.add(change);
            }
        }
        if (oldest == Long.MAX_VALUE) {
            return lastEventId == standing ? missed : null;
        }
        return lastEventId >= oldest - 1 ? missed : null;
    }

    private static List<TorrentChange> snapshot(long id, Map<String, TorrentStatus> all) {
        List<TorrentChange> changes = new ArrayList<>(all.size() + 1);
        changes.add(new TorrentChange(id, "reset", null, null));
        all.forEach((torrentId, status) -> changes.add(new TorrentChange(id, "status", torrentId, status)));
        return changes;
    }
}
