package me.bittorrent.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 8: under LANG=C (many containers) a JVM cannot name non-ASCII files. The service says so at
 * start; under C.UTF-8 (what the Docker images set) it can.
 */
class FileNameEncodingTest {

    private static String runWithLocale(String locale) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FileNameEncoding.class.getName()).redirectErrorStream(true);
        pb.environment().put("LANG", locale);
        pb.environment().put("LC_ALL", locale);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the JVM did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void aCLocaleIsNamedWithTheFix() throws Exception {
        String out = runWithLocale("C");
        assertTrue(out.contains("without a UTF-8 locale (LANG=C)") && out.contains("LANG=C.UTF-8"), out);
    }

    @Test
    void theDockerImagesLocaleCanNameAnyFile() throws Exception {
        assertEquals("ok", runWithLocale("C.UTF-8"));
    }
}
