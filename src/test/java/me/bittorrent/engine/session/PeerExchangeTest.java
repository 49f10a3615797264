package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.wire.PeerMessage;

/**
 * The PEX unit on its own, with fake connections: who is passed on (listen port known, never the peer itself),
 * the first list, the rounds, and the bounds on what a peer tells us (trim, flood, per-peer cap); off or private
 * means nothing offered, sent or taken.
 */
class PeerExchangeTest {

    static final long SECOND = 1_000_000_000L;
    final List<Peer> connected = new ArrayList<>();
    final Set<PeerAddress> learned = new LinkedHashSet<>();
    boolean on = true;
    final PeerExchange pex = new PeerExchange("t", () -> connected, () -> 4, learned::add, () -> on);

    Peer outgoing(String host, int port) {
        Peer peer = new Peer(new UnitTorrent.FakeLink(), host + ":" + port, host, host + port, true);
        connected.add(peer);
        return peer;
    }

    Peer incoming(String host, int ephemeralPort) {
        Peer peer = new Peer(new UnitTorrent.FakeLink(), host + ":" + ephemeralPort, host, host + ephemeralPort,
                false);
        connected.add(peer);
        return peer;
    }

    /** The peer's extension handshake, after ours offered ut_pex (as TorrentSession does when PEX is on). */
    void handshake(Peer peer, String dict, long now) {
        peer.pexOffered = pex.on();
        Map<String, Object> decoded = ExtensionHandshake.decode(dict.getBytes(StandardCharsets.US_ASCII));
        assertNotNull(decoded);
        pex.handshake(peer, decoded, now);
    }

    static List<UtPex.Message> pexSent(Peer peer, int id) {
        return UnitTorrent.link(peer).sent(PeerMessage.Extended.class).stream().filter(e -> e.id() == id)
                .map(e -> UtPex.decode(e.payload())).toList();
    }

    @Test
    void theFirstMessageListsTheConnectedPeersWithAPortWeKnow() {
        Peer seed = outgoing("127.0.0.2", 6881);
        seed.hasAll(java.util.BitSet.valueOf(new long[] {0b1111}));
        incoming("127.0.0.3", 40000); // dialled us and never told its port: not passed on
        Peer told = incoming("127.0.0.4", 40001);
        handshake(told, "d1:md6:ut_pexi1ee1:pi7000ee", 0);
        Peer newcomer = incoming("127.0.0.5", 40002);
        handshake(newcomer, "d1:md6:ut_pexi9ee1:pi7001ee", SECOND);

        List<UtPex.Message> first = pexSent(newcomer, 9);
        assertEquals(1, first.size());
        assertEquals(List.of(new UtPex.Added(new PeerAddress("127.0.0.2", 6881), UtPex.FLAG_SEED | UtPex.FLAG_REACHABLE),
                new UtPex.Added(new PeerAddress("127.0.0.4", 7000), 0)), first.get(0).added(),
                "the seed we dialled (its dialled port) and the incoming peer by its handshake's p; never itself");
        assertEquals(List.of(new UtPex.Added(new PeerAddress("127.0.0.2", 6881), UtPex.FLAG_SEED | UtPex.FLAG_REACHABLE)),
                pexSent(told, 1).get(0).added());
    }

    @Test
    void roundsTellWhoCameAndWhoLeftAboutOnceAMinute() {
        Peer a = outgoing("127.0.0.2", 6881);
        Peer listener = outgoing("127.0.0.9", 6889);
        handshake(listener, "d1:md6:ut_pexi3eee", 0);
        assertEquals(1, pexSent(listener, 3).size());
        Peer b = outgoing("127.0.0.3", 6882);
        pex.everySecond(30 * SECOND);
        assertEquals(1, pexSent(listener, 3).size(), "no round before a minute");
        pex.everySecond(61 * SECOND);
        List<UtPex.Message> sent = pexSent(listener, 3);
        assertEquals(2, sent.size());
        assertEquals(List.of(new PeerAddress("127.0.0.2", 6881), new PeerAddress("127.0.0.3", 6882)),
                sent.get(1).added().stream().map(UtPex.Added::address).toList());
        connected.remove(a);
        pex.everySecond(90 * SECOND);
        assertEquals(2, pexSent(listener, 3).size(), "one message a minute at most");
        pex.everySecond(122 * SECOND);
        sent = pexSent(listener, 3);
        assertEquals(3, sent.size());
        assertEquals(List.of(), sent.get(2).added());
        assertEquals(List.of(new PeerAddress("127.0.0.2", 6881)), sent.get(2).dropped());
        pex.everySecond(200 * SECOND);
        assertEquals(3, pexSent(listener, 3).size(), "nothing changed: nothing sent");
        assertTrue(b.listenPort > 0);
    }

    @Test
    void aRoundAnnouncesFiftyAndKeepsTheRestForTheNext() {
        Peer listener = outgoing("127.0.0.1", 6000);
        handshake(listener, "d1:md6:ut_pexi3eee", 0);
        for (int i = 0; i < 70; i++) {
            outgoing("127.0.1." + i, 7000);
        }
        pex.everySecond(61 * SECOND);
        pex.everySecond(122 * SECOND);
        List<UtPex.Message> sent = pexSent(listener, 3);
        assertEquals(2, sent.size(), "the first list was empty: nothing sent then");
        // a round holds 50 of the 71 (the listener itself among them, left out of its own copy), the next the rest
        assertEquals(49, sent.get(0).added().size());
        assertEquals(21, sent.get(1).added().size());
        Set<PeerAddress> all = new java.util.HashSet<>();
        sent.forEach(m -> m.added().forEach(a -> all.add(a.address())));
        assertEquals(70, all.size());
    }

    @Test
    void aHugeMessageIsTrimmedFloodsAreDroppedAndAPeerTeachesFiftyAtMost() {
        Peer talker = outgoing("127.0.0.2", 6881);
        handshake(talker, "d1:md6:ut_pexi1eee", 0);
        pex.received(talker, UtPexTest.message(10_000, 0, true), SECOND);
        assertEquals(50, learned.size());
        pex.received(talker, UtPexTest.message(10_000, 0, true), 2 * SECOND);
        pex.received(talker, UtPexTest.message(10_000, 0, true), 40 * SECOND);
        assertEquals(2, pex.floods());
        // a minute later: new peers, but the peer already taught 50 that it did not drop
        pex.received(talker, shifted(100), 60 * SECOND);
        assertEquals(50, learned.size());
        assertEquals(3, pex.floods() + 1, "the one after 59 s is honoured");
        assertFalse(talker.pexLearned.size() > PeerExchange.MAX_LEARNED);
        // it drops 10 of its own: room for 10 new ones
        byte[] drop = UtPex.encode(List.of(), UtPex.decode(UtPexTest.message(10, 0, true)).added().stream()
                .map(UtPex.Added::address).toList());
        pex.received(talker, drop, 120 * SECOND);
        pex.received(talker, shifted(100), 180 * SECOND);
        assertEquals(60, learned.size());
        assertEquals(50, talker.pexLearned.size());
    }

    @Test
    void offOrPrivateMeansNothingOfferedSentOrTaken() {
        on = false;
        outgoing("127.0.0.2", 6881);
        Peer other = outgoing("127.0.0.3", 6881);
        handshake(other, "d1:md6:ut_pexi1eee", 0);
        assertFalse(other.pexOffered);
        pex.received(other, UtPexTest.message(10, 0, true), SECOND);
        pex.everySecond(61 * SECOND);
        assertTrue(learned.isEmpty());
        assertTrue(UnitTorrent.link(other).sent.isEmpty(), "nothing sent: " + UnitTorrent.link(other).sent);
        // switched on later: a connection made while it was off stays without PEX (its handshake had none)
        on = true;
        pex.received(other, UtPexTest.message(10, 0, true), 120 * SECOND);
        pex.everySecond(122 * SECOND);
        assertTrue(learned.isEmpty());
        assertTrue(UnitTorrent.link(other).sent.isEmpty());
    }

    @Test
    void aMalformedMessageDropsThePeer() {
        Peer peer = outgoing("127.0.0.2", 6881);
        handshake(peer, "d1:md6:ut_pexi1eee", 0);
        pex.received(peer, "not bencode".getBytes(StandardCharsets.US_ASCII), SECOND);
        assertEquals("sent a malformed ut_pex message", UnitTorrent.link(peer).closed);
    }

    @Test
    void ourHandshakeOffersUtPexOnlyWhenAsked() {
        String with = new String(ExtensionHandshake.ours(6881, 0, true), StandardCharsets.US_ASCII);
        String without = new String(ExtensionHandshake.ours(6881, 0, false), StandardCharsets.US_ASCII);
        assertTrue(with.contains("1:md11:ut_metadatai2e6:ut_pexi1ee"), with);
        assertFalse(without.contains("ut_pex"), without);
    }

    /** 100 peers other than {@link UtPexTest#message}'s first ones. */
    static byte[] shifted(int count) {
        List<UtPex.Added> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            added.add(new UtPex.Added(new PeerAddress("127.0.2." + i, 9000 + i), 0));
        }
        return UtPex.encode(added, List.of());
    }
}
