package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;


class SuspectBlocksTest {

    @Test
    void onlyThePeersWhoseBlocksDifferFromTheGoodDataAreLiars() {
        byte[] good = new byte[3 * PiecePicker.BLOCK_SIZE + 100]; // 4 blocks, the last one short
        new Random(1).nextBytes(good);
        byte[] bad = good.clone();
        bad[PiecePicker.BLOCK_SIZE + 5] ^= 1; // block 1 corrupted by the liar
        SuspectBlocks suspects = new SuspectBlocks();
        suspects.failed(7, new String[] {"honest", "liar", "honest", null}, SuspectBlocks.blockDigests(bad));
        assertTrue(suspects.has(7));

        Set<String> liars = suspects.liars(7, SuspectBlocks.blockDigests(good));
        assertEquals(Set.of("liar"), liars);
        assertFalse(suspects.has(7), "a passed piece is forgotten");
        assertEquals(Set.of(), suspects.liars(7, SuspectBlocks.blockDigests(good)));
    }
}
