package me.bittorrent.api.auth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How sign-in looks to qBittorrent clients (the WebAPI v2 under {@link #PREFIX}): the session is the same signed
 * token as the dashboard's cookie ({@link SessionTokens}), sent back as cookie {@code SID}; a call without valid
 * credentials is 403 (qBittorrent's answer; Sonarr reports 401 as "failed to connect"), never a Basic challenge.
 */
public final class QbittorrentAuth {

    public static final String PREFIX = "/api/v2/";
    public static final String LOGIN = PREFIX + "auth/login";
    public static final String SID = "SID";
    /**
     * The SID wherever it stands in a Cookie header: clients such as Flood echo the whole Set-Cookie string
     * ("SID=...; HttpOnly; Path=/; SameSite=Lax"), which cookie parsers may reject as a whole.
     */
    private static final Pattern SID_VALUE = Pattern.compile("(?:^|[;,]\\s*)SID=\"?([A-Za-z0-9._~+/=-]{1,200})");

    private QbittorrentAuth() {
    }

    public static boolean isApi(String path) {
        return path != null && path.startsWith(PREFIX);
    }

    /** The SID in a Cookie header, or null. */
    public static String sid(String cookieHeader) {
        if (cookieHeader == null || cookieHeader.length() > 8192) {
            return null;
        }
        Matcher m = SID_VALUE.matcher(cookieHeader);
        return m.find() ? m.group(1) : null;
    }

    /** As qBittorrent sets it; Secure when served over TLS. An empty value with Max-Age=0 clears it. */
    public static String cookie(String value, boolean tls) {
        return SID + "=" + value + "; HttpOnly; Path=/; SameSite=Lax" + (value.isEmpty() ? "; Max-Age=0" : "")
                + (tls ? "; Secure" : "");
    }
}
