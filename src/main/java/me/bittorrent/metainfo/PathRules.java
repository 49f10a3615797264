package me.bittorrent.metainfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rules that keep a torrent's names inside the download folder: every path element must be a plain file name,
 * and no two files may land on the same path (or one on another's folder). Paths compare case-sensitively.
 */
final class PathRules {

    private PathRules() {
    }

    /** Rejects a path (one or more elements) that could escape the download folder or is not a file name. */
    static void checkPath(List<String> elements, String what) throws InvalidTorrentException {
        if (elements.isEmpty()) {
            throw new InvalidTorrentException(what + " is empty");
        }
        String shown = printable(String.join("/", elements));
        for (String element : elements) {
            String problem = problemWith(element);
            if (problem != null) {
                throw new InvalidTorrentException(what + " '" + shown + "' " + problem);
            }
        }
    }

    /** Renaming attempts that collided before we refuse the torrent (libtorrent's max_duplicate_filenames). */
    static final int MAX_DUPLICATES = 500;

    /** Longest path element in UTF-8 bytes before it is shortened (libtorrent's 240, below every file system's 255). */
    static final int MAX_ELEMENT_BYTES = 240;

    /**
     * A checked path made safe the way libtorrent makes it ({@code sanitize_append_path_element}): control
     * characters become '_', the Unicode direction marks and overrides (which can disguise "exe.avi" as
     * "iva.exe") are dropped, and an element over {@link #MAX_ELEMENT_BYTES} bytes is shortened keeping its
     * extension, so a name no file system can hold still downloads.
     */
    static List<String> sanitize(List<String> elements) {
        List<String> out = new ArrayList<>(elements.size());
        for (String element : elements) {
            out.add(sanitizeElement(element));
        }
        return out;
    }

    static String sanitizeElement(String element) {
        StringBuilder clean = new StringBuilder(element.length());
        element.codePoints().forEach(c -> {
            if (c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
                return; // direction marks: dropped
            }
            if (c < 0x20 || c == 0x7f) {
                clean.append('_');
            } else {
                clean.appendCodePoint(c);
            }
        });
        String name = clean.isEmpty() ? "_" : clean.toString();
        return shorten(name);
    }

    /** At most {@link #MAX_ELEMENT_BYTES} bytes of UTF-8, keeping an extension of up to 10 bytes. */
    static String shorten(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_ELEMENT_BYTES) {
            return name;
        }
        int dot = name.lastIndexOf('.');
        String extension = dot > 0 && name.length() - dot <= 10 ? name.substring(dot) : "";
        int budget = MAX_ELEMENT_BYTES - extension.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder stem = new StringBuilder();
        int used = 0;
        for (int i = 0; i < name.length() - extension.length(); ) {
            int c = name.codePointAt(i);
            int bytes = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8).length;
            if (used + bytes > budget) {
                break;
            }
            stem.appendCodePoint(c);
            used += bytes;
            i += Character.charCount(c);
        }
        return stem + extension;
    }

    /** Null when {@code element} is a safe single file name, else what is wrong with it. */
    static String problemWith(String element) {
        if (element.isEmpty()) {
            return "contains an empty name";
        }
        if (element.equals(".") || element.equals("..")) {
            return "contains '" + element + "', which could point outside the download folder";
        }
        if (element.indexOf('/') >= 0 || element.indexOf('\\') >= 0) {
            return "contains a name with a slash or backslash in it";
        }
        if (element.indexOf('\0') >= 0) {
            return "contains a NUL character";
        }
        if (element.length() >= 2 && element.charAt(1) == ':' && isAsciiLetter(element.charAt(0))) {
            return "contains a drive letter (" + element.substring(0, 2) + "), which makes it an absolute path";
        }
        return null;
    }

    /**
     * Gives every file a path of its own: a file whose path another file (or a folder of one) already has is
     * renamed the way libtorrent renames it, "name.1.ext", "name.2.ext"... A file whose path is a folder of
     * an earlier file ("a" then "a/b") cannot be renamed into place and is refused. Paths compare
     * case-sensitively. Callers leave out BEP 47 padding files: they are never written, and creators reuse
     * names like ".pad/16384".
     *
     * @return the paths in the same order, renamed where needed
     */
    static List<List<String>> resolveConflicts(List<List<String>> paths) throws InvalidTorrentException {
        Set<String> files = new HashSet<>();
        Set<String> folders = new HashSet<>();
        for (List<String> path : paths) {
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < path.size() - 1; i++) {
                if (i > 0) {
                    prefix.append('/');
                }
                prefix.append(path.get(i));
                folders.add(prefix.toString());
            }
        }
        List<List<String>> out = new ArrayList<>(paths.size());
        int collisions = 0;
        for (List<String> path : paths) {
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < path.size() - 1; i++) {
                if (i > 0) {
                    prefix.append('/');
                }
                prefix.append(path.get(i));
                if (files.contains(prefix.toString())) {
                    throw new InvalidTorrentException("The path '" + printable(prefix.toString())
                            + "' is both a file and a folder in the torrent");
                }
            }
            List<String> unique = path;
            String original = String.join("/", path);
            String full = original;
            for (int n = 1; files.contains(full) || folders.contains(full); n++) {
                // counted over the whole torrent, as libtorrent counts: hostile duplicates cost bounded work
                if (++collisions > MAX_DUPLICATES) {
                    throw new InvalidTorrentException("The torrent has too many files with the same path (such as '"
                            + printable(original) + "')");
                }
                unique = new ArrayList<>(path);
                unique.set(path.size() - 1, numbered(path.get(path.size() - 1), n));
                full = String.join("/", unique);
            }
            files.add(full);
            out.add(unique);
        }
        return out;
    }

    /** "name.ext" as "name.n.ext" (libtorrent's rename of a duplicate file); "name" as "name.n". */
    static String numbered(String name, int n) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) + "." + n + name.substring(dot) : name + "." + n;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** Control characters shown as \\uXXXX so messages stay readable. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
