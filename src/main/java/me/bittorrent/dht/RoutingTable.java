package me.bittorrent.dht;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A k=8 Kademlia routing table: bucket {@code i} holds nodes whose id shares exactly {@code i} leading bits with
 * ours, so near buckets are fine-grained and the table holds at most 161 x 8 nodes. Only nodes that answered us
 * enter (the node pings an unknown querier first); a full bucket takes a newcomer only in place of a bad node.
 * Not thread-safe: confined to the DHT node's Vert.x context.
 */
public final class RoutingTable {

    public static final int K = 8;
    static final long GOOD_FOR_NANOS = 15L * 60 * 1_000_000_000L;
    static final int BAD_AFTER_FAILURES = 2;

    /** One node and what we know of its health. */
    static final class Entry {
        final Contact contact;
        long lastResponse;
        int failures;

        Entry(Contact contact, long now) {
            this.contact = contact;
            this.lastResponse = now;
        }

        NodeState state(long now) {
            if (failures >= BAD_AFTER_FAILURES) {
                return NodeState.BAD;
            }
            return failures == 0 && now - lastResponse < GOOD_FOR_NANOS ? NodeState.GOOD : NodeState.QUESTIONABLE;
        }
    }

    private final NodeId self;
    private final LongSupplier clock;
    private final List<List<Entry>> buckets = new ArrayList<>();
    private final long[] lastChanged = new long[NodeId.LENGTH * 8 + 1];

    public RoutingTable(NodeId self, LongSupplier nanoClock) {
        this.self = self;
        this.clock = nanoClock;
        long now = clock.getAsLong();
        for (int i = 0; i <= NodeId.LENGTH * 8; i++) {
            buckets.add(new ArrayList<>(K));
            lastChanged[i] = now;
        }
    }

    public NodeId self() {
        return self;
    }

    /**
     * Records that {@code contact} answered us. Returns true when it is (now) in the table. An id already known
     * at another address is not moved (an address cannot take over an id until the old one goes bad).
     */
    public boolean responded(Contact contact) {
        if (contact.id().equals(self)) {
            return false;
        }
        long now = clock.getAsLong();
        int index = self.commonPrefix(contact.id());
        List<Entry> bucket = buckets.get(index);
        for (Entry e : bucket) {
            if (e.contact.id().equals(contact.id())) {
                if (!e.contact.address().equals(contact.address())) {
                    if (e.state(now) != NodeState.BAD) {
                        return false;
                    }
                    bucket.remove(e);
                    break;
                }
                e.lastResponse = now;
                e.failures = 0;
                lastChanged[index] = now;
                return true;
            }
        }
        if (bucket.size() >= K) {
            Optional<Entry> bad = bucket.stream().filter(e -> e.state(now) == NodeState.BAD).findFirst();
            if (bad.isEmpty()) {
                return false;
            }
            bucket.remove(bad.get());
        }
        bucket.add(new Entry(contact, now));
        lastChanged[index] = now;
        return true;
    }

    /** Whether there is room for this id without evicting a good or questionable node. */
    public boolean wouldAccept(NodeId id) {
        if (id.equals(self)) {
            return false;
        }
        long now = clock.getAsLong();
        List<Entry> bucket = buckets.get(self.commonPrefix(id));
        return bucket.stream().noneMatch(e -> e.contact.id().equals(id))
                && (bucket.size() < K || bucket.stream().anyMatch(e -> e.state(now) == NodeState.BAD));
    }

    /** A query to this address timed out. */
    public void failed(InetSocketAddress address) {
        for (List<Entry> bucket : buckets) {
            for (Entry e : bucket) {
                if (e.contact.address().equals(address)) {
                    e.failures++;
                }
            }
        }
    }

    /** The {@code n} non-bad nodes closest to {@code target} by XOR distance, closest first. */
    public List<Contact> closest(NodeId target, int n) {
        long now = clock.getAsLong();
        return buckets.stream().flatMap(List::stream).filter(e -> e.state(now) != NodeState.BAD)
                .map(e -> e.contact).sorted(Comparator.comparing(c -> c.id().distance(target))).limit(n).toList();
    }

    public List<Contact> all() {
        return buckets.stream().flatMap(List::stream).map(e -> e.contact).toList();
    }

    /** Nodes not heard from for 15 minutes: to ping, so they become good again or bad. */
    public List<Contact> questionable() {
        long now = clock.getAsLong();
        return buckets.stream().flatMap(List::stream).filter(e -> e.state(now) == NodeState.QUESTIONABLE)
                .map(e -> e.contact).toList();
    }

    public NodeState state(NodeId id) {
        long now = clock.getAsLong();
        return buckets.get(self.commonPrefix(id)).stream().filter(e -> e.contact.id().equals(id)).findFirst()
                .map(e -> e.state(now)).orElse(null);
    }

    /** Good and questionable nodes: what /status shows. */
    public int size() {
        long now = clock.getAsLong();
        return (int) buckets.stream().flatMap(List::stream).filter(e -> e.state(now) != NodeState.BAD).count();
    }

    /**
     * BEP 5 bucket refresh: one random lookup target per bucket unchanged for {@code idleNanos}, for buckets up
     * to the deepest non-empty one (deeper ones cannot fill until a neighbour shows up).
     */
    public List<NodeId> refreshTargets(long idleNanos, SecureRandom random) {
        long now = clock.getAsLong();
        int deepest = -1;
        for (int i = 0; i < buckets.size(); i++) {
            if (!buckets.get(i).isEmpty()) {
                deepest = i;
            }
        }
        List<NodeId> targets = new ArrayList<>();
        for (int i = 0; i <= Math.min(deepest, NodeId.LENGTH * 8 - 1); i++) {
            if (now - lastChanged[i] >= idleNanos) {
                targets.add(self.randomWithPrefix(i, random));
                lastChanged[i] = now;
            }
        }
        return targets;
    }
}
