package me.bittorrent.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Issue 11 item 2: one cap on peer connections over every torrent, incoming and outgoing together. */
class ConnectionBudgetTest {

    @Test
    void dialsAndIncomingSocketsShareOneTotal() {
        IncomingGate gate = new IncomingGate(new IncomingGate.Caps(64, 100, 8));
        ConnectionBudget budget = new ConnectionBudget(3, gate);
        assertTrue(budget.tryDial());
        assertTrue(budget.tryDial());
        assertTrue(gate.tryOpen("10.0.0.1"));
        assertEquals(3, budget.total());
        assertFalse(budget.tryDial(), "the total is reached: the dial waits");
        assertFalse(gate.tryOpen("10.0.0.2"), "the total is reached: an incoming socket is refused too");
        budget.dialFailed();
        assertTrue(budget.tryDial(), "a place given back is taken by the next dial");
        gate.closed("10.0.0.1", false);
        assertTrue(gate.tryOpen("10.0.0.2"));
        assertEquals(3, budget.total());
    }

    @Test
    void theTotalNeverExceedsTheFileDescriptorHeadroom() {
        long headroom = IncomingGate.maxFileDescriptors() - ConnectionBudget.RESERVED_DESCRIPTORS;
        assertTrue(ConnectionBudget.maxForThisProcess(Integer.MAX_VALUE) <= Math.max(16, headroom));
        assertEquals(Math.min(40, Math.max(16, headroom)), ConnectionBudget.maxForThisProcess(40));
    }
}
