package me.bittorrent.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The incoming caps' bookkeeping: half-open, per IP, in all; every admitted socket is given back once. */
class IncomingGateTest {

    @Test
    void capsHalfOpenPerIpAndTotalAndGivesSlotsBack() {
        IncomingGate gate = new IncomingGate(new IncomingGate.Caps(2, 3, 2));
        assertTrue(gate.tryOpen("a"));
        assertTrue(gate.tryOpen("a"));
        assertFalse(gate.tryOpen("a"), "per IP");
        assertFalse(gate.tryOpen("b"), "half-open");
        gate.handshaken();
        assertTrue(gate.tryOpen("b"));
        assertFalse(gate.tryOpen("c"), "in all");
        assertEquals(3, gate.refused());
        gate.closed("a", true);
        gate.closed("a", false);
        gate.closed("b", false);
        assertEquals(0, gate.open());
        assertEquals(0, gate.halfOpen());
        assertTrue(gate.tryOpen("a"), "slots given back");
    }

    @Test
    void theTotalStaysBelowTheOpenFileLimit() {
        IncomingGate.Caps caps = IncomingGate.Caps.forThisProcess();
        long limit = IncomingGate.maxFileDescriptors();
        assertTrue(limit > 0);
        assertTrue(caps.maxConnections() <= Math.max(16, (limit - IncomingGate.Caps.RESERVED_DESCRIPTORS) / 2));
        assertTrue(caps.maxHalfOpen() <= caps.maxConnections());
    }
}
