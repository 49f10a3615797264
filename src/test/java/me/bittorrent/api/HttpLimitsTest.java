package me.bittorrent.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void aUriBeyondTheOld64KibCeilingIsStillA414WithADetail() throws Exception {
        // Netty's own decoder used to refuse anything past 64 KiB with an empty answer
        String answer = exchange("GET /status?x=" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n", new byte[0]);
        assertStatusAndDetail(answer, 414, "address");
    }

    @Test
    void headersBeyondTheOld64KibCeilingAreStillA431WithADetail() throws Exception {
        StringBuilder head = new StringBuilder("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < 30; i++) { // 150 KB in 30 headers: neither one line nor the whole is cut by Netty
            head.append("X-Big-").append(i).append(": ").append("c".repeat(5_000)).append("\r\n");
        }
        String answer = exchange(head + "Connection: close\r\n\r\n", new byte[0]);
        assertStatusAndDetail(answer, 431, "headers");
    }

    @Test
    void aChunkedBodyThatGrowsPastTheLimitIsA413WithADetail() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + TestCredentials.basicHeader()
                    + "\r\nContent-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String part = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.torrent\"\r\n"
                    + "Content-Type: application/x-bittorrent\r\n\r\n"; // a file part that never ends
            out.write((Integer.toHexString(part.length()) + "\r\n" + part + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = ("100000\r\n" + "d".repeat(0x100000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            try {
                for (int i = 0; i < 24; i++) { // 24 MiB against a 20 MiB limit, no length declared
                    out.write(chunk);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (java.io.IOException closedByTheServer) {
                // the server may answer and close before the whole body is sent: read what it answered
            }
            socket.setSoTimeout(5_000);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            try {
                byte[] b = new byte[4096];
                for (int n; (n = socket.getInputStream().read(b)) > 0; ) {
                    got.write(b, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                got.writeBytes("\n[NOT CLOSED]".getBytes());
            }
            String answer = got.toString(StandardCharsets.UTF_8);
            assertStatusAndDetail(answer, 413, "large");
            assertFalse(answer.contains("[NOT CLOSED]"), "the service hangs up on the rest of the body: " + answer);
        }
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
