package me.bittorrent.text;

/**
 * Text that came from someone else (a tracker's failure reason or warning, a peer's client name, a name inside a
 * torrent) made safe to store, log and send: control characters (CR, LF, ESC, the C1 range) and the Unicode
 * direction overrides are replaced, so they cannot forge log lines or reorder what a user reads, and the text is
 * cut at {@link #MAX_CHARS} characters so one reply cannot fill every status answer.
 */
public final class RemoteText {

    /** 1 KiB of text is far more than any honest tracker message or client name. */
    public static final int MAX_CHARS = 1024;

    private RemoteText() {
    }

    /** {@code text} with unsafe characters replaced by U+FFFD and cut to {@link #MAX_CHARS}; null stays null. */
    public static String clean(String text) {
        return clean(text, MAX_CHARS);
    }

    public static String clean(String text, int maxChars) {
        if (text == null) {
            return null;
        }
        int end = Math.min(text.length(), maxChars);
        if (end < text.length() && end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never cut a character in half
        }
        StringBuilder out = new StringBuilder(end + 1);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            out.append(unsafe(c) ? '\uFFFD' : c);
        }
        if (end < text.length()) {
            out.append('\u2026');
        }
        return out.toString();
    }

    /** Whether {@code text} needs no cleaning. */
    public static boolean isClean(String text) {
        return text == null || text.equals(clean(text));
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0)
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u2028' || c == '\u2029';
    }
}
