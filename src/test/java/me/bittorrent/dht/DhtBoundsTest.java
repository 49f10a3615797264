package me.bittorrent.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Tokens, the peer store and the packet rate limits, on a fake clock. */
class DhtBoundsTest {

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final SecureRandom random = new SecureRandom();

    @Test
    void tokensAreValidForTheirIpAcrossOneRotationNotTwo() throws Exception {
        long period = 300_000_000_000L;
        TokenSecrets secrets = new TokenSecrets(random, now::get, period);
        InetAddress alice = InetAddress.getByName("127.0.0.1");
        InetAddress bob = InetAddress.getByName("127.0.0.2");
        byte[] token = secrets.token(alice);
        assertTrue(secrets.valid(token, alice));
        assertFalse(secrets.valid(token, bob), "a token is bound to the asker's IP");
        now.addAndGet(period);
        assertTrue(secrets.valid(token, alice), "the previous secret is still accepted");
        now.addAndGet(period);
        assertFalse(secrets.valid(token, alice), "two rotations later it is refused");
        byte[] fresh = secrets.token(alice);
        now.addAndGet(10 * period);
        assertFalse(secrets.valid(fresh, alice), "after a long idle both secrets are new");
        assertFalse(secrets.valid(null, alice));
    }

    @Test
    void thePeerStoreIsCappedPerHashInHashesAndInTotalAndExpires() {
        PeerStore store = new PeerStore(3, 2, 5, 1000, now::get);
        NodeId h1 = NodeId.random(random);
        NodeId h2 = NodeId.random(random);
        for (int i = 0; i < 10; i++) {
            assertTrue(store.add(h1, peer(i)));
        }
        assertEquals(3, store.get(h1, 50).size(), "only the newest three of one info-hash");
        assertEquals(peer(9), store.get(h1, 50).get(0));
        assertTrue(store.add(h2, peer(1)));
        assertTrue(store.add(h2, peer(2)));
        assertFalse(store.add(NodeId.random(random), peer(1)), "no third info-hash");
        assertFalse(store.add(h2, peer(3)), "no sixth peer in total");
        assertEquals(5, store.total());
        now.addAndGet(1000);
        assertEquals(0, store.get(h1, 50).size(), "expired");
        assertTrue(store.add(NodeId.random(random), peer(4)), "expired entries make room");
        assertEquals(0, store.get(h2, 50).size());
        assertEquals(1, store.hashes(), "expiry is lazy (and periodic in the node), never a leak");
    }

    @Test
    void packetsArePacedGloballyAndPerAddress() throws Exception {
        PacketRateLimit limit = new PacketRateLimit(100, 10, now::get);
        InetAddress a = InetAddress.getByName("127.0.0.1");
        int allowed = 0;
        for (int i = 0; i < 10_000; i++) {
            allowed += limit.allow(a) ? 1 : 0;
        }
        assertEquals(10, allowed, "one address gets its burst of one second, then nothing");
        int others = 0;
        for (int i = 0; i < 10_000; i++) {
            others += limit.allow(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i})) ? 1 : 0;
        }
        assertEquals(90, others, "all addresses together stop at the global rate");
        now.addAndGet(1_000_000_000L);
        assertTrue(limit.allow(a), "the buckets refill with time");
        assertEquals(10_000 - 10 + 10_000 - 90, limit.dropped());
    }

    private static InetSocketAddress peer(int i) {
        return new InetSocketAddress("127.0.0.1", 6000 + i);
    }
}
