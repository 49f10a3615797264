package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** RequestTimes behaves as the LinkedHashMap it replaces: same keys in the same order after any operations. */
class RequestTimesTest {

    @Test
    void randomOperationsMatchALinkedHashMap() {
        Random random = new Random(42);
        RequestTimes times = new RequestTimes();
        LinkedHashMap<Long, Long> model = new LinkedHashMap<>();
        long clock = 0;
        for (int op = 0; op < 200_000; op++) {
            long key = Block.key(random.nextInt(40), random.nextInt(64) * 16384);
            int what = random.nextInt(10);
            if (what < 5) {
                clock++;
                times.put(key, clock);
                model.put(key, clock);
            } else if (what < 9) {
                assertEquals(model.remove(key) != null, times.remove(key));
            } else if (random.nextInt(50) == 0) {
                long deadline = clock - random.nextInt(100);
                List<Long> dropped = new ArrayList<>();
                int n = times.removeSentBefore(deadline, dropped::add);
                List<Long> expected = new ArrayList<>();
                for (Map.Entry<Long, Long> e : model.entrySet()) {
                    if (e.getValue() > deadline) {
                        break;
                    }
                    expected.add(e.getKey());
                }
                expected.forEach(model::remove);
                assertEquals(expected, dropped);
                assertEquals(expected.size(), n);
            }
            assertEquals(model.size(), times.size());
            assertEquals(model.containsKey(key), times.containsKey(key));
            if (op % 1000 == 0) {
                assertArrayEquals(model.keySet().stream().mapToLong(Long::longValue).toArray(), times.keys());
            }
        }
        times.clear();
        assertEquals(0, times.size());
        times.put(7, 1);
        assertArrayEquals(new long[] {7}, times.keys());
    }
}
