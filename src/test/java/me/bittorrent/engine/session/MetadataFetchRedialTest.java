package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.testing.HostileMetadataPeer;
import me.bittorrent.tracker.PeerAddress;

/**
 * A magnet's fetch leaves alone a peer it refused for what it claims about the metadata: that will not change
 * during the fetch, so redialling it (as a peer that merely hung up is, after 30 s) would only cost a connection.
 */
class MetadataFetchRedialTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @Test
    void aPeerRefusedForItsClaimedMetadataSizeIsNotDialledAgainDuringTheFetch() throws Exception {
        try (HostileMetadataPeer huge = new HostileMetadataPeer(HostileMetadataPeer.Mode.OVERSIZED, 1000)) {
            MetadataSession fetch = new MetadataSession(harness.vertx(), harness.context(),
                    SessionHarness.newPeerId(), 0, SessionHarness.NO_TRACKER, new InfoHash(new byte[20]),
                    "redial-test", List.of(), List.of(new PeerAddress("127.0.0.1", huge.port())),
                    SessionSettings.DEFAULTS);
            fetch.start().await().atMost(Duration.ofSeconds(10));
            huge.closedByRemote().get(20, TimeUnit.SECONDS); // refused at its handshake: 100 MiB is over the cap
            // the fetch dials every second; a peer that hung up would be dialled again after the back-off
            long until = System.nanoTime() + Swarm.HUNG_UP_BACKOFF_NANOS + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < until) {
                assertEquals(1, huge.connections(), "the refused peer was dialled again");
                Thread.sleep(200); // polls the scripted peer's counter through the back-off: a bounded check
            }
            fetch.stop().await().atMost(Duration.ofSeconds(10));
        }
    }
}
