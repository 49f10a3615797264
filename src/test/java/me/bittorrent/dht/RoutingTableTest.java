package me.bittorrent.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTableTest {

    private final SecureRandom random = new SecureRandom();
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final NodeId self = NodeId.random(random);
    private final RoutingTable table = new RoutingTable(self, now::get);
    private int port = 10_000;

    private Contact contactWithPrefix(int prefix) {
        return new Contact(self.randomWithPrefix(prefix, random), new InetSocketAddress("127.0.0.1", port++));
    }

    @Test
    void aBucketHoldsEightAndTakesANewcomerOnlyInPlaceOfABadNode() {
        List<Contact> first = new java.util.ArrayList<>();
        for (int i = 0; i < RoutingTable.K; i++) {
            Contact c = contactWithPrefix(0);
            first.add(c);
            assertTrue(table.responded(c));
        }
        Contact ninth = contactWithPrefix(0);
        assertFalse(table.wouldAccept(ninth.id()));
        assertFalse(table.responded(ninth), "full bucket of good nodes");
        table.failed(first.get(3).address());
        assertEquals(NodeState.QUESTIONABLE, table.state(first.get(3).id()));
        assertFalse(table.responded(ninth), "a questionable node is not evicted");
        table.failed(first.get(3).address());
        assertEquals(NodeState.BAD, table.state(first.get(3).id()));
        assertTrue(table.responded(ninth), "a bad node makes room");
        assertEquals(RoutingTable.K, table.size());
        assertEquals(null, table.state(first.get(3).id()));
    }

    @Test
    void nodesGoQuestionableAfterFifteenQuietMinutesAndGoodWhenTheyAnswer() {
        Contact c = contactWithPrefix(5);
        table.responded(c);
        assertEquals(NodeState.GOOD, table.state(c.id()));
        now.addAndGet(RoutingTable.GOOD_FOR_NANOS);
        assertEquals(NodeState.QUESTIONABLE, table.state(c.id()));
        assertEquals(List.of(c), table.questionable());
        table.responded(c);
        assertEquals(NodeState.GOOD, table.state(c.id()));
    }

    @Test
    void closestIsOrderedByXorDistanceAndSkipsBadNodes() {
        for (int i = 0; i < 60; i++) {
            table.responded(contactWithPrefix(i % 20));
        }
        NodeId target = NodeId.random(random);
        List<Contact> closest = table.closest(target, RoutingTable.K);
        assertEquals(RoutingTable.K, closest.size());
        List<Contact> all = table.all().stream().sorted(Comparator.comparing(c -> c.id().distance(target))).toList();
        assertEquals(all.subList(0, RoutingTable.K), closest);
        table.failed(closest.get(0).address());
        table.failed(closest.get(0).address());
        assertFalse(table.closest(target, RoutingTable.K).contains(closest.get(0)));
    }

    @Test
    void anIdKnownAtOneAddressCannotBeTakenOverByAnother() {
        Contact c = contactWithPrefix(3);
        table.responded(c);
        assertFalse(table.responded(new Contact(c.id(), new InetSocketAddress("127.0.0.2", 1))));
        assertFalse(table.responded(new Contact(self, new InetSocketAddress("127.0.0.1", 2))), "never ourselves");
    }

    @Test
    void refreshTargetsFallInIdleBucketsOnly() {
        table.responded(contactWithPrefix(0));
        table.responded(contactWithPrefix(4));
        assertEquals(List.of(), table.refreshTargets(1000, random));
        now.addAndGet(2000);
        List<NodeId> targets = table.refreshTargets(1000, random);
        assertEquals(5, targets.size(), "buckets 0..4, up to the deepest non-empty one");
        for (int i = 0; i < targets.size(); i++) {
            assertEquals(i, self.commonPrefix(targets.get(i)));
        }
        assertEquals(List.of(), table.refreshTargets(1000, random), "refreshed buckets wait another period");
    }

    @Test
    void theTableFileRoundTripsAndADamagedFileIsIgnored(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 30; i++) {
            table.responded(contactWithPrefix(i % 10));
        }
        Path file = dir.resolve("state/dht.dat");
        RoutingTableFile.save(file, self, table.all());
        RoutingTableFile.Saved saved = RoutingTableFile.load(file).orElseThrow();
        assertEquals(self, saved.id());
        assertEquals(table.all(), saved.nodes());
        Files.write(file, "d2:id3:abce".getBytes());
        assertTrue(RoutingTableFile.load(file).isEmpty());
        Files.write(file, new byte[RoutingTableFile.MAX_BYTES + 1]);
        assertTrue(RoutingTableFile.load(file).isEmpty());
        assertTrue(RoutingTableFile.load(dir.resolve("absent")).isEmpty());
    }

    @Test
    void aHostileTableFileIsIgnoredByTheBoundedDecoder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dht.dat");
        for (String hostile : List.of("d2:id2000000000:", "d2:idl" + "l".repeat(5000) + "e".repeat(5001) + "e",
                "d2:id20:abcdefghij01234567895:nodes0:ei1e", "d2:id20:abcdefghij01234567892:id0:e")) {
            Files.write(file, hostile.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertTrue(RoutingTableFile.load(file).isEmpty(), hostile);
        }
        Files.write(file, "d2:id20:abcdefghij01234567895:nodes0:e".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals(List.of(), RoutingTableFile.load(file).orElseThrow().nodes());
    }
}
