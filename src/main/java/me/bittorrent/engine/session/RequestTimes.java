package me.bittorrent.engine.session;

import java.util.Arrays;
import java.util.function.LongBinaryOperator;
import java.util.function.LongConsumer;

/**
 * Our requests to one peer, oldest first: block key ({@link Block#key}) to send time (nanos). What a
 * {@code LinkedHashMap<Long, Long>} did, without an entry and two boxed longs per 16 KiB block: the entries are
 * slots of parallel arrays chained in insertion order (a free list reuses them), found through an open-addressing
 * table of slot numbers (linear probing, deletion by backward shift). The torrent's context only.
 */
final class RequestTimes {

    private static final int NONE = -1;

    private long[] keys = new long[16];
    private long[] times = new long[16];
    private int[] next = new int[16];
    private int[] prev = new int[16];
    /** Slot + 1 per table position, 0 = empty; at most half full. */
    private int[] table = new int[32];
    private int head = NONE;
    private int tail = NONE;
    private int free = NONE;
    private int used;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean containsKey(long key) {
        return position(key) >= 0;
    }

    /** Adds a request at the young end (or sets the time of one already there, keeping its place). */
    void put(long key, long nanos) {
        int at = position(key);
        if (at >= 0) {
            times[table[at] - 1] = nanos;
            return;
        }
        if (2 * (size + 1) > table.length) {
            grow();
        }
        int slot = free;
        if (slot != NONE) {
            free = next[slot];
        } else {
            slot = used++;
        }
        keys[slot] = key;
        times[slot] = nanos;
        next[slot] = NONE;
        prev[slot] = tail;
        if (tail != NONE) {
            next[tail] = slot;
        } else {
            head = slot;
        }
        tail = slot;
        int mask = table.length - 1;
        int i = mix(key) & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = slot + 1;
        size++;
    }

    /** Removes the request; false when there was none. */
    boolean remove(long key) {
        int at = position(key);
        if (at < 0) {
            return false;
        }
        int slot = table[at] - 1;
        deleteAt(at);
        unlink(slot);
        return true;
    }

    void clear() {
        Arrays.fill(table, 0);
        head = tail = free = NONE;
        used = 0;
        size = 0;
    }

    /** The keys, oldest first. */
    long[] keys() {
        long[] out = new long[size];
        int n = 0;
        for (int s = head; s != NONE; s = next[s]) {
            out[n++] = keys[s];
        }
        return out;
    }

    /**
     * Removes the requests sent before {@code deadlineNanos} (the oldest ones: insertion order is send order),
     * calling {@code dropped} with each key after it left; returns how many.
     */
    int removeSentBefore(long deadlineNanos, LongConsumer dropped) {
        int n = 0;
        while (head != NONE && times[head] - deadlineNanos <= 0) {
            long key = keys[head];
            remove(key);
            dropped.accept(key);
            n++;
        }
        return n;
    }

    /** Sets every send time to {@code f(key, time)} (tests: ageing requests). */
    void replaceAll(LongBinaryOperator f) {
        for (int s = head; s != NONE; s = next[s]) {
            times[s] = f.applyAsLong(keys[s], times[s]);
        }
    }

    private int position(long key) {
        int mask = table.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            int e = table[i];
            if (e == 0) {
                return -1;
            }
            if (keys[e - 1] == key) {
                return i;
            }
        }
    }

    /** Empties table position {@code i}, moving later entries of the probe run back so lookups still find them. */
    private void deleteAt(int i) {
        int mask = table.length - 1;
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int e = table[j];
            if (e == 0) {
                break;
            }
            int home = mix(keys[e - 1]) & mask;
            // the entry at j may move to the hole only if its home is not cyclically within (hole, j]
            boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!stays) {
                table[hole] = e;
                hole = j;
            }
        }
        table[hole] = 0;
    }

    private void unlink(int slot) {
        int p = prev[slot];
        int n = next[slot];
        if (p != NONE) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n != NONE) {
            prev[n] = p;
        } else {
            tail = p;
        }
        next[slot] = free;
        free = slot;
        size--;
    }

    private void grow() {
        long[] oldKeys = keys();
        long[] oldTimes = new long[size];
        int n = 0;
        for (int s = head; s != NONE; s = next[s]) {
            oldTimes[n++] = times[s];
        }
        int capacity = keys.length * 2;
        keys = new long[capacity];
        times = new long[capacity];
        next = new int[capacity];
        prev = new int[capacity];
        table = new int[capacity * 2];
        clear();
        for (int i = 0; i < oldKeys.length; i++) {
            put(oldKeys[i], oldTimes[i]);
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
