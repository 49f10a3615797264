package me.bittorrent.api.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure rules of sign-in, without a service: Host allow-list, ban counting, redirects, Basic parsing. */
class AuthRulesTest {

    @Test
    void hostAllowListAcceptsIpLiteralsLocalhostAndListedNamesOnly() {
        List<String> listed = List.of("Media.Home.Arpa");
        assertTrue(HostRules.allowed("127.0.0.1:5001", listed));
        assertTrue(HostRules.allowed("192.168.1.20", listed));
        assertTrue(HostRules.allowed("[::1]:5001", listed));
        assertTrue(HostRules.allowed("localhost:5001", listed));
        assertTrue(HostRules.allowed("media.home.arpa:5001", listed));
        assertTrue(HostRules.allowed("MEDIA.home.arpa.", listed));
        assertFalse(HostRules.allowed("evil.example:5001", listed), "the rebinding page of the issue");
        assertFalse(HostRules.allowed("localhost.evil.example", listed));
        assertFalse(HostRules.allowed("127.0.0.1.evil.example", listed));
        assertFalse(HostRules.allowed("[evil]:5001", listed));
        assertFalse(HostRules.allowed(null, listed));
        assertFalse(HostRules.allowed("", listed));
    }

    @Test
    void fiveFailuresBanAndOnlyTheEndOfTheBanLiftsIt() {
        SignInGuard guard = new SignInGuard();
        guard.config = config(Duration.ofHours(1));
        for (int i = 1; i < 5; i++) {
            assertFalse(guard.failed("10.0.0.1", "test"));
        }
        assertEquals(Optional.empty(), guard.banRemaining("10.0.0.1"));
        assertTrue(guard.failed("10.0.0.1", "test"), "the fifth failure bans");
        assertTrue(guard.banRemaining("10.0.0.1").orElseThrow().compareTo(Duration.ofMinutes(59)) > 0);
        guard.succeeded("10.0.0.1");
        assertTrue(guard.banRemaining("10.0.0.1").isPresent(), "a right password does not lift a ban");
        assertEquals(Optional.empty(), guard.banRemaining("10.0.0.2"), "other addresses are not affected");

        // a success resets the count of an address that is not banned
        for (int i = 0; i < 4; i++) {
            guard.failed("10.0.0.3", "test");
        }
        guard.succeeded("10.0.0.3");
        assertFalse(guard.failed("10.0.0.3", "test"));
    }

    @Test
    void anExpiredBanStartsTheCountAgain() {
        SignInGuard guard = new SignInGuard();
        guard.config = config(Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            guard.failed("10.0.0.1", "test");
        }
        assertEquals(Optional.empty(), guard.banRemaining("10.0.0.1"), "a zero-length ban is over at once");
        assertFalse(guard.failed("10.0.0.1", "test"), "counting starts again after a ban");
    }

    @Test
    void signInRedirectsOnlyToPathsOfThisService() {
        assertEquals("/", SignInResource.safeNext(null));
        assertEquals("/status", SignInResource.safeNext("/status"));
        assertEquals("/q/swagger-ui/", SignInResource.safeNext("/q/swagger-ui/"));
        assertEquals("/", SignInResource.safeNext("//evil.example/"));
        assertEquals("/", SignInResource.safeNext("/\\evil.example"));
        assertEquals("/", SignInResource.safeNext("https://evil.example/"));
        assertEquals("/", SignInResource.safeNext("/x\r\nSet-Cookie: a=b"));
        assertEquals("/", SignInResource.safeNext("/login?next=/"));
        assertEquals("/", SignInResource.safeNext("/a b"));
    }

    @Test
    void basicValuesAreParsedStrictly() {
        assertArrayEquals(new String[] {"admin", "pa:ss"}, AuthFilter.basicPair("YWRtaW46cGE6c3M="));
        assertNull(AuthFilter.basicPair("bm9jb2xvbg==")); // "nocolon"
        assertNull(AuthFilter.basicPair("!!!"));
        assertNull(AuthFilter.basicPair(""));
        assertNull(AuthFilter.basicPair("A".repeat(5000)));
    }

    @Test
    void banDurationsReadAsAPersonWouldSayThem() {
        assertEquals("1 h", SignInGuard.describe(Duration.ofHours(1)));
        assertEquals("3 s", SignInGuard.describe(Duration.ofSeconds(3)));
        assertEquals("10 min", SignInGuard.describe(Duration.ofMinutes(10)));
        assertEquals("1 s", SignInGuard.describe(Duration.ofMillis(10)));
    }

    private static AuthConfig config(Duration ban) {
        return new AuthConfig() {
            public boolean enabled() { return true; }
            public String username() { return "admin"; }
            public Optional<String> password() { return Optional.empty(); }
            public Duration banDuration() { return ban; }
            public int maxFailures() { return 5; }
            public Duration sessionDuration() { return Duration.ofDays(7); }
            public boolean metricsPublic() { return false; }
            public boolean localhostBypass() { return false; }
            public Optional<List<String>> allowedHosts() { return Optional.empty(); }
        };
    }
}
