package me.bittorrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The README's run command, its example and Dockerfile.jvm give the JVM the same options (issue 10: the README,
 * the Dockerfiles and the bench use the same ones; the bench reads them from the README's run command).
 */
class JvmOptionsTest {

    private static final Pattern README_COMMAND =
            Pattern.compile("java (-XX:.*?) -jar target/quarkus-app/quarkus-run\\.jar");
    private static final Pattern DOCKER_OPTIONS = Pattern.compile("ENV JAVA_OPTS_APPEND=\"(.*)\"");

    @Test
    void theReadmeAndTheJvmImageRunTheSameOptions() throws IOException {
        List<String> readme = new ArrayList<>();
        Matcher m = README_COMMAND.matcher(Files.readString(Path.of("README.md")));
        while (m.find()) {
            readme.add(m.group(1));
        }
        assertEquals(2, readme.size(), "the run command and its example with the environment: " + readme);
        assertEquals(readme.get(0), readme.get(1), "the README's example runs the run command's options");

        Matcher docker = DOCKER_OPTIONS.matcher(Files.readString(Path.of("src/main/docker/Dockerfile.jvm")));
        assertTrue(docker.find(), "Dockerfile.jvm sets JAVA_OPTS_APPEND");
        // the image also routes java.util.logging to Quarkus' log manager, which `java -jar` does by itself
        String image = docker.group(1).replace("-Djava.util.logging.manager=org.jboss.logmanager.LogManager ", "");
        // the README quotes an option with a `*` for the shell; the image's variable holds it as it is
        assertEquals(readme.get(0).replace("'", ""), image, "Dockerfile.jvm runs the README's JVM options");
    }
}
