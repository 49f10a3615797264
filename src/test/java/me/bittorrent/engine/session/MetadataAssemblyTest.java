package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** What to ask whom for a magnet's metadata, and what a peer's answer does, without sockets. */
class MetadataAssemblyTest {

    static final int SIZE = 3 * UtMetadata.PIECE_SIZE + 100; // 4 pieces, the last one short
    final byte[] metadata = new byte[SIZE];

    MetadataAssemblyTest() {
        new Random(1).nextBytes(metadata);
    }

    /** The liar sends zeros for pieces 0 and 2, the honest peer the right pieces 1 and 3: a whole that fails. */
    void piecesFromALiarAndAnHonestPeer(MetadataAssembly a) {
        a.received("liar", 0, SIZE, new byte[UtMetadata.PIECE_SIZE]);
        a.received("liar", 2, SIZE, new byte[UtMetadata.PIECE_SIZE]);
        a.received("honest", 1, SIZE, piece(1));
        a.received("honest", 3, SIZE, piece(3));
    }

    byte[] piece(int i) {
        return Arrays.copyOfRange(metadata, i * UtMetadata.PIECE_SIZE,
                i * UtMetadata.PIECE_SIZE + UtMetadata.pieceLength(SIZE, i));
    }

    @Test
    void assemblesFromSeveralPeersAndAsksIdlePeersForWhatIsOutstandingElsewhere() {
        MetadataAssembly a = new MetadataAssembly();
        assertEquals(List.of(0, 1, 2), a.pick("A", SIZE, 0));
        // B gets the free piece, then the same pieces as A (so a silent A cannot stall the fetch)
        assertEquals(List.of(3, 0, 1), a.pick("B", SIZE, 0));
        assertEquals(2, a.peersAsked());
        assertEquals(MetadataAssembly.Outcome.PROGRESS, a.received("A", 0, SIZE, piece(0)));
        assertEquals(MetadataAssembly.Outcome.IGNORED, a.received("B", 0, SIZE, piece(0)), "late duplicate");
        assertEquals(MetadataAssembly.Outcome.PROGRESS, a.received("B", 1, SIZE, piece(1)));
        assertEquals(MetadataAssembly.Outcome.PROGRESS, a.received("B", 3, SIZE, piece(3)));
        assertNull(a.complete());
        assertEquals(MetadataAssembly.Outcome.COMPLETE, a.received("A", 2, SIZE, piece(2)));
        assertArrayEquals(metadata, a.complete());
    }

    @Test
    void aPeerClaimingAnotherSizeIsNotAskedAndOversizedClaimsAreRefused() {
        MetadataAssembly a = new MetadataAssembly();
        assertEquals(3, a.pick("A", SIZE, 0).size());
        assertEquals(List.of(), a.pick("B", SIZE + 1, 0));
        assertNotNull(MetadataAssembly.refuseSize(UtMetadata.MAX_SIZE + 1L));
        assertNotNull(MetadataAssembly.refuseSize(0));
        assertNull(MetadataAssembly.refuseSize(UtMetadata.MAX_SIZE));
        assertEquals(List.of(), new MetadataAssembly().pick("C", 100L * 1024 * 1024, 0), "nothing allocated");
    }

    @Test
    void wrongLengthsAndSizesAreViolationsAndUnaskedDataIsIgnored() {
        MetadataAssembly a = new MetadataAssembly();
        a.pick("A", SIZE, 0);
        assertEquals(MetadataAssembly.Outcome.IGNORED, a.received("X", 0, SIZE, piece(0)), "never asked X");
        assertTrue(a.received("A", 2, SIZE, piece(3)) instanceof String, "piece 2 is 16 KiB, not 100 bytes");
        assertTrue(a.received("A", 1, SIZE + 5, piece(1)) instanceof String, "total_size differs");
    }

    @Test
    void aLoneLiarIsTheCulpritAndSeveralSendersSwitchToOnePeerAtATime() {
        MetadataAssembly a = new MetadataAssembly();
        for (int i = 0; i < 4; i++) {
            a.pick("liar", SIZE, 0);
            a.received("liar", i, SIZE, new byte[UtMetadata.pieceLength(SIZE, i)]);
        }
        assertEquals(List.of("liar"), a.hashFailed());
        assertEquals(-1, a.size(), "starts over, size too");

        MetadataAssembly b = new MetadataAssembly();
        b.pick("liar", SIZE, 0); // 0, 1, 2
        b.pick("honest", SIZE, 0); // 3, 0, 1
        piecesFromALiarAndAnHonestPeer(b);
        assertEquals(List.of(), b.hashFailed(), "two senders: nobody blamed yet");
        assertEquals(3, b.pick("honest", SIZE, 1).size());
        assertEquals(List.of(), b.pick("liar", SIZE, 1), "solo: one peer at a time");
        for (int i = 0; i < 4; i++) {
            b.pick("honest", SIZE, 1);
            b.received("honest", i, SIZE, piece(i));
        }
        assertArrayEquals(metadata, b.complete());
    }

    @Test
    void afterAFailureFromSeveralTheirSendersGoSoloBeforeAPeerThatNeverAnswered() {
        // a liar and an honest seed both sent pieces; a silent peer was asked and sent nothing (CI: the silent one
        // went solo after the liar, held everyone up for its 20 s time-out, and the seed hung up meanwhile)
        MetadataAssembly a = new MetadataAssembly();
        a.pick("liar", SIZE, 0); // 0, 1, 2
        a.pick("honest", SIZE, 0); // 3, 0, 1
        a.pick("silent", SIZE, 0); // 2, 3, 0
        piecesFromALiarAndAnHonestPeer(a);
        assertEquals(List.of(), a.hashFailed(), "two senders: nobody blamed yet");
        assertEquals(List.of(), a.pick("silent", SIZE, 1), "it sent nothing: the senders go solo first");
        assertEquals(3, a.pick("liar", SIZE, 1).size());
        for (int i = 0; i < 4; i++) {
            a.pick("liar", SIZE, 1);
            a.received("liar", i, SIZE, new byte[UtMetadata.pieceLength(SIZE, i)]);
        }
        assertEquals(List.of("liar"), a.hashFailed());
        a.peerLeft("liar");
        assertEquals(List.of(), a.pick("silent", SIZE, 2), "the other sender is still to try");
        for (int i = 0; i < 4; i++) {
            a.pick("honest", SIZE, 2);
            a.received("honest", i, SIZE, piece(i));
        }
        assertArrayEquals(metadata, a.complete());

        MetadataAssembly b = new MetadataAssembly();
        b.pick("liar", SIZE, 0);
        b.pick("honest", SIZE, 0);
        b.received("liar", 0, SIZE, new byte[UtMetadata.PIECE_SIZE]);
        b.received("honest", 1, SIZE, piece(1));
        b.received("liar", 2, SIZE, new byte[UtMetadata.PIECE_SIZE]);
        b.received("honest", 3, SIZE, piece(3));
        b.hashFailed();
        b.peerLeft("liar");
        b.peerLeft("honest");
        assertEquals(3, b.pick("latecomer", SIZE, 1).size(), "no sender left: anyone goes solo");
    }

    @Test
    void silentPeersExpireAndRejectingPeersAreNotAskedAgain() {
        MetadataAssembly a = new MetadataAssembly();
        a.pick("silent", SIZE, 0);
        a.pick("rejecting", SIZE, 0);
        assertEquals(List.of(), a.expired(MetadataAssembly.REQUEST_TIMEOUT_NANOS));
        a.rejected("rejecting", 0, 1);
        assertEquals(List.of(), a.pick("rejecting", SIZE, 2), "backs off");
        assertEquals(3, a.pick("rejecting", SIZE, 2 + MetadataAssembly.REJECT_BACKOFF_NANOS).size());
        a.peerLeft("rejecting");
        assertEquals(List.of("silent"), a.expired(MetadataAssembly.REQUEST_TIMEOUT_NANOS + 1));
        a.peerLeft("silent");
        assertEquals(0, a.peersAsked());
        assertEquals(List.of(0, 1, 2), a.pick("new", SIZE, 2), "the pieces are free again");
    }

    @Test
    void messagesRoundTripAndGarbageIsRefused() {
        UtMetadata.Message request = UtMetadata.decode(UtMetadata.request(3));
        assertEquals(new UtMetadata.Message(UtMetadata.REQUEST, 3, -1, new byte[0]).type(), request.type());
        assertEquals(3, request.piece());
        UtMetadata.Message data = UtMetadata.decode(UtMetadata.data(3, metadata));
        assertEquals(UtMetadata.DATA, data.type());
        assertEquals(SIZE, data.totalSize());
        assertArrayEquals(piece(3), data.data());
        assertEquals(UtMetadata.REJECT, UtMetadata.decode(UtMetadata.reject(1)).type());
        assertNull(UtMetadata.decode("garbage".getBytes()));
        assertNull(UtMetadata.decode("d8:msg_typei9e5:piecei0ee".getBytes()));
        assertNull(UtMetadata.decode("d8:msg_typei0e5:piecei-1ee".getBytes()));
        assertNull(UtMetadata.decode("d8:msg_typei0e5:piecei0eextra".getBytes()), "a request has no tail");
        Map<String, Object> ours = ExtensionHandshake.decode(ExtensionHandshake.ours(6881, 1234));
        assertEquals(UtMetadata.OUR_ID, ExtensionHandshake.utMetadataId(ours));
        assertEquals(1234, ExtensionHandshake.metadataSize(ours));
        assertEquals(-1, ExtensionHandshake.metadataSize(ExtensionHandshake.decode(ExtensionHandshake.ours(1))));
    }
}
