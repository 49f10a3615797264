package me.bittorrent.engine;

import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import me.bittorrent.engine.TorrentChanges.TorrentChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The change stream without Quarkus: coalescing, numbering, replay after an id. */
class TorrentChangesTest {

    private final Vertx vertx = Vertx.vertx();
    private final TorrentChanges changes = new TorrentChanges(vertx, null, 500);

    @AfterEach
    void close() {
        vertx.close();
    }

    /** A status with this name and progress, the rest zero/null; by reflection so new status fields need no edit. */
    static TorrentStatus status(String name, double progress) {
        RecordComponent[] components = TorrentStatus.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            Class<?> type = components[i].getType();
            types[i] = type;
            values[i] = switch (components[i].getName()) {
                case "name" -> name;
                case "state" -> "downloading";
                case "progress" -> progress;
                default -> zeroOf(type);
            };
        }
        try {
            return TorrentStatus.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Zero for a primitive, null for an object (an if-chain: a ?: chain would unbox and promote). */
    private static Object zeroOf(Class<?> type) {
        if (type == boolean.class) {
            return Boolean.FALSE;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0.0;
        }
        return null;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10); // bounded poll of a list another thread fills
        }
    }

    @Test
    void aBurstOfStatusesSendsTheFirstAndTheLastOnly() throws Exception {
        List<TorrentChange> seen = new CopyOnWriteArrayList<>();
        Cancellable subscription = changes.stream(changes.lastId()).subscribe().with(seen::add);
        for (int i = 0; i <= 100; i++) {
            changes.publish("a", status("a", i));
        }
        await(() -> !seen.isEmpty() && seen.get(seen.size() - 1).status().progress() == 100, "the last status");
        assertEquals(2, seen.size(), "first at once, the last when the interval has passed: " + seen);
        assertEquals(0, seen.get(0).status().progress());
        assertTrue(seen.get(1).id() > seen.get(0).id(), "ids increase");
        subscription.cancel();
    }

    @Test
    void anUnchangedStatusIsNotSentAgain() throws Exception {
        // no coalescing interval: without the equality check every publish would go out at once
        TorrentChanges eager = new TorrentChanges(vertx, null, 0);
        List<TorrentChange> seen = new CopyOnWriteArrayList<>();
        Cancellable subscription = eager.stream(eager.lastId()).subscribe().with(seen::add);
        for (int i = 0; i < 5; i++) {
            eager.publish("idle", status("idle", 40)); // the engine's once-a-second publish of an idle torrent
        }
        eager.publish("idle", status("idle", 41));
        eager.publish("marker", status("marker", 1));
        await(() -> seen.stream().anyMatch(c -> "marker".equals(c.torrentId())), "the marker");
        List<Double> idle = seen.stream().filter(c -> "idle".equals(c.torrentId()))
                .map(c -> c.status().progress()).toList();
        assertEquals(List.of(40.0, 41.0), idle, "each change once, nothing repeated: " + seen);
        subscription.cancel();
    }

    @Test
    void aReconnectWithAnIdGetsOnlyWhatItMissed() throws Exception {
        changes.publish("a", status("a", 1));
        changes.publish("b", status("b", 1));
        long seenUpTo = changes.lastId();
        changes.removed("a");
        changes.publish("c", status("c", 5));

        List<TorrentChange> replay = new CopyOnWriteArrayList<>();
        Cancellable subscription = changes.stream(seenUpTo).subscribe().with(replay::add);
        await(() -> replay.size() >= 2, "the replay");
        assertEquals("removed", replay.get(0).type());
        assertEquals("a", replay.get(0).torrentId());
        assertEquals("c", replay.get(1).torrentId());
        assertEquals(seenUpTo + 1, replay.get(0).id());

        changes.publish("b", status("b", 50)); // and live after the replay, without a gap
        await(() -> replay.size() == 3, "the live change");
        assertEquals(seenUpTo + 3, replay.get(2).id());
        subscription.cancel();
    }
}
