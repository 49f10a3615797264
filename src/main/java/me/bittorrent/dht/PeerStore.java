package me.bittorrent.dht;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Peers other nodes announced to us (announce_peer), kept {@code ttlNanos} and bounded: at most
 * {@code maxPerHash} per info-hash (the oldest announce makes room), {@code maxHashes} info-hashes and
 * {@code maxTotal} peers (a new info-hash or peer beyond them is refused). Confined to the node's context.
 */
public final class PeerStore {

    private final int maxPerHash;
    private final int maxHashes;
    private final int maxTotal;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final Map<NodeId, LinkedHashMap<InetSocketAddress, Long>> peers = new HashMap<>();
    private int total;

    public PeerStore(int maxPerHash, int maxHashes, int maxTotal, long ttlNanos, LongSupplier nanoClock) {
        this.maxPerHash = maxPerHash;
        this.maxHashes = maxHashes;
        this.maxTotal = maxTotal;
        this.ttlNanos = ttlNanos;
        this.clock = nanoClock;
    }

    /** Returns whether the peer is stored. */
    public boolean add(NodeId infoHash, InetSocketAddress peer) {
        long now = clock.getAsLong();
        LinkedHashMap<InetSocketAddress, Long> set = peers.get(infoHash);
        if (set == null) {
            if (peers.size() >= maxHashes || total >= maxTotal) {
                expireAll(now);
                if (peers.size() >= maxHashes || total >= maxTotal) {
                    return false;
                }
            }
            set = new LinkedHashMap<>();
            peers.put(infoHash, set);
        }
        if (set.remove(peer) != null) {
            total--;
        } else if (set.size() >= maxPerHash) {
            Iterator<InetSocketAddress> oldest = set.keySet().iterator();
            oldest.next();
            oldest.remove();
            total--;
        } else if (total >= maxTotal) {
            return false;
        }
        set.put(peer, now + ttlNanos);
        total++;
        return true;
    }

    /** Up to {@code max} live peers for the info-hash, newest first. */
    public List<InetSocketAddress> get(NodeId infoHash, int max) {
        LinkedHashMap<InetSocketAddress, Long> set = peers.get(infoHash);
        if (set == null) {
            return List.of();
        }
        expire(infoHash, set, clock.getAsLong());
        List<InetSocketAddress> all = new ArrayList<>(set.keySet());
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && out.size() < max; i--) {
            out.add(all.get(i));
        }
        return out;
    }

    public int total() {
        return total;
    }

    public int hashes() {
        return peers.size();
    }

    void expireAll(long now) {
        for (NodeId hash : new ArrayList<>(peers.keySet())) {
            expire(hash, peers.get(hash), now);
        }
    }

    private void expire(NodeId hash, LinkedHashMap<InetSocketAddress, Long> set, long now) {
        Iterator<Long> it = set.values().iterator();
        while (it.hasNext()) {
            if (it.next() - now <= 0) {
                it.remove();
                total--;
            }
        }
        if (set.isEmpty()) {
            peers.remove(hash);
        }
    }
}
