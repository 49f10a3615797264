package me.bittorrent.ui;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * axe-core (npm, pinned by src/test/js/axe/package-lock.json; {@code npm ci} there installs it, .ci/run does)
 * injected into the page through chromedriver. Missing: the check is skipped, or fails when CI=true.
 */
final class Axe {

    static final Path SCRIPT = Path.of("src", "test", "js", "axe", "node_modules", "axe-core", "axe.min.js");

    private Axe() {
    }

    /** Whether axe-core is installed; without it and CI=true this fails, else the caller skips the check. */
    static boolean available() {
        if (Files.isRegularFile(SCRIPT)) {
            return true;
        }
        String message = "axe-core is missing: run `npm ci` in src/test/js/axe";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and " + message);
        }
        System.err.println("DashboardIT: accessibility check skipped, " + message);
        return false;
    }

    /** The serious and critical violations on the page as it is now, one line per rule (empty when none). */
    static String seriousViolations(WebDriver driver) {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe !== 'undefined'"))) {
            try {
                js.executeScript(Files.readString(SCRIPT, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Object answer = js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations"
                + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                + ".map(v => v.impact + ' ' + v.id + ': ' + v.help + ' (' + v.nodes.length + ' nodes, e.g. '"
                + "+ v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | ') + ')')"
                + ".join('\\n'))).catch(e => done('axe failed: ' + e));");
        return String.valueOf(answer);
    }
}
