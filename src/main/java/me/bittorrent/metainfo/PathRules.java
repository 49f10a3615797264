package me.bittorrent.metainfo;

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
     * Rejects two files with the same path, and a file whose path is a folder of another file
     * ("a" and "a/b"). Callers leave out BEP 47 padding files: they are never written, and creators reuse
     * names like ".pad/16384".
     */
    static void checkNoConflicts(List<List<String>> paths) throws InvalidTorrentException {
        Set<String> files = new HashSet<>();
        Set<String> folders = new HashSet<>();
        for (List<String> path : paths) {
            // Elements cannot contain '/', so joining with '/' is unambiguous.
            String full = String.join("/", path);
            if (files.contains(full)) {
                throw new InvalidTorrentException("Two files in the torrent have the same path '" + printable(full)
                        + "'");
            }
            if (folders.contains(full)) {
                throw new InvalidTorrentException("The path '" + printable(full)
                        + "' is both a file and a folder in the torrent");
            }
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < path.size() - 1; i++) {
                if (i > 0) {
                    prefix.append('/');
                }
                prefix.append(path.get(i));
                String folder = prefix.toString();
                if (files.contains(folder)) {
                    throw new InvalidTorrentException("The path '" + printable(folder)
                            + "' is both a file and a folder in the torrent");
                }
                folders.add(folder);
            }
            files.add(full);
        }
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
