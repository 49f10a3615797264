package me.bittorrent.tracker;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import me.bittorrent.metainfo.InfoHash;

/** Bounded waits and sample requests shared by the tracker tests. */
final class Await {

    static final Duration BOUND = Duration.ofSeconds(20);

    private Await() {
    }

    static <T> T result(Uni<T> uni) {
        return uni.await().atMost(BOUND);
    }

    static <T> T result(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Vert.x future did not complete: " + e, e);
        }
    }

    /** The TrackerException the Uni fails with; fails the test if it succeeds or fails otherwise. */
    static TrackerException failure(Uni<?> uni) {
        try {
            Object item = uni.await().atMost(BOUND);
            return fail("expected a TrackerException, got " + item);
        } catch (CompletionException e) {
            return assertInstanceOf(TrackerException.class, e.getCause());
        }
    }

    static byte[] peerId(String suffix) {
        byte[] id = Arrays.copyOf(("-BM0100-" + suffix).getBytes(StandardCharsets.ISO_8859_1), 20);
        for (int i = 8 + suffix.length(); i < 20; i++) {
            id[i] = (byte) ('a' + i);
        }
        return id;
    }

    static AnnounceRequest request(InfoHash hash, byte[] peerId, int port, AnnounceEvent event) {
        return new AnnounceRequest(hash, peerId, port, 11, 22, 33, event, 50, 0x1234ABCD);
    }

    static AnnounceRequest request(AnnounceEvent event) {
        return request(InfoHash.fromHex("00ff7e2e2d5f252b2641207a5a30392e7eff8001"), peerId("x"), 6881, event);
    }
}
