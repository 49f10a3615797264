package me.bittorrent.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The iterative lookup against a simulated network where each node knows only its neighbours in a chain. */
class LookupTest {

    private final SecureRandom random = new SecureRandom();

    @Test
    void convergesOnTheKClosestLiveNodesWithAtMostAlphaInFlight() {
        // a Kademlia network: every node knows its 8 XOR-closest nodes and, as its routing table would, 2 random
        // nodes of every bucket (every distance's highest bit); one in 7 is dead. (With only random long links
        // and no buckets, a lookup can get stuck in a far cluster, and the test failed now and then.)
        List<Contact> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            all.add(new Contact(NodeId.random(random), new InetSocketAddress("127.0.0.1", 20_000 + i)));
        }
        java.util.Map<Contact, List<Contact>> knows = new java.util.HashMap<>();
        for (Contact c : all) {
            List<Contact> others = all.stream().filter(o -> o != c)
                    .sorted(Comparator.comparing(o -> o.id().distance(c.id()))).toList();
            List<Contact> k = new ArrayList<>(others.subList(0, 8));
            java.util.Map<Integer, List<Contact>> buckets = others.stream()
                    .collect(java.util.stream.Collectors.groupingBy(o -> o.id().distance(c.id()).bitLength()));
            for (List<Contact> bucket : buckets.values()) {
                for (int j = 0; j < 2; j++) {
                    k.add(bucket.get(random.nextInt(bucket.size())));
                }
            }
            knows.put(c, k);
        }
        java.util.function.Predicate<Contact> dead = c -> all.indexOf(c) % 7 == 3;
        NodeId target = NodeId.random(random);
        Contact start = all.stream().filter(dead.negate()).findFirst().orElseThrow();
        Lookup lookup = new Lookup(target, 3, List.of(start));
        List<Contact> inFlight = new ArrayList<>();
        int maxInFlight = 0;
        while (!lookup.done()) {
            inFlight.addAll(lookup.next());
            maxInFlight = Math.max(maxInFlight, inFlight.size());
            assertFalse(inFlight.isEmpty(), "not done, yet nothing to wait for");
            Contact c = inFlight.remove(random.nextInt(inFlight.size())); // answers come in any order
            if (dead.test(c)) {
                lookup.failed(c);
            } else {
                lookup.answered(c, knows.get(c), List.of(new InetSocketAddress("10.0.0.1", 1)), new byte[] {1});
            }
        }
        assertTrue(maxInFlight <= 3, "alpha bounds the queries in flight: " + maxInFlight);
        assertTrue(lookup.queries() < all.size() / 3, "converged without asking everyone: " + lookup.queries());
        List<Contact> expected = all.stream().filter(dead.negate())
                .sorted(Comparator.comparing(c -> c.id().distance(target))).limit(RoutingTable.K).toList();
        assertEquals(expected, lookup.closestAnswered());
        assertEquals(RoutingTable.K, lookup.closestWithTokens().size());
        assertEquals(1, lookup.peers().size());
    }

    @Test
    void queriesAreCapped() {
        Lookup lookup = new Lookup(NodeId.random(random), 3,
                List.of(new Contact(NodeId.random(random), new InetSocketAddress("127.0.0.1", 1))));
        int port = 2;
        int prefix = 0;
        while (!lookup.done()) {
            for (Contact c : lookup.next()) {
                List<Contact> fresh = new ArrayList<>();
                prefix++;
                for (int i = 0; i < 16; i++) { // a hostile network that always names 16 new, ever closer nodes
                    fresh.add(new Contact(lookup.target().randomWithPrefix(prefix, random),
                            new InetSocketAddress("127.0.0.1", port++)));
                }
                lookup.answered(c, fresh, List.of(), null);
            }
        }
        assertEquals(Lookup.MAX_QUERIES, lookup.queries());
    }
}
