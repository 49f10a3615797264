package me.bittorrent.api.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Sign-in settings ({@code bt.auth.*}; the environment variables are named in application.properties). */
@ConfigMapping(prefix = "bt.auth")
public interface AuthConfig {

    /** False (BT_AUTH=off) only behind a proxy that signs users in itself; logged as a warning at every start. */
    @WithDefault("true")
    boolean enabled();

    @WithDefault("admin")
    String username();

    /** BT_PASSWORD: wins over a saved password; when neither exists a random one is made at each start. */
    Optional<String> password();

    /** How long an address that failed {@link #maxFailures()} sign-ins in a row is refused. */
    @WithDefault("1h")
    Duration banDuration();

    @WithDefault("5")
    int maxFailures();

    /** How long a dashboard session lasts after sign-in. */
    @WithDefault("7d")
    Duration sessionDuration();

    /** /q/metrics without sign-in, for a Prometheus scraper. */
    @WithDefault("false")
    boolean metricsPublic();

    /** 127.0.0.1 and ::1 need no sign-in (the Host allow-list still applies to them). */
    @WithDefault("false")
    boolean localhostBypass();

    /** Host names accepted besides IP literals and localhost; empty = any host while sign-in is required. */
    Optional<List<String>> allowedHosts();
}
