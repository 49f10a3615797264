package me.bittorrent.metainfo;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a BitTorrent v1 .torrent file (single- and multi-file, BEP 12 tiers, BEP 27 private,
 * BEP 47 padding files, name.utf-8/path.utf-8). Every rejection says what is wrong in plain words.
 */
public final class MetainfoParser {

    /** Largest piece length libtorrent accepts (a piece is held in memory until its hash is checked). */
    public static final int MAX_PIECE_LENGTH = 512 * 1024 * 1024;
    /** Always accepted, whatever the memory: what this service accepted before. */
    static final int MIN_PIECE_LENGTH_LIMIT = 64 * 1024 * 1024;

    /** libtorrent's 512 MiB, lowered to an eighth of the heap so a few pieces in progress always fit in memory. */
    static long maxPieceLength() {
        long memoryAware = Runtime.getRuntime().maxMemory() / 8;
        return Math.max(MIN_PIECE_LENGTH_LIMIT, Math.min(MAX_PIECE_LENGTH, Long.highestOneBit(memoryAware)));
    }

    private MetainfoParser() {
    }

    /** The raw bytes of the torrent's info dictionary (what BEP 9 serves and the info-hash is taken over). */
    public static byte[] infoDictionary(byte[] torrentBytes) throws InvalidTorrentException {
        BencodeScanner.Span span = BencodeScanner.scanTorrent(torrentBytes);
        if (span == null) {
            throw new InvalidTorrentException("The torrent has no 'info' dictionary");
        }
        return java.util.Arrays.copyOfRange(torrentBytes, span.start(), span.end());
    }

    public static TorrentMeta parse(byte[] bytes, long maxTorrentSize) throws InvalidTorrentException {
        if (bytes == null) {
            throw new InvalidTorrentException("No .torrent file was given");
        }
        if (bytes.length > maxTorrentSize) {
            throw new InvalidTorrentException("The .torrent file is larger than the " + human(maxTorrentSize)
                    + " limit");
        }
        BencodeScanner.Torrent torrent = BencodeScanner.decodeTorrent(bytes);
        BencodeScanner.Span infoSpan = torrent.info();
        if (infoSpan == null) {
            throw new InvalidTorrentException("The torrent has no 'info' dictionary");
        }
        if (bytes[infoSpan.start()] != 'd') {
            throw new InvalidTorrentException("'info' in the torrent is not a dictionary");
        }
        Map<String, Object> top = torrent.top();
        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) top.get("info");

        String name = preferUtf8(info, "name", "the info dictionary");
        PathRules.checkPath(List.of(name), "The torrent name");
        name = PathRules.sanitizeElement(name);
        long pieceLength = integer(info, "piece length", "the info dictionary");
        long maxPieceLength = maxPieceLength();
        if (pieceLength <= 0 || pieceLength > maxPieceLength) {
            throw new InvalidTorrentException("The piece length must be between 1 byte and " + human(maxPieceLength)
                    + ", not " + pieceLength + (maxPieceLength < MAX_PIECE_LENGTH
                    ? " (the limit follows this service's memory; libtorrent's is 512 MiB)" : ""));
        }
        byte[] pieces = pieces(info);

        boolean multiFile = info.containsKey("files");
        if (multiFile && info.containsKey("length")) {
            throw new InvalidTorrentException("The info dictionary has both 'length' and 'files'");
        }
        List<TorrentFile> files = multiFile ? FileList.parse(info.get("files")) : singleFile(info, name);
        TorrentFile last = files.isEmpty() ? null : files.get(files.size() - 1);
        long total = last == null ? 0 : last.offset() + last.length();
        if (total == 0) {
            throw new InvalidTorrentException("The torrent contains no data");
        }
        long expectedPieces = total / pieceLength + (total % pieceLength == 0 ? 0 : 1);
        if (pieces.length / 20 != expectedPieces) {
            throw new InvalidTorrentException("The torrent has " + pieces.length / 20 + " piece hashes, but its "
                    + total + " bytes in pieces of " + pieceLength + " bytes need " + expectedPieces);
        }
        return new TorrentMeta(new InfoHash(sha1(bytes, infoSpan)), name, (int) pieceLength, pieces, total, files,
                multiFile, AnnounceTiers.from(top), isPrivate(info), bytes.clone(), notes(top));
    }

    /** Longest comment kept: the rest is cut (it is shown in a details pane, not stored as a document). */
    static final int MAX_COMMENT_CHARS = 4096;

    /** comment, created by, creation date: optional, any bad one is left out rather than refusing the torrent. */
    static TorrentMeta.Notes notes(Map<String, Object> top) {
        String comment = optionalText(top, "comment", MAX_COMMENT_CHARS);
        String createdBy = optionalText(top, "created by", 256);
        Long date = top.get("creation date") instanceof Long seconds && seconds > 0 ? seconds : null;
        return new TorrentMeta.Notes(comment, createdBy, date);
    }

    private static String optionalText(Map<String, Object> top, String key, int maxChars) {
        Object value = top.get(key + ".utf-8") instanceof ByteBuffer ? top.get(key + ".utf-8") : top.get(key);
        if (!(value instanceof ByteBuffer buffer)) {
            return null;
        }
        // line breaks and tabs are a comment's own layout: spaces keep it readable once the rest is cleaned
        String text = text(buffer.duplicate()).replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ')
                .replace('\t', ' ').strip();
        return text.isEmpty() ? null : me.bittorrent.text.RemoteText.clean(text, maxChars);
    }

    private static List<TorrentFile> singleFile(Map<String, Object> info, String name)
            throws InvalidTorrentException {
        long length = integer(info, "length", "the info dictionary");
        if (length < 0) {
            throw new InvalidTorrentException("The file length is negative (" + length + ")");
        }
        return List.of(new TorrentFile(List.of(name), length, 0, false));
    }

    private static byte[] pieces(Map<String, Object> info) throws InvalidTorrentException {
        Object value = info.get("pieces");
        if (value == null && Long.valueOf(2).equals(info.get("meta version"))) {
            throw new InvalidTorrentException("BitTorrent v2-only torrents are not supported (no 'pieces')");
        }
        byte[] pieces = bytes(value, "pieces", "the info dictionary");
        if (pieces.length % 20 != 0) {
            throw new InvalidTorrentException("'pieces' must be a multiple of 20 bytes long, not " + pieces.length);
        }
        return pieces;
    }

    private static boolean isPrivate(Map<String, Object> info) {
        return Long.valueOf(1).equals(info.get("private"));
    }

    /** The UTF-8 text of {@code key + ".utf-8"} when it is a string, else of {@code key} (required). */
    static String preferUtf8(Map<String, Object> dict, String key, String where) throws InvalidTorrentException {
        if (dict.get(key + ".utf-8") instanceof ByteBuffer utf8) {
            return text(utf8);
        }
        return text(ByteBuffer.wrap(bytes(dict.get(key), key, where)));
    }

    static long integer(Map<String, Object> dict, String key, String where) throws InvalidTorrentException {
        Object value = dict.get(key);
        if (value == null) {
            throw missing(key, where);
        }
        if (!(value instanceof Long number)) {
            throw new InvalidTorrentException("'" + key + "' in " + where + " is not an integer");
        }
        return number;
    }

    static byte[] bytes(Object value, String key, String where) throws InvalidTorrentException {
        if (value == null) {
            throw missing(key, where);
        }
        if (!(value instanceof ByteBuffer buffer)) {
            throw new InvalidTorrentException("'" + key + "' in " + where + " is not a string");
        }
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** Decodes UTF-8; invalid sequences become U+FFFD (so two such names may collide, which is then rejected). */
    static String text(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }

    static InvalidTorrentException missing(String key, String where) {
        return new InvalidTorrentException("The torrent is missing '" + key + "' in " + where);
    }

    /** "10 MiB", "512 KiB" or "1000 bytes". */
    static String human(long bytes) {
        if (bytes > 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MiB";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return bytes / 1024 + " KiB";
        }
        return bytes + " bytes";
    }

    private static byte[] sha1(byte[] bytes, BencodeScanner.Span span) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            digest.update(bytes, span.start(), span.end() - span.start());
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
    }
}
