package me.bittorrent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import me.bittorrent.Version;
import me.bittorrent.engine.session.SessionSettings;
import me.bittorrent.state.TorrentSettings;
import me.bittorrent.tracker.TrackerStatus;

class SessionRunnerTest {

    @Test
    void peerIdIsOurPrefixAndTwelveRandomCharacters() {
        byte[] first = SessionRunner.newPeerId();
        byte[] second = SessionRunner.newPeerId();
        assertEquals(20, first.length);
        String text = new String(first, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith(Version.PEER_ID_PREFIX), text);
        assertTrue(text.substring(8).chars().allMatch(Character::isLetterOrDigit), text);
        assertFalse(Arrays.equals(first, second));
    }

    private static me.bittorrent.engine.session.SessionSnapshot snapshot(
            me.bittorrent.engine.session.SessionState state, int peers, java.util.List<TrackerStatus> trackers) {
        return new me.bittorrent.engine.session.SessionSnapshot(state, null, new java.util.BitSet(), 100, 0, 0, 0, 0,
                peers, 0, 0, trackers, -1);
    }

    /** Issue 14: stalled and why, in words. */
    @Test
    void aDownloadIsStalledWhenEveryTrackerFailsOrNoDataCameFor60Seconds() {
        var downloading = me.bittorrent.engine.session.SessionState.DOWNLOADING;
        TrackerStatus dead = new TrackerStatus("http://127.0.0.1:9/announce", TrackerStatus.ERROR,
                "connection refused", 0, null);
        TrackerStatus working = new TrackerStatus("http://127.0.0.1:8/announce", TrackerStatus.WORKING, null, 0, null);
        long fresh = 0;
        long old = java.time.Duration.ofSeconds(61).toNanos();
        assertEquals("no peers: every tracker failed: connection refused",
                SessionRunner.stalledReason(snapshot(downloading, 0, java.util.List.of(dead, dead)), fresh));
        assertEquals("no peers: the tracker failed: connection refused",
                SessionRunner.stalledReason(snapshot(downloading, 0, java.util.List.of(dead)), fresh));
        assertEquals(null, SessionRunner.stalledReason(snapshot(downloading, 0, java.util.List.of(dead, working)),
                fresh), "one tracker works: not stalled before 60 s");
        assertEquals(null, SessionRunner.stalledReason(snapshot(downloading, 2, java.util.List.of(working)), fresh));
        assertEquals("no data for 60 s from the 2 connected peers",
                SessionRunner.stalledReason(snapshot(downloading, 2, java.util.List.of(working)), old));
        assertTrue(SessionRunner.stalledReason(snapshot(downloading, 0, java.util.List.of()), old)
                .startsWith("no peers: the torrent has no tracker"));
        assertEquals(null, SessionRunner.stalledReason(snapshot(me.bittorrent.engine.session.SessionState.SEEDING, 0,
                java.util.List.of(dead)), old), "only a download stalls");
    }

    @Test
    void limitsInKilobytesBecomeBytesPerSecond() {
        SessionSettings s = SessionRunner.sessionSettings(new TorrentSettings(100, 50, 7, 9, false, false, true));
        assertEquals(new SessionSettings(102_400, 51_200, 7, 9, true), s);
        assertEquals(0, SessionRunner.sessionSettings(TorrentSettings.defaults(0)).downloadLimit());
    }
}
