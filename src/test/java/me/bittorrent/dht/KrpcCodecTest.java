package me.bittorrent.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KrpcCodecTest {

    private final KrpcCodec codec = new KrpcCodec();
    private static final NodeId A = NodeId.fromHex("0101010101010101010101010101010101010101");
    private static final NodeId B = NodeId.fromHex("ffeeddccbbaa99887766554433221100ffeeddcc");
    private static final byte[] T = {1, 2};

    @Test
    void queriesRoundTrip() throws Exception {
        assertEquals(A, ((KrpcMessage.Ping) roundTrip(new KrpcMessage.Ping(T, A))).id());
        assertEquals(B, ((KrpcMessage.FindNode) roundTrip(new KrpcMessage.FindNode(T, A, B))).target());
        assertEquals(B, ((KrpcMessage.GetPeers) roundTrip(new KrpcMessage.GetPeers(T, A, B))).infoHash());
        KrpcMessage.AnnouncePeer ap = (KrpcMessage.AnnouncePeer) roundTrip(
                new KrpcMessage.AnnouncePeer(T, A, B, 6881, new byte[] {9, 8, 7}, false));
        assertEquals(6881, ap.port());
        assertArrayEquals(new byte[] {9, 8, 7}, ap.token());
        assertArrayEquals(T, ap.tid());
    }

    @Test
    void bep5ExampleQueryDecodes() throws Exception {
        // BEP 5's own example of a get_peers query
        byte[] bep5 = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe"
                .getBytes(StandardCharsets.ISO_8859_1);
        KrpcMessage.GetPeers g = assertInstanceOf(KrpcMessage.GetPeers.class, codec.decode(bep5));
        assertArrayEquals("aa".getBytes(StandardCharsets.ISO_8859_1), g.tid());
        assertArrayEquals("mnopqrstuvwxyz123456".getBytes(StandardCharsets.ISO_8859_1), g.infoHash().bytes());
    }

    @Test
    void responsesWithNodesValuesAndTokenRoundTrip() throws Exception {
        Contact c = new Contact(B, new InetSocketAddress("127.0.0.1", 6881));
        InetSocketAddress peer = new InetSocketAddress("10.1.2.3", 51413);
        KrpcMessage.Response r = (KrpcMessage.Response) roundTrip(
                new KrpcMessage.Response(T, A, List.of(c), List.of(peer), new byte[] {5, 5}));
        assertEquals(List.of(c), r.nodes());
        assertEquals(List.of(peer), r.values());
        assertArrayEquals(new byte[] {5, 5}, r.token());
        KrpcMessage.Error e = (KrpcMessage.Error) roundTrip(new KrpcMessage.Error(T, 203, "bad token"));
        assertEquals(203, e.code());
        assertEquals("bad token", e.message());
    }

    @Test
    void unknownMethodIsAQueryToAnswerWith204() throws Exception {
        byte[] q = "d1:ad2:id20:abcdefghij0123456789e1:q4:vote1:t2:aa1:y1:qe".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("vote", assertInstanceOf(KrpcMessage.UnknownQuery.class, codec.decode(q)).method());
    }

    @Test
    void garbageIsRefusedWithoutHarm() {
        for (String bad : List.of("", "x", "d", "de", "i1e", "l1:ae", "d1:t2:aae", "d1:t2:aa1:y1:qe",
                "d1:t2:aa1:y1:q1:q4:ping1:ad2:id3:abcee", // id not 20 bytes
                "d1:t2:aa1:y1:re", "d1:t2:aa1:y1:ze", "d1:ai1e1:ai2ee", "d1:t999999999:aa1:y1:qe",
                "d1:t-1:ae", "d1:ti99999999999999999999999ee", "d1:t2:aa1:y1:qee", "d1:t2:aa1:y1:e1:el1:xee",
                "d1:t2:aa1:y1:r1:rd2:id20:abcdefghij01234567895:nodes25:" + "x".repeat(25) + "ee")) {
            assertThrows(KrpcException.class, () -> codec.decode(bad.getBytes(StandardCharsets.ISO_8859_1)), bad);
        }
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(200)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) {
                b[0] = 'd';
            }
            try {
                codec.decode(b);
            } catch (KrpcException expected) {
                // dropped: the point is that nothing else is thrown
            }
        }
    }

    @Test
    void fieldsOfTheWrongTypeAreRefusedOrIgnoredNeverThrown() throws Exception {
        String id = "2:id20:abcdefghij0123456789";
        // a field the message cannot do without, of the wrong type: the packet is dropped (counted as malformed)
        for (String bad : List.of(
                "d1:ad" + id + "e1:q4:ping1:ti7e1:y1:qe", // t an integer
                "d1:ad" + id + "e1:q4:ping1:t2:aa1:yl1:qee", // y a list
                "d1:al" + id + "e1:q4:ping1:t2:aa1:y1:qe", // a a list
                "d1:ad2:idi7ee1:q4:ping1:t2:aa1:y1:qe", // id an integer
                "d1:ad2:idd1:xi1eee1:q4:ping1:t2:aa1:y1:qe", // id a dictionary
                "d1:ad" + id + "e1:qi4e1:t2:aa1:y1:qe", // q an integer
                "d1:ad" + id + "6:targetd1:xi1eee1:q9:find_node1:t2:aa1:y1:qe", // target a dictionary
                "d1:ad" + id + "9:info_hashl1:xee1:q9:get_peers1:t2:aa1:y1:qe", // info_hash a list
                "d1:ad" + id + "9:info_hash20:abcdefghij01234567894:port4:68815:token2:xxe1:q13:announce_peer"
                        + "1:t2:aa1:y1:qe", // port a string, no implied_port
                "d1:ad" + id + "9:info_hash20:abcdefghij01234567894:porti6881e5:tokeni5ee1:q13:announce_peer"
                        + "1:t2:aa1:y1:qe", // token an integer
                "d1:rd" + id + "5:nodesl26:" + "x".repeat(26) + "ee1:t2:aa1:y1:re", // nodes a list
                "d1:rd" + id + "5:tokenl1:xee1:t2:aa1:y1:re", // token a list
                "d1:rl" + id + "e1:t2:aa1:y1:re", // r a list
                "d1:ed4:codei201ee1:t2:aa1:y1:ee", // e a dictionary
                "d1:eli201ei7ee1:t2:aa1:y1:ee")) { // e's message an integer
            assertThrows(KrpcException.class, () -> codec.decode(bad.getBytes(StandardCharsets.ISO_8859_1)), bad);
        }
        // a field a message can do without, of the wrong type: ignored, the rest is read
        KrpcMessage.Response r = assertInstanceOf(KrpcMessage.Response.class, codec.decode(("d1:rd" + id
                + "6:valuesd1:xi1eee1:t2:aa1:y1:re").getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(List.of(), r.values(), "values a dictionary");
        r = assertInstanceOf(KrpcMessage.Response.class, codec.decode(("d1:rd" + id
                + "6:valuesli7ed1:xi1ee3:abc6:\u007f\0\0\1\u001a\u00e1ee1:t2:aa1:y1:re")
                .getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 6881)), r.values(),
                "an integer, a dictionary and a 3-byte string among the values are skipped");
        KrpcMessage.AnnouncePeer a = assertInstanceOf(KrpcMessage.AnnouncePeer.class, codec.decode(("d1:ad" + id
                + "12:implied_port3:yes9:info_hash20:abcdefghij01234567894:porti6881e5:token2:xxe"
                + "1:q13:announce_peer1:t2:aa1:y1:qe").getBytes(StandardCharsets.ISO_8859_1)));
        assertFalse(a.impliedPort(), "implied_port a string counts as absent");
        assertEquals(6881, a.port());
    }

    @Test
    void boundsOnSizeDepthAndTokens() {
        byte[] big = ("d1:t2:aa1:y1:r1:rd2:id20:abcdefghij01234567895:nodes" + (9000 * 26) + ":")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] huge = new byte[big.length + 9000 * 26 + 2];
        System.arraycopy(big, 0, huge, 0, big.length);
        assertTrue(message(huge).contains("packet of"));
        assertTrue(message(("d1:t2:aa1:x" + "l".repeat(50) + "e".repeat(50) + "e")
                .getBytes(StandardCharsets.ISO_8859_1)).contains("nested"));
        assertTrue(message(("d1:t2:aa1:xl" + "i1e".repeat(2000) + "ee").getBytes(StandardCharsets.ISO_8859_1))
                .contains("values"));
        // a claimed length beyond the packet is caught before anything is allocated
        assertTrue(message("d1:t2:aa1:y99999:qe".getBytes(StandardCharsets.ISO_8859_1))
                .contains("runs past the end"));
    }

    @Test
    void aHugeNodesListIsCutToTheCap() throws Exception {
        List<Contact> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] id = new byte[20];
            id[0] = (byte) i;
            many.add(new Contact(new NodeId(id), new InetSocketAddress("127.0.0.1", 1000 + i)));
        }
        KrpcMessage.Response r = (KrpcMessage.Response) roundTrip(
                new KrpcMessage.Response(T, A, many, List.of(), null));
        assertEquals(KrpcCodec.MAX_NODES, r.nodes().size());
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            peers.add(new InetSocketAddress("127.0.0.1", 2000 + i));
        }
        assertEquals(KrpcCodec.MAX_VALUES,
                ((KrpcMessage.Response) roundTrip(new KrpcMessage.Response(T, A, List.of(), peers, null))).values().size());
    }

    private String message(byte[] packet) {
        return assertThrows(KrpcException.class, () -> codec.decode(packet)).getMessage();
    }

    private KrpcMessage roundTrip(KrpcMessage m) throws KrpcException {
        byte[] encoded = codec.encode(m);
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        ignored.writeBytes(encoded);
        return codec.decode(ignored.toByteArray());
    }
}
