package me.bittorrent.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The sign-in every test uses by default: the %test profile's password (application.properties) and the one
 * {@link AppProcess} gives the packaged jar (BT_PASSWORD). rest-assured sends it pre-emptively in every test JVM
 * ({@link SignInForTests}), so tests written without sign-in in mind keep working; a test of sign-in itself
 * opts out with {@code given().auth().none()}. Clients of their own (java.net.http) add {@link #basicHeader()}.
 */
public final class TestCredentials {

    public static final String USER = "admin";
    public static final String PASSWORD = "bittorrent-me-test-password";

    private TestCredentials() {
    }

    /** The value of an {@code Authorization} header for {@link #USER} and {@link #PASSWORD}. */
    public static String basicHeader() {
        return basic(USER, PASSWORD);
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
