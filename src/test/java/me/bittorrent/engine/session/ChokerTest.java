package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import me.bittorrent.engine.session.Choker.Decision;
import me.bittorrent.engine.session.Choker.PeerStat;


class ChokerTest {

    static List<PeerStat<String>> peers() {
        List<PeerStat<String>> peers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // download rate grows with i, upload rate shrinks with i
            peers.add(new PeerStat<>("p" + i, i != 7, i * 100L, (8 - i) * 100L, false));
        }
        return peers;
    }

    @Test
    void leechingUnchokesFastestUploadersToUsPlusOneOptimistic() {
        Decision<String> d = Choker.decide(peers(), false, 4, null, true, new Random(1));
        assertTrue(d.unchoke().containsAll(Set.of("p3", "p4", "p5", "p6")), d.unchoke().toString());
        assertEquals(5, d.unchoke().size());
        assertTrue(Set.of("p0", "p1", "p2").contains(d.optimistic()), "optimistic among the other interested");
        assertFalse(d.unchoke().contains("p7"), "not interested");
    }

    @Test
    void seedingUnchokesByUploadRate() {
        Decision<String> d = Choker.decide(peers(), true, 4, null, true, new Random(1));
        assertTrue(d.unchoke().containsAll(Set.of("p0", "p1", "p2", "p3")), d.unchoke().toString());
    }

    @Test
    void optimisticStaysUntilRotation() {
        Decision<String> d = Choker.decide(peers(), false, 4, "p1", false, new Random(1));
        assertEquals("p1", d.optimistic());
        for (int seed = 0; seed < 10; seed++) {
            assertNotEquals("p1", Choker.decide(peers(), false, 4, "p1", true, new Random(seed)).optimistic());
        }
    }

    @Test
    void snubbedPeersGetNoRegularSlotWhileLeeching() {
        List<PeerStat<String>> peers = List.of(new PeerStat<>("fast-but-snubbed", true, 1000, 0, true),
                new PeerStat<>("slow", true, 1, 0, false));
        Decision<String> d = Choker.decide(peers, false, 1, null, false, new Random(1));
        assertTrue(d.unchoke().contains("slow"));
        assertEquals("fast-but-snubbed", d.optimistic());
    }

    @Test
    void nobodyInterestedNobodyUnchoked() {
        Decision<String> d = Choker.decide(List.of(new PeerStat<>("a", false, 5, 5, false)), true, 4, "a", true,
                new Random(1));
        assertTrue(d.unchoke().isEmpty());
        assertNull(d.optimistic());
    }
}
