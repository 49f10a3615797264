package me.bittorrent.tracker;

/** Builds the BEP 3 announce URL: the tracker's URL plus our parameters, binary values percent-encoded byte by byte. */
final class AnnounceQuery {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private AnnounceQuery() {
    }

    static String url(String announceUrl, AnnounceRequest r) {
        // The announce URL may carry its own query (private trackers put a passkey there): keep it and append.
        int hash = announceUrl.indexOf('#');
        String base = hash >= 0 ? announceUrl.substring(0, hash) : announceUrl;
        char joiner = base.indexOf('?') < 0 ? '?' : (base.endsWith("?") || base.endsWith("&") ? 0 : '&');
        StringBuilder sb = new StringBuilder(base.length() + 200).append(base);
        if (joiner != 0) {
            sb.append(joiner);
        }
        sb.append("info_hash=");
        percentEncode(r.infoHash().bytes(), sb);
        sb.append("&peer_id=");
        percentEncode(r.peerId(), sb);
        sb.append("&port=").append(r.port())
                .append("&uploaded=").append(r.uploaded())
                .append("&downloaded=").append(r.downloaded())
                .append("&left=").append(r.left())
                .append("&compact=1");
        if (r.numWant() >= 0) {
            sb.append("&numwant=").append(r.numWant());
        }
        sb.append("&key=").append(Integer.toHexString(r.key()).toUpperCase());
        if (r.event().httpName() != null) {
            sb.append("&event=").append(r.event().httpName());
        }
        return sb.toString();
    }

    /** Every byte outside RFC 3986's unreserved set [A-Za-z0-9-._~] becomes %XX. */
    static void percentEncode(byte[] bytes, StringBuilder out) {
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
    }
}
