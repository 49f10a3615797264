package me.bittorrent.storage;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;

/** A torrent built in memory for tests: random content (zeros in padding files) and real SHA-1 piece hashes. */
record TestTorrent(TorrentMeta meta, byte[] content) {

    record Entry(List<String> path, int length, boolean padding) {
    }

    static Entry file(int length, String... path) {
        return new Entry(List.of(path), length, false);
    }

    static Entry pad(int length) {
        return new Entry(List.of(".pad", Integer.toString(length)), length, true);
    }

    static TestTorrent multi(String name, int pieceLength, Entry... entries) {
        return build(name, pieceLength, true, entries);
    }

    static TestTorrent single(String name, int pieceLength, int length) {
        return build(name, pieceLength, false, file(length, name));
    }

    static TestTorrent build(String name, int pieceLength, boolean multiFile, Entry... entries) {
        Random random = new Random(name.hashCode() * 31L + pieceLength);
        List<TorrentFile> files = new ArrayList<>();
        long offset = 0;
        for (Entry e : entries) {
            files.add(new TorrentFile(e.path(), e.length(), offset, e.padding()));
            offset += e.length();
        }
        byte[] content = new byte[(int) offset];
        random.nextBytes(content);
        for (TorrentFile f : files) {
            if (f.padding()) {
                Arrays.fill(content, (int) f.offset(), (int) (f.offset() + f.length()), (byte) 0);
            }
        }
        int pieces = (content.length + pieceLength - 1) / pieceLength;
        byte[] hashes = new byte[pieces * 20];
        for (int i = 0; i < pieces; i++) {
            int from = i * pieceLength;
            int to = Math.min(content.length, from + pieceLength);
            System.arraycopy(sha1(Arrays.copyOfRange(content, from, to)), 0, hashes, i * 20, 20);
        }
        byte[] info = new byte[20];
        random.nextBytes(info);
        TorrentMeta meta = new TorrentMeta(new InfoHash(info), name, pieceLength, hashes, offset, files, multiFile,
                List.of(), false, new byte[0]);
        return new TestTorrent(meta, content);
    }

    static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    int pieceOffset(int piece) {
        return piece * meta.pieceLength();
    }

    byte[] fileBytes(int fileIndex) {
        TorrentFile f = meta.files().get(fileIndex);
        return Arrays.copyOfRange(content, (int) f.offset(), (int) (f.offset() + f.length()));
    }

    /** Writes every piece through the store. */
    void writeAll(PieceStore store) throws Exception {
        for (int i = 0; i < meta.pieceCount(); i++) {
            store.writePiece(i, content, pieceOffset(i));
        }
    }

    boolean[] all() {
        boolean[] s = new boolean[meta.files().size()];
        Arrays.fill(s, true);
        return s;
    }
}
