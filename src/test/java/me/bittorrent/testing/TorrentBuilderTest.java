package me.bittorrent.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorrentBuilderTest {

    @TempDir
    Path tmp;

    @Test
    void folderTorrentListsFilesInSortedOrderWithOneHashPerPiece() throws IOException {
        Path dir = tmp.resolve("payload");
        TorrentBuilder.randomFile(dir.resolve("b.bin"), 20_000, 1);
        TorrentBuilder.randomFile(dir.resolve("a/z.bin"), 13_000, 2);
        TorrentBuilder.randomFile(dir.resolve("a/c.bin"), 1, 3);

        Map<String, Object> info = TorrentBuilder.of(dir).pieceLength(16384).infoDict();

        List<?> files = (List<?>) info.get("files");
        assertEquals(List.of("a", "c.bin"), ((Map<?, ?>) files.get(0)).get("path"));
        assertEquals(List.of("a", "z.bin"), ((Map<?, ?>) files.get(1)).get("path"));
        assertEquals(List.of("b.bin"), ((Map<?, ?>) files.get(2)).get("path"));
        byte[] pieces = (byte[]) info.get("pieces");
        assertEquals(3 * 20, pieces.length); // 33,001 bytes in 16 KiB pieces
        byte[] stream = concat(dir.resolve("a/c.bin"), dir.resolve("a/z.bin"), dir.resolve("b.bin"));
        assertArrayEquals(TorrentBuilder.sha1(Arrays.copyOfRange(stream, 16384, 32768)),
                Arrays.copyOfRange(pieces, 20, 40));
        assertArrayEquals(TorrentBuilder.sha1(Arrays.copyOfRange(stream, 32768, stream.length)),
                Arrays.copyOfRange(pieces, 40, 60));
    }

    private static byte[] concat(Path... files) throws IOException {
        var out = new ByteArrayOutputStream();
        for (Path f : files) {
            out.writeBytes(Files.readAllBytes(f));
        }
        return out.toByteArray();
    }

    @Test
    void libtorrentComputesTheSameInfoHash() throws Exception {
        Path file = TorrentBuilder.randomFile(tmp.resolve("single.bin"), 100_000, 7);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(32768).announce("http://127.0.0.1:1/announce")
                .privateFlag(true);
        Path torrent = builder.writeTo(tmp.resolve("single.torrent"));
        assertEquals(Libtorrent.infoHash(torrent), builder.infoHashHex());
        assertEquals(true, Files.size(torrent) > 100);
    }
}
