package me.bittorrent.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;

class FileProgressTest {

    @Test
    void verifiedPiecesCountTowardsEveryFileTheyTouch() {
        // piece length 100: a [0,150) empty [150,150) c [150,420) d [420,500)
        TorrentMeta meta = new TorrentMeta(new InfoHash(new byte[20]), "t", 100, new byte[5 * 20], 500, List.of(
                new TorrentFile(List.of("a"), 150, 0, false),
                new TorrentFile(List.of("empty"), 0, 150, false),
                new TorrentFile(List.of("c"), 270, 150, false),
                new TorrentFile(List.of("d"), 80, 420, false)), true, List.of(), false, new byte[0]);
        BitSet verified = new BitSet();
        assertArrayEquals(new long[] {0, 0, 0, 0}, FileProgress.bytesDone(meta, verified));
        verified.set(1); // [100,200): 50 bytes of a, 50 of c
        verified.set(4); // [400,500): 20 of c, 80 of d
        assertArrayEquals(new long[] {50, 0, 70, 80}, FileProgress.bytesDone(meta, verified));
        verified.set(0, 5);
        assertArrayEquals(new long[] {150, 0, 270, 80}, FileProgress.bytesDone(meta, verified));
    }
}
