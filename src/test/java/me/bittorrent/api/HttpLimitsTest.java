package me.bittorrent.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import me.bittorrent.testing.TestCredentials;
import org.junit.jupiter.api.Test;

/** Issue 11 item 9: answers the HTTP layer gives before the app (413, 414, 431) are JSON {"detail"} too. */
@QuarkusTest
class HttpLimitsTest {

    @Test
    void anOverLongUriIsA414WithADetail() throws Exception {
        String answer = exchange("GET /status?x=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: " + TestCredentials.basicHeader() + "\r\nConnection: close\r\n\r\n", new byte[0]);
        assertStatusAndDetail(answer, 414, "address");
    }

    @Test
    void oversizedHeadersAreA431WithADetail() throws Exception {
        String answer = exchange("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(40_000)
                + "\r\nAuthorization: " + TestCredentials.basicHeader() + "\r\nConnection: close\r\n\r\n", new byte[0]);
        assertStatusAndDetail(answer, 431, "headers");
    }

    @Test
    void aBodyAboveTheLimitIsA413WithADetail() throws Exception {
        String answer = exchange("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                + TestCredentials.basicHeader() + "\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                + "Content-Length: 50000000\r\nConnection: close\r\n\r\n", new byte[0]);
        assertStatusAndDetail(answer, 413, "body");
    }

    static void assertStatusAndDetail(String answer, int status, String word) {
        String first = answer.lines().findFirst().orElse("");
        assertTrue(first.startsWith("HTTP/1.1 " + status), answer);
        assertTrue(answer.contains("application/json"), answer);
        assertTrue(answer.contains("{\"detail\":\""), answer);
        assertTrue(answer.toLowerCase().contains(word), answer);
    }

    static String exchange(String head, byte[] body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
