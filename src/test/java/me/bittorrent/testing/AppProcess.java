package me.bittorrent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The PACKAGED application (the native runner after a native build, else
 * {@code target/quarkus-app/quarkus-run.jar}) as a child process on free ports, with its
 * own download and state folders under {@code target/app-process/}. For black-box tests (failsafe *IT):
 * <pre>{@code
 * try (AppProcess app = AppProcess.start()) {
 *     given().baseUri(app.baseUrl()).get("/status");
 *     app.kill9();
 *     app.restart();
 * }
 * }</pre>
 * The process log (stdout and stderr) goes to {@link #logFile()}; it is printed when the app fails to get ready.
 * Sign-in: the app gets BT_PASSWORD = {@link TestCredentials#PASSWORD}, which rest-assured sends by default
 * ({@link SignInForTests}); other clients send {@link #authorization()}.
 */
public final class AppProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path workDir;
    private final Path downloadDir;
    private final Path stateDir;
    private final int port;
    private final int peerPort;
    private final Map<String, String> extraEnv;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int launches;

    private AppProcess(Path workDir, Map<String, String> extraEnv) {
        this.workDir = workDir;
        this.downloadDir = workDir.resolve("downloads");
        this.stateDir = workDir.resolve("state");
        this.port = freePort();
        this.peerPort = freePort();
        this.extraEnv = Map.copyOf(extraEnv);
    }

    /** Starts the packaged app and waits until /q/health/ready is UP. */
    public static AppProcess start() {
        return start(Map.of());
    }

    /** As {@link #start()}, with extra environment variables (e.g. BT_DEFAULT_SPEED_LIMIT). */
    public static AppProcess start(Map<String, String> extraEnv) {
        try {
            Path base = Files.createDirectories(Path.of("target", "app-process").toAbsolutePath());
            AppProcess app = new AppProcess(Files.createTempDirectory(base, "app-"), extraEnv);
            app.launch();
            return app;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    /**
     * The password the app was started with: {@link TestCredentials#PASSWORD} (which rest-assured sends by
     * default), unless the test's environment set BT_PASSWORD itself ("" = none: the app makes a temporary one).
     */
    public String password() {
        return extraEnv.getOrDefault("BT_PASSWORD", TestCredentials.PASSWORD);
    }

    /** The Authorization header that signs in to this app (HTTP Basic with {@link #password()}). */
    public String authorization() {
        return TestCredentials.basic(TestCredentials.USER, password());
    }

    public int port() {
        return port;
    }

    public int peerPort() {
        return peerPort;
    }

    public Path downloadDir() {
        return downloadDir;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The current launch's output. */
    public Path logFile() {
        return workDir.resolve("app-" + launches + ".log");
    }

    /** kill -9: no shutdown hook runs, nothing is flushed; waits until the process is gone. */
    public void kill9() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor(process);
        }
    }

    /** Starts the app again (killing it first if it still runs) on the same ports and folders; waits until ready. */
    public void restart() {
        kill9();
        launch();
    }

    /**
     * As {@link #restart()} without waiting: returns once the process is spawned, so a test can watch the service
     * from the first moment its port answers; {@link #awaitReady()} waits for readiness afterwards.
     */
    public void restartWithoutWaiting() {
        kill9();
        spawn();
    }

    /** Whether the current launch still runs. */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        kill9();
    }

    private void launch() {
        spawn();
        awaitReady();
    }

    private void spawn() {
        List<String> command = command();
        launches++;
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile().toFile());
        Map<String, String> env = new HashMap<>(Map.of(
                "BT_PASSWORD", TestCredentials.PASSWORD,
                "BT_HOST", "127.0.0.1",
                "BT_PORT", Integer.toString(port),
                "BT_PEER_PORT", Integer.toString(peerPort),
                "BT_DOWNLOAD_DIR", downloadDir.toString(),
                "BT_STATE_DIR", stateDir.toString(),
                "BT_LOG_FILE", workDir.resolve("bittorrent-me.log").toString(),
                "BT_DHT_BOOTSTRAP", "none", // never a public DHT router from a test
                "BT_LSD_INTERFACE", "lo")); // nor the LAN: local service discovery on the loopback
        env.putAll(extraEnv);
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + command, e);
        }
    }

    /**
     * What the build packaged, as {@code @QuarkusIntegrationTest} finds it: the native runner when
     * {@code target/quarkus-artifact.properties} says {@code type=native} (or {@code -Dnative.image.path} names
     * one), else {@code quarkus-run.jar} on this JVM.
     */
    private static List<String> command() {
        Path target = Path.of("target").toAbsolutePath();
        Properties artifact = new Properties();
        try (var in = Files.newInputStream(target.resolve("quarkus-artifact.properties"))) {
            artifact.load(in);
        } catch (IOException e) {
            // not packaged by Quarkus yet: the jar check below says what to run
        }
        String runner = System.getProperty("native.image.path");
        if (runner == null && "native".equals(artifact.getProperty("type"))) {
            runner = target.resolve(artifact.getProperty("path")).toString();
        }
        if (runner != null && !runner.isBlank()) {
            return List.of(Path.of(runner).toAbsolutePath().toString());
        }
        Path jar = target.resolve("quarkus-app").resolve("quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw package (or verify) first");
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-jar", jar.toString());
    }

    /** Waits (at most 90 s) until /q/health/ready is UP; fails with the log's tail when the app dies or is late. */
    public void awaitReady() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the app exited with " + process.exitValue() + "; log:\n" + logTail());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the app", e);
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS); // poll interval, returns early if the app dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the app", e);
            }
        }
        kill9();
        throw new IllegalStateException("the app was not ready within " + READY_TIMEOUT + "; log:\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void waitFor(Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the app did not die within 30 s of kill -9");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A port nobody listens on now, and never one handed out before in this test JVM: a port closed after the
     * probe is free again at once, so two instances of one test (HTTP and peer ports each) could otherwise be given
     * the same one (LsdTwoInstancesIT once failed so, "Address already in use" at the second start).
     */
    private static int freePort() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                socket.setReuseAddress(true);
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
