package me.bittorrent.metainfo;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The 'files' list of a multi-file info dictionary, turned into TorrentFiles with running offsets. */
final class FileList {

    private FileList() {
    }

    static List<TorrentFile> parse(Object value) throws InvalidTorrentException {
        if (!(value instanceof List<?> entries)) {
            throw new InvalidTorrentException("'files' in the info dictionary is not a list");
        }
        List<TorrentFile> files = new ArrayList<>(entries.size());
        List<List<String>> visiblePaths = new ArrayList<>(entries.size());
        long offset = 0;
        for (int i = 0; i < entries.size(); i++) {
            String where = "file " + (i + 1) + " of 'files'";
            if (!(entries.get(i) instanceof Map<?, ?> raw)) {
                throw new InvalidTorrentException("Entry " + (i + 1) + " of 'files' is not a dictionary");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) raw;
            boolean padding = hasAttribute(entry, 'p');
            // BEP 47 symlinks take no space in the payload (libtorrent counts them as 0 bytes); we do not create
            // links, so one is carried like a padding file: part of the layout, never written nor shown.
            boolean symlink = hasAttribute(entry, 'l');
            long length = symlink ? 0 : MetainfoParser.integer(entry, "length", where);
            if (length < 0) {
                throw new InvalidTorrentException("The length of " + where + " is negative (" + length + ")");
            }
            List<String> path;
            if (padding && entry.get("path") == null && entry.get("path.utf-8") == null) {
                path = List.of(".pad", Long.toString(length)); // libtorrent's name for a padding file without one
            } else {
                path = path(entry, where);
                PathRules.checkPath(path, "The file path");
                path = PathRules.sanitize(path);
            }
            boolean hidden = padding || symlink;
            if (!hidden) {
                visiblePaths.add(path);
            }
            files.add(new TorrentFile(path, length, offset, hidden));
            try {
                offset = Math.addExact(offset, length);
            } catch (ArithmeticException e) {
                throw new InvalidTorrentException("The file lengths add up to more than a 64-bit number can hold");
            }
        }
        List<List<String>> unique = PathRules.resolveConflicts(visiblePaths);
        List<TorrentFile> renamed = new ArrayList<>(files.size());
        int next = 0;
        for (TorrentFile f : files) {
            renamed.add(f.padding() ? f : new TorrentFile(unique.get(next++), f.length(), f.offset(), false));
        }
        return renamed;
    }

    /** 'path.utf-8' when it is a list of strings, else 'path' (required). */
    private static List<String> path(Map<String, Object> entry, String where) throws InvalidTorrentException {
        List<String> utf8 = strings(entry.get("path.utf-8"));
        if (utf8 != null) {
            return utf8;
        }
        Object value = entry.get("path");
        if (value == null) {
            throw MetainfoParser.missing("path", where);
        }
        List<String> path = strings(value);
        if (path == null) {
            throw new InvalidTorrentException("'path' in " + where + " is not a list of strings");
        }
        return path;
    }

    private static List<String> strings(Object value) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object element : list) {
            if (!(element instanceof ByteBuffer bytes)) {
                return null;
            }
            out.add(MetainfoParser.text(bytes));
        }
        return out;
    }

    /** BEP 47: an 'attr' string containing {@code flag} ('p' padding, 'l' symlink, 'x' executable, 'h' hidden). */
    private static boolean hasAttribute(Map<String, Object> entry, char flag) {
        return entry.get("attr") instanceof ByteBuffer attr && MetainfoParser.text(attr).indexOf(flag) >= 0;
    }
}
