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

    @Test
    void limitsInKilobytesBecomeBytesPerSecond() {
        SessionSettings s = SessionRunner.sessionSettings(new TorrentSettings(100, 50, 7, 9, false, false, true));
        assertEquals(new SessionSettings(102_400, 51_200, 7, 9, true), s);
        assertEquals(0, SessionRunner.sessionSettings(TorrentSettings.defaults(0)).downloadLimit());
    }
}
