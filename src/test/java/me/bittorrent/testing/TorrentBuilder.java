package me.bittorrent.testing;

import com.dampcake.bencode.Bencode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test helper: makes real BitTorrent v1 .torrent bytes from real files on disk, with real SHA-1 piece hashes.
 *
 * <pre>{@code
 * byte[] torrent = TorrentBuilder.of(dir).pieceLength(16384).announce("http://127.0.0.1:6969/announce").build();
 * }</pre>
 *
 * A folder becomes a multi-file torrent of every regular file below it (recursively, sorted by path elements);
 * a single file becomes a single-file torrent. Encoding uses dampcake, which sorts dictionary keys as bencode
 * requires. For rejection tests: {@link #infoDict()} gives a mutable copy of the info dictionary to tamper with,
 * {@link #torrentWithInfo(Map)} wraps any info map into .torrent bytes, and {@link #keepingOrder(Map)} makes a
 * map that dampcake writes in insertion order (unsorted keys).
 */
public final class TorrentBuilder {

    private static final Bencode BENCODE = new Bencode(StandardCharsets.UTF_8, true);

    private final Path root;
    private int pieceLength = 16 * 1024;
    private String announce;
    private List<List<String>> announceList;
    private boolean privateFlag;
    private String name;

    private TorrentBuilder(Path root) {
        this.root = root;
    }

    /** A builder for a single file or a folder (multi-file torrent). */
    public static TorrentBuilder of(Path fileOrFolder) {
        return new TorrentBuilder(fileOrFolder);
    }

    public TorrentBuilder pieceLength(int bytes) {
        this.pieceLength = bytes;
        return this;
    }

    public TorrentBuilder announce(String url) {
        this.announce = url;
        return this;
    }

    /** BEP 12 tiers, written as 'announce-list'. */
    public TorrentBuilder announceList(List<List<String>> tiers) {
        this.announceList = tiers;
        return this;
    }

    /** BEP 27 'private' = 1 in the info dictionary. */
    public TorrentBuilder privateFlag(boolean isPrivate) {
        this.privateFlag = isPrivate;
        return this;
    }

    /** Overrides 'name' (default: the file or folder name). */
    public TorrentBuilder name(String torrentName) {
        this.name = torrentName;
        return this;
    }

    /** The .torrent file bytes. */
    public byte[] build() {
        return torrentBytes(infoDict());
    }

    /** Writes the .torrent to {@code target} and returns it. */
    public Path writeTo(Path target) {
        try {
            return Files.write(target, build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lowercase hex SHA-1 of the encoded info dictionary (the torrent id). */
    public String infoHashHex() {
        return HexFormat.of().formatHex(sha1(BENCODE.encode(infoDict())));
    }

    /** A fresh, mutable copy of the info dictionary this builder would write (piece hashes as byte[]). */
    public Map<String, Object> infoDict() {
        try {
            List<Path> files = payloadFiles();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("name", name != null ? name : root.getFileName().toString());
            info.put("piece length", (long) pieceLength);
            info.put("pieces", pieceHashes(files));
            if (Files.isDirectory(root)) {
                List<Object> entries = new ArrayList<>();
                for (Path file : files) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("length", Files.size(file));
                    List<Object> elements = new ArrayList<>();
                    root.relativize(file).forEach(p -> elements.add(p.toString()));
                    entry.put("path", elements);
                    entries.add(entry);
                }
                info.put("files", entries);
            } else {
                info.put("length", Files.size(root));
            }
            if (privateFlag) {
                info.put("private", 1L);
            }
            return info;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] torrentBytes(Map<String, Object> info) {
        Map<String, Object> top = new LinkedHashMap<>();
        if (announce != null) {
            top.put("announce", announce);
        }
        if (announceList != null) {
            top.put("announce-list", announceList);
        }
        top.put("created by", "bittorrent-me TorrentBuilder");
        top.put("info", info);
        return BENCODE.encode(top);
    }

    /** .torrent bytes with the given (possibly hostile) info dictionary and no tracker. */
    public static byte[] torrentWithInfo(Map<String, ?> info) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("info", info);
        return BENCODE.encode(top);
    }

    /** Bencodes any map (keys sorted, unless it is a {@link SortedMap} such as {@link #keepingOrder}). */
    public static byte[] encode(Map<String, ?> map) {
        return BENCODE.encode(map);
    }

    /**
     * A copy of {@code map} that dampcake writes in the map's iteration order instead of sorted order: dampcake
     * keeps the order of any SortedMap, so this one's comparator ranks keys by their original position.
     */
    public static SortedMap<String, Object> keepingOrder(Map<String, ?> map) {
        List<String> order = new ArrayList<>(map.keySet());
        SortedMap<String, Object> ordered = new TreeMap<>(Comparator.comparingInt(order::indexOf));
        ordered.putAll(map);
        return ordered;
    }

    public static byte[] sha1(byte[] data) {
        return sha1Digest().digest(data);
    }

    /** Writes {@code size} pseudo-random bytes (seeded, so reproducible) to {@code file}, creating folders. */
    public static Path randomFile(Path file, long size, long seed) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Random random = new Random(seed);
            byte[] chunk = new byte[64 * 1024];
            try (var out = Files.newOutputStream(file)) {
                for (long left = size; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> payloadFiles() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of(root);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted(TorrentBuilder::byElements).toList();
        }
    }

    private static int byElements(Path a, Path b) {
        for (int i = 0; i < Math.min(a.getNameCount(), b.getNameCount()); i++) {
            int c = a.getName(i).toString().compareTo(b.getName(i).toString());
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.getNameCount(), b.getNameCount());
    }

    /** SHA-1 per piece over the files concatenated in order. */
    private byte[] pieceHashes(List<Path> files) throws IOException {
        var hashes = new java.io.ByteArrayOutputStream();
        MessageDigest digest = sha1Digest();
        byte[] buffer = new byte[64 * 1024];
        long inPiece = 0;
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, pieceLength - inPiece))) > 0) {
                    digest.update(buffer, 0, n);
                    inPiece += n;
                    if (inPiece == pieceLength) {
                        hashes.writeBytes(digest.digest());
                        inPiece = 0;
                    }
                }
            }
        }
        if (inPiece > 0) {
            hashes.writeBytes(digest.digest());
        }
        return hashes.toByteArray();
    }

    private static MessageDigest sha1Digest() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
