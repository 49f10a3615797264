package me.bittorrent.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import me.bittorrent.engine.TorrentStatus;
import me.bittorrent.tracker.TrackerStatus;

/** GET /status written from cached per-torrent bytes is byte for byte what Jackson writes for the whole map. */
class StatusJsonTest {

    final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
    final StatusJson statusJson = new StatusJson();

    StatusJsonTest() {
        new SnakeCaseJson().customize(mapper);
        statusJson.json = mapper;
    }

    static TorrentStatus status(String name, String state, double progress) {
        return new TorrentStatus(name, state, "downloading".equals(state), false, progress, 1.5, 0.0, 3, 10, 1000L,
                300L, false, 2, 5, 1, 42L, 7L, 300L, 0.023,
                List.of(new TrackerStatus("udp://127.0.0.1:1/announce", TrackerStatus.ERROR, "timed \"out\"", 0,
                        Instant.ofEpochSecond(1_800_000_000L))),
                null, null, 0, 0, 0, 0, null, "no peers: \u00fc", "", List.of("a", "b"), "/downloads", 1, false,
                -2.0, -2, 0, 1_700_000_000L, null, "global", 0, null, null, null, 0);
    }

    @Test
    void theBodyIsWhatJacksonWritesForTheMapAndFollowsChanges() throws Exception {
        Map<String, TorrentStatus> all = new TreeMap<>();
        all.put("aa", status("one", "downloading", 30.0));
        all.put("bb", status("two \u2603", "stopped", 0.0));
        assertArrayEquals(mapper.writeValueAsBytes(all), statusJson.write(all, true));
        assertArrayEquals(mapper.writeValueAsBytes(all), statusJson.write(all, true), "the cached bytes again");

        all.put("aa", status("one", "seeding", 100.0)); // a new status object: written again
        assertArrayEquals(mapper.writeValueAsBytes(all), statusJson.write(all, true));

        Map<String, TorrentStatus> page = new LinkedHashMap<>();
        page.put("bb", all.get("bb"));
        assertArrayEquals(mapper.writeValueAsBytes(page), statusJson.write(page, false));
        all.remove("aa");
        assertArrayEquals(mapper.writeValueAsBytes(all), statusJson.write(all, true));
        assertEquals("{}", new String(statusJson.write(Map.of(), true)));
    }
}
