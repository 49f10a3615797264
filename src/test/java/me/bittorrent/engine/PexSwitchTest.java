package me.bittorrent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.Vertx;
import me.bittorrent.state.Preferences;
import me.bittorrent.state.TorrentRepository;

/** The pex preference: on when never set, saved when switched, and BT_PEX=off a hard off it cannot undo. */
class PexSwitchTest {

    @TempDir
    Path state;
    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    GlobalPreferences preferences(boolean allowed) {
        GlobalPreferences p = new GlobalPreferences(new TorrentRepository(vertx, state), 5, 6881, 0);
        p.pexAllowed = allowed;
        p.load().await().atMost(Duration.ofSeconds(10));
        return p;
    }

    @Test
    void onUntilSwitchedOffAndTheChoiceIsSaved() {
        GlobalPreferences p = preferences(true);
        assertTrue(p.settings().pex());
        GlobalSettingsUpdate off = new GlobalSettingsUpdate(null, null, null, null, null, null, null, null, null,
                false, null);
        assertFalse(p.update(off).await().atMost(Duration.ofSeconds(10)).pex());
        assertEquals(Boolean.FALSE, preferences(true).preferences().pex(), "read back after a restart");
        assertFalse(preferences(true).settings().pex());
    }

    @Test
    void btPexOffIsAHardOff() {
        GlobalPreferences p = preferences(false);
        assertFalse(p.settings().pex());
        GlobalSettingsUpdate on = new GlobalSettingsUpdate(null, null, null, null, null, null, null, null, null, true, null);
        InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                () -> p.update(on).await().atMost(Duration.ofSeconds(10)));
        assertTrue(refused.getMessage().contains("BT_PEX=off"), refused.getMessage());
        // other settings still change, and pex stays off
        GlobalSettingsUpdate other = new GlobalSettingsUpdate(10L, null, null, null, null);
        GlobalSettings after = p.update(other).await().atMost(Duration.ofSeconds(10));
        assertEquals(10, after.downloadLimit());
        assertFalse(after.pex());
        assertEquals(null, p.preferences().pex(), "nothing stored for pex: the configuration decides");
        assertEquals(Preferences.NONE.pex(), null);
    }
}
