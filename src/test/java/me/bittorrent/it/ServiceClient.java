package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import me.bittorrent.testing.TestCredentials;

/**
 * The service's REST API as a user (or the web page) calls it: upload, start, status, files. Every wait is a
 * bounded poll of GET /status/{id}; a timeout fails with the last status seen.
 */
final class ServiceClient {

    static final Duration POLL = Duration.ofMillis(300);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Signs in with the test password every AppProcess starts with (TestCredentials). */
    ServiceClient(String baseUrl) {
        this(baseUrl, TestCredentials.basicHeader());
    }

    /** {@code authorization}: the Authorization header's value, e.g. AppProcess.authorization() or "Bearer ...". */
    ServiceClient(String baseUrl, String authorization) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
    }

    /** POST /upload (multipart part 'file', optional part 'settings' as JSON); returns the answer, asserts 200. */
    JsonNode upload(Path torrent, String settingsJson) {
        String boundary = "----it" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                    + torrent.getFileName() + "\"\r\nContent-Type: application/x-bittorrent\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(Files.readAllBytes(torrent));
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            if (settingsJson != null) {
                body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"settings\"\r\n"
                        + "Content-Type: application/json\r\n\r\n" + settingsJson + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/upload"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return ok(send(request), "POST /upload " + torrent.getFileName());
    }

    JsonNode upload(Path torrent) {
        return upload(torrent, null);
    }

    /** POST /{action}/{id} for start, pause, resume, stop. */
    JsonNode control(String action, String id) {
        return ok(send(post("/" + action + "/" + id, "")), "POST /" + action + "/" + id);
    }

    JsonNode start(String id) {
        return control("start", id);
    }

    JsonNode status(String id) {
        return ok(send(get("/status/" + id)), "GET /status/" + id);
    }

    JsonNode files(String id) {
        return ok(send(get("/files/" + id)), "GET /files/" + id);
    }

    /** POST /files/{id} with {"file_selections": {path: wanted}}. */
    JsonNode selectFiles(String id, Map<String, Boolean> selections) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("file_selections", selections));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ok(send(post("/files/" + id, body)), "POST /files/" + id);
    }

    /** Polls GET /status/{id} until the condition holds; fails after the timeout quoting the last status. */
    JsonNode awaitStatus(String id, Predicate<JsonNode> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (true) {
            last = status(id);
            if (condition.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + timeout + "; last status: " + last);
            }
            pause(POLL);
        }
    }

    /** Polls GET /files/{id} until the condition holds; fails after the timeout quoting the last answer. */
    JsonNode awaitFiles(String id, Predicate<JsonNode> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode last = files(id);
            if (condition.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + timeout + "; last GET /files: " + last
                        + "\nstatus: " + status(id));
            }
            pause(POLL);
        }
    }

    JsonNode awaitCompleted(String id, Duration timeout) {
        return awaitStatus(id, s -> s.path("completed").asBoolean(false), timeout, "completed");
    }

    /** The poll interval of a bounded wait (not synchronisation: the caller re-checks a condition). */
    static void pause(Duration d) {
        try {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).GET().build();
    }

    private HttpRequest post(String path, String json) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static JsonNode ok(HttpResponse<String> response, String what) {
        assertEquals(200, response.statusCode(), what + " answered " + response.statusCode() + ": " + response.body());
        try {
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(what + " answered no JSON: " + response.body());
        }
    }
}
