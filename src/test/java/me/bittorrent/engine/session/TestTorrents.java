package me.bittorrent.engine.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;

/** Builds real multi-file torrents (bencoded, with a true info-hash) from random files written to disk. */
final class TestTorrents {

    record FileSpec(String path, int length) {
    }

    private TestTorrents() {
    }

    /** Writes random files under {@code dir/name/...} and returns the torrent describing them. */
    static TorrentMeta create(Path dir, String name, int pieceLength, List<FileSpec> specs, List<List<String>> tiers,
            long seed) throws IOException {
        Random random = new Random(seed);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<TorrentFile> files = new ArrayList<>();
        List<Object> infoFiles = new ArrayList<>();
        long offset = 0;
        for (FileSpec spec : specs) {
            byte[] data = new byte[spec.length()];
            random.nextBytes(data);
            Path file = dir.resolve(name).resolve(spec.path());
            Files.createDirectories(file.getParent());
            Files.write(file, data);
            stream.write(data);
            List<String> path = List.of(spec.path().split("/"));
            files.add(new TorrentFile(path, spec.length(), offset, false));
            offset += spec.length();
            Map<String, Object> f = new TreeMap<>();
            f.put("length", (long) spec.length());
            f.put("path", new ArrayList<Object>(path));
            infoFiles.add(f);
        }
        byte[] all = stream.toByteArray();
        int pieces = (int) ((all.length + (long) pieceLength - 1) / pieceLength);
        byte[] hashes = new byte[pieces * 20];
        for (int i = 0; i < pieces; i++) {
            int from = i * pieceLength;
            MessageDigest sha1 = sha1();
            sha1.update(all, from, Math.min(pieceLength, all.length - from));
            System.arraycopy(sha1.digest(), 0, hashes, i * 20, 20);
        }
        Map<String, Object> info = new TreeMap<>();
        info.put("files", infoFiles);
        info.put("name", name);
        info.put("piece length", (long) pieceLength);
        info.put("pieces", hashes);
        byte[] infoBytes = bencode(info);
        Map<String, Object> torrent = new TreeMap<>();
        if (!tiers.isEmpty()) {
            torrent.put("announce", tiers.get(0).get(0));
            List<Object> list = new ArrayList<>();
            tiers.forEach(t -> list.add(new ArrayList<Object>(t)));
            torrent.put("announce-list", list);
        }
        torrent.put("info", info);
        return new TorrentMeta(new InfoHash(sha1().digest(infoBytes)), name, pieceLength, hashes, all.length, files,
                true, tiers, false, bencode(torrent));
    }

    static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bencode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        encode(value, out);
        return out.toByteArray();
    }

    private static void encode(Object value, ByteArrayOutputStream out) {
        if (value instanceof Long n) {
            out.writeBytes(("i" + n + "e").getBytes(StandardCharsets.US_ASCII));
        } else if (value instanceof String s) {
            encode(s.getBytes(StandardCharsets.UTF_8), out);
        } else if (value instanceof byte[] b) {
            out.writeBytes((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
        } else if (value instanceof List<?> list) {
            out.write('l');
            list.forEach(v -> encode(v, out));
            out.write('e');
        } else if (value instanceof Map<?, ?> map) {
            out.write('d');
            new TreeMap<>(map).forEach((k, v) -> {
                encode(k, out);
                encode(v, out);
            });
            out.write('e');
        } else {
            throw new IllegalArgumentException("cannot bencode " + value);
        }
    }
}
