package me.bittorrent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import me.bittorrent.engine.session.WarmUp;

/**
 * The warm-up names classes a first start loads, some of them Vert.x's internals: every name must still exist
 * (a Vert.x upgrade that renames one fails here, not silently in production), and warming must not throw.
 */
class EngineWarmUpTest {

    @Test
    void everyClassNamedForTheFirstStartExistsAndWarmingThrowsNothing() throws Exception {
        WarmUp.sessionClasses();
        WarmUp.sha1();
        assertEquals(EngineWarmUp.FIRST_START.length,
                WarmUp.byName(EngineWarmUp.class.getClassLoader(), EngineWarmUp.FIRST_START));
    }
}
