package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import me.bittorrent.testing.TestCredentials;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/** Issue 11 item 8: uploads that used to answer 500. */
@QuarkusTest
class HostileUploadTest {

    @Test
    void aNameNoFileSystemCanHoldIsShortenedAndTheTorrentRemovesCleanly() {
        String longName = "n".repeat(300) + ".iso";
        TorrentBuilder builder = ApiTest.singleFile("long.iso", 20000).name(longName);
        String id = given().multiPart("file", "long.torrent", builder.build(), "application/x-bittorrent")
                .post("/upload").then().statusCode(200)
                .body("name", equalTo("n".repeat(236) + ".iso")).extract().path("torrent_id");
        given().post("/remove/" + id + "?delete_files=true").then().statusCode(200);
        given().get("/status/" + id).then().statusCode(404);
    }

    /** Item 8: the temporary folder uploads go to cannot be written (here: a file stands where it should be). */
    @Test
    void anUploadWhenTheTemporaryFolderIsNotWritableIsA503InWords() throws Exception {
        java.nio.file.Path uploads = java.nio.file.Path.of(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.http.body.uploads-directory", String.class));
        deleteTree(uploads);
        java.nio.file.Files.createDirectories(uploads.getParent());
        java.nio.file.Files.writeString(uploads, "not a folder");
        try {
            given().multiPart("file", "tmp.torrent", ApiTest.singleFile("tmp.iso", 20000).build(),
                            "application/x-bittorrent")
                    .post("/upload").then().statusCode(503)
                    .body("detail", org.hamcrest.Matchers.containsString("temporary upload folder"));
        } finally {
            java.nio.file.Files.deleteIfExists(uploads);
            java.nio.file.Files.createDirectories(uploads);
        }
        given().multiPart("file", "tmp.torrent", ApiTest.singleFile("tmp-after.iso", 20000).build(),
                "application/x-bittorrent").post("/upload").then().statusCode(200);
    }

    private static void deleteTree(java.nio.file.Path root) throws java.io.IOException {
        if (!java.nio.file.Files.exists(root)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    @Test
    void aTruncatedMultipartBodyIsA400() throws Exception {
        String boundary = "----cut";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.torrent\"\r\n"
                + "Content-Type: application/x-bittorrent\r\n\r\nd8:announce";
        byte[] body = head.getBytes(StandardCharsets.ISO_8859_1); // no closing boundary: the client died
        try (me.bittorrent.testing.LogCapture log = me.bittorrent.testing.LogCapture.all(java.util.logging.Level.WARNING);
                Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + TestCredentials.basicHeader()
                    + "\r\nContent-Type: multipart/form-data; boundary="
                    + boundary + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String status = answer.lines().findFirst().orElse("");
            assertTrue(status.startsWith("HTTP/1.1 400"), answer); // signed in: the body itself is refused
            assertTrue(answer.contains("\"detail\""), answer);
            // issue 11 item 8: "... and a stack trace in the log"
            assertEquals(java.util.List.of(), log.withStackTraces(), "a truncated upload logged a stack trace");
        }
        Map<String, ?> all = given().get("/status").then().statusCode(200).extract().as(Map.class);
        assertTrue(all != null);
    }
}
