package me.bittorrent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import me.bittorrent.testing.TestCredentials;
import org.junit.jupiter.api.Test;

/**
 * Java's default HttpClient asks for HTTP/2 by an h2c upgrade on every new plain-text connection; Vert.x's
 * upgrade put large answers out of step ("protocol error: Frame type(...)" in 5-17% of calls). Plain text stays
 * HTTP/1.1 now: every call of a fresh client gets the whole body.
 */
@QuarkusTest
class CleartextHttp2Test {

    @TestHTTPResource("/q/openapi")
    URI openapi;

    @Test
    void largeAnswersReachAClientThatAsksForH2c() throws Exception {
        List<String> failures = new ArrayList<>();
        int length = -1;
        for (int i = 0; i < 60; i++) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(); // HTTP_2 by default
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(openapi)
                        .header("Authorization", TestCredentials.basicHeader()).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals(HttpClient.Version.HTTP_1_1, r.version(), "plain text is answered in HTTP/1.1");
                if (length >= 0 && r.body().length() != length) {
                    failures.add("call " + i + ": " + r.body().length() + " characters, not " + length);
                }
                length = r.body().length();
            } catch (java.io.IOException e) {
                failures.add("call " + i + ": " + e);
            }
        }
        assertEquals(List.of(), failures);
        org.junit.jupiter.api.Assertions.assertTrue(length > 40_000, "the document is large enough to show it: " + length);
    }
}
