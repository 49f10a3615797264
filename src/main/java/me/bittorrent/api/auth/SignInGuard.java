package me.bittorrent.api.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brute-force protection, as qBittorrent's: {@code maxFailures} wrong credentials in a row from one address (sign-in
 * form, HTTP Basic or an API key) ban that address for {@code banDuration}. A correct sign-in resets the count,
 * but never lifts a ban. Only WRONG credentials count: a request with none is a probe, not a guess.
 * Memory stays bounded: past {@link #MAX_TRACKED} addresses, the ones that are not banned are forgotten.
 */
@ApplicationScoped
public class SignInGuard {

    private static final Logger LOG = Logger.getLogger(SignInGuard.class);
    static final int MAX_TRACKED = 10_000;

    /** Failures so far and, when banned, the System.nanoTime() the ban ends at. */
    private record Entry(int failures, long bannedUntil) {
        boolean banned(long now) {
            return bannedUntil != 0 && now - bannedUntil < 0;
        }
    }

    @Inject
    AuthConfig config;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** How long {@code address} stays banned, empty when it is not. */
    public Optional<Duration> banRemaining(String address) {
        Entry entry = entries.get(address);
        long now = System.nanoTime();
        if (entry == null || !entry.banned(now)) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(entry.bannedUntil() - now));
    }

    /** Records wrong credentials from {@code address}; true when this failure banned it. */
    public boolean failed(String address, String how) {
        long now = System.nanoTime();
        if (entries.size() >= MAX_TRACKED) {
            entries.values().removeIf(e -> !e.banned(now));
        }
        boolean[] bannedNow = {false};
        Entry after = entries.compute(address, (a, e) -> {
            if (e != null && e.banned(now)) {
                return e; // already banned: the ban is not extended
            }
            int failures = (e == null || e.bannedUntil() != 0 ? 0 : e.failures()) + 1;
            if (failures >= config.maxFailures()) {
                bannedNow[0] = true;
                return new Entry(failures, now + config.banDuration().toNanos());
            }
            return new Entry(failures, 0);
        });
        LOG.infof("Failed sign-in from %s (%s), %d of %d", address, how, after.failures(), config.maxFailures());
        if (bannedNow[0]) {
            LOG.warnf("Address %s is banned for %s after %d failed sign-ins", address,
                    describe(config.banDuration()), after.failures());
        }
        return bannedNow[0];
    }

    /** A correct sign-in: the count starts again (a ban in force stays). */
    public void succeeded(String address) {
        long now = System.nanoTime();
        entries.computeIfPresent(address, (a, e) -> e.banned(now) ? e : null);
    }

    /** "1 h", "2 min", "30 s": for log lines and answers. */
    static String describe(Duration d) {
        long s = Math.max(1, (d.toMillis() + 999) / 1000);
        if (s >= 3600 && s % 3600 == 0) {
            return s / 3600 + " h";
        }
        if (s >= 120) {
            return (s + 59) / 60 + " min";
        }
        return s + " s";
    }
}
