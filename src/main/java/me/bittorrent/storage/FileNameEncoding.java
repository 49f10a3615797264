package me.bittorrent.storage;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Whether this JVM can name files outside ASCII. Java encodes file names in the charset of the process's locale
 * (LANG/LC_ALL; {@code -Dsun.jnu.encoding} is ignored since JDK 17), so under {@code LANG=C}, as in many
 * containers, every non-ASCII torrent name would fail. The Docker images set {@code LANG=C.UTF-8}; a service
 * started otherwise says so at start.
 */
public final class FileNameEncoding {

    private FileNameEncoding() {
    }

    /** Null when any file name can be written, else what is wrong and how to fix it, in a user's words. */
    public static String problem() {
        String name = System.getProperty("sun.jnu.encoding");
        Charset charset;
        try {
            charset = name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            charset = StandardCharsets.US_ASCII;
        }
        if (charset.newEncoder().canEncode("\u00e9\u65e5\u2603")) {
            return null;
        }
        return "File names are limited to " + charset.name() + " because the service runs without a UTF-8 locale"
                + " (LANG=" + System.getenv("LANG") + "): torrents with other names will fail. Start it with"
                + " LANG=C.UTF-8 (the Docker images do).";
    }

    /** Prints {@link #problem()} (or "ok"): lets a test check a JVM started with another locale. */
    public static void main(String[] args) {
        String problem = problem();
        System.out.println(problem == null ? "ok" : problem);
    }
}
