package me.bittorrent.dht;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state of one iterative Kademlia lookup, without I/O: candidates ordered by distance to the target, at most
 * {@code alpha} queries in flight, each new query goes to the closest unqueried candidate among the K closest
 * live ones; done when those K have all answered (or failed) and nothing is in flight. Bounded: at most
 * {@link #MAX_CANDIDATES} candidates and {@link #MAX_QUERIES} queries per lookup.
 */
final class Lookup {

    static final int MAX_CANDIDATES = 256;
    static final int MAX_QUERIES = 128;
    static final int MAX_PEERS = 2000;

    enum Status { NEW, IN_FLIGHT, ANSWERED, FAILED }

    static final class Candidate {
        final Contact contact;
        Status status = Status.NEW;
        byte[] token;

        Candidate(Contact contact) {
            this.contact = contact;
        }
    }

    private final NodeId target;
    private final int alpha;
    private final TreeMap<BigInteger, Candidate> candidates = new TreeMap<>();
    private final Set<InetSocketAddress> seenAddresses = new HashSet<>();
    private final Set<InetSocketAddress> peers = new LinkedHashSet<>();
    private int inFlight;
    private int queries;

    Lookup(NodeId target, int alpha, List<Contact> start) {
        this.target = target;
        this.alpha = alpha;
        start.forEach(this::offer);
    }

    NodeId target() {
        return target;
    }

    /** Adds a node some answer named; ignores duplicates and, once full, anything farther than the farthest. */
    void offer(Contact c) {
        BigInteger d = c.id().distance(target);
        if (candidates.containsKey(d) || seenAddresses.contains(c.address())) {
            return;
        }
        if (candidates.size() >= MAX_CANDIDATES) {
            if (d.compareTo(candidates.lastKey()) >= 0) {
                return;
            }
            Candidate dropped = candidates.pollLastEntry().getValue();
            if (dropped.status == Status.IN_FLIGHT) { // keep in-flight ones; it was not a good time to evict
                candidates.put(dropped.contact.id().distance(target), dropped);
                return;
            }
        }
        candidates.put(d, new Candidate(c));
        seenAddresses.add(c.address());
    }

    /** The next nodes to query now; marks them in flight. */
    List<Contact> next() {
        List<Contact> out = new ArrayList<>();
        int live = 0;
        for (Candidate c : candidates.values()) {
            if (inFlight >= alpha || queries >= MAX_QUERIES || live >= RoutingTable.K) {
                break;
            }
            if (c.status == Status.FAILED) {
                continue;
            }
            live++;
            if (c.status == Status.NEW) {
                c.status = Status.IN_FLIGHT;
                inFlight++;
                queries++;
                out.add(c.contact);
            }
        }
        return out;
    }

    /** Records an answer; returns the peers in it not seen before in this lookup. */
    List<InetSocketAddress> answered(Contact from, List<Contact> nodes, List<InetSocketAddress> values,
            byte[] token) {
        Candidate c = candidates.get(from.id().distance(target));
        if (c != null && c.status == Status.IN_FLIGHT) {
            c.status = Status.ANSWERED;
            c.token = token;
            inFlight--;
        }
        nodes.forEach(this::offer);
        List<InetSocketAddress> fresh = new ArrayList<>();
        for (InetSocketAddress v : values) {
            if (peers.size() < MAX_PEERS && peers.add(v)) {
                fresh.add(v);
            }
        }
        return fresh;
    }

    /** Peers known before any answer (announced to our own node); returns those not seen before. */
    List<InetSocketAddress> known(List<InetSocketAddress> values) {
        List<InetSocketAddress> fresh = new ArrayList<>();
        for (InetSocketAddress v : values) {
            if (peers.size() < MAX_PEERS && peers.add(v)) {
                fresh.add(v);
            }
        }
        return fresh;
    }

    void failed(Contact to) {
        Candidate c = candidates.get(to.id().distance(target));
        if (c != null && c.status == Status.IN_FLIGHT) {
            c.status = Status.FAILED;
            inFlight--;
        }
    }

    /** Nothing in flight and nothing left worth asking among the K closest live candidates. */
    boolean done() {
        if (inFlight > 0) {
            return false;
        }
        if (queries >= MAX_QUERIES) {
            return true;
        }
        int live = 0;
        for (Candidate c : candidates.values()) {
            if (c.status == Status.FAILED) {
                continue;
            }
            if (c.status == Status.NEW) {
                return false;
            }
            if (++live >= RoutingTable.K) {
                return true;
            }
        }
        return true;
    }

    /** Peers found so far (get_peers values), in the order found. */
    Set<InetSocketAddress> peers() {
        return peers;
    }

    int queries() {
        return queries;
    }

    /** Up to K closest nodes that answered with a token: where to announce. */
    List<Candidate> closestWithTokens() {
        return candidates.values().stream().filter(c -> c.status == Status.ANSWERED && c.token != null)
                .limit(RoutingTable.K).toList();
    }

    /** The K closest nodes that answered. */
    List<Contact> closestAnswered() {
        return candidates.values().stream().filter(c -> c.status == Status.ANSWERED).limit(RoutingTable.K)
                .map(c -> c.contact).toList();
    }
}
