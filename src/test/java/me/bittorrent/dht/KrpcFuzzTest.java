package me.bittorrent.dht;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import me.bittorrent.testing.BencodeFuzzer;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the DHT's bencode entry point (issue 11: "DHT packets" among every bencode input): KRPC packets mutated
 * from valid queries, responses and errors. Each gives a message or a KrpcException, nothing else, and a decoded
 * response never holds more nodes or values than the packet could carry.
 */
class KrpcFuzzTest {

    private static final NodeId A = NodeId.fromHex("0101010101010101010101010101010101010101");
    private static final NodeId B = NodeId.fromHex("ffeeddccbbaa99887766554433221100ffeeddcc");
    private static final byte[] T = {1, 2};

    @Test
    void everyMutatedPacketIsReadOrRefused() {
        KrpcCodec codec = new KrpcCodec();
        Contact c = new Contact(B, new InetSocketAddress("127.0.0.1", 6881));
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(codec.encode(new KrpcMessage.Ping(T, A)));
        seeds.add(codec.encode(new KrpcMessage.FindNode(T, A, B)));
        seeds.add(codec.encode(new KrpcMessage.GetPeers(T, A, B)));
        seeds.add(codec.encode(new KrpcMessage.AnnouncePeer(T, A, B, 6881, new byte[] {9, 8, 7}, false)));
        seeds.add(codec.encode(new KrpcMessage.Response(T, A, List.of(c, c, c),
                List.of(new InetSocketAddress("10.1.2.3", 51413)), new byte[] {5, 5})));
        seeds.add(codec.encode(new KrpcMessage.Error(T, 203, "bad token")));
        BencodeFuzzer fuzzer = new BencodeFuzzer(20261203L, seeds);
        int iterations = BencodeFuzzer.iterations();
        int decoded = 0;
        for (int i = 0; i < iterations; i++) {
            byte[] input = fuzzer.next();
            try {
                KrpcMessage message = codec.decode(input);
                decoded++;
                if (message instanceof KrpcMessage.Response r) {
                    // 26 bytes a node, 6 a value: more than the packet holds would mean made-up entries
                    assertTrue(r.nodes().size() * 26 + r.values().size() * 6 <= input.length, "input " + i);
                }
            } catch (KrpcException refused) {
                // dropped, as the node drops it
            } catch (RuntimeException | Error e) {
                throw new AssertionError("input " + i + " (" + input.length + " bytes) broke the KRPC decoder", e);
            }
        }
        assertTrue(decoded > 0, "no mutated packet was readable");
    }
}
