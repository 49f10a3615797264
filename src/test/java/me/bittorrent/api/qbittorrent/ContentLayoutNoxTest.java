package me.bittorrent.api.qbittorrent;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * contentLayout as qbittorrent-nox applies it: the same torrents added to it and to this service with Original,
 * Subfolder and NoSubfolder show the same name, file paths and content_path below their save paths.
 */
@QuarkusTest
class ContentLayoutNoxTest {

    record Case(TorrentBuilder torrent, String field, String value) {
    }

    @Test
    void layoutsPlaceFilesAsQbittorrentNoxDoes() throws Exception {
        Path src = Payloads.tempDir("nox-layout-src");
        List<Case> cases = new ArrayList<>();
        int n = 0;
        // the legacy root_folder is not compared: qbittorrent-nox 4.5 ignores it, and so do we (ContentLayoutTest)
        for (String[] layout : new String[][] {{"contentLayout", "Original"}, {"contentLayout", "Subfolder"},
                {"contentLayout", "NoSubfolder"}}) {
            Path album = src.resolve("album" + n);
            Payloads.file(album.resolve("a.bin"), 20_000 + n);
            Payloads.file(album.resolve("sub/b.bin"), 10_000 + n);
            cases.add(new Case(TorrentBuilder.of(album).pieceLength(16384), layout[0], layout[1]));
            Path single = Payloads.file(src.resolve("movie" + n + ".mkv"), 30_000 + n);
            cases.add(new Case(TorrentBuilder.of(single).pieceLength(16384), layout[0], layout[1]));
            n++;
        }
        Path theirSave = Payloads.tempDir("nox-layout-theirs").toAbsolutePath();
        Path ourSave = Payloads.tempDir("nox-layout-ours").toAbsolutePath();
        List<String> problems = new ArrayList<>();
        try (QbittorrentNox nox = new QbittorrentNox(theirSave.resolve(".profile"))) {
            for (Case c : cases) {
                String hash = c.torrent().infoHashHex();
                nox.add(c.torrent().build(), Map.of("savepath", theirSave.toString(), c.field(), c.value()));
                given().multiPart("torrents", "t.torrent", c.torrent().build()).multiPart("stopped", "true")
                        .multiPart("savepath", ourSave.toString()).multiPart(c.field(), c.value())
                        .post("/api/v2/torrents/add").then().statusCode(200).body(equalTo("Ok."));
                try {
                    JsonPath theirs = awaitListed(nox, hash);
                    JsonPath ours = new JsonPath(given().get("/api/v2/torrents/info?hashes=" + hash).then()
                            .statusCode(200).extract().asString());
                    String what = c.field() + "=" + c.value() + " " + theirs.getString("[0].name");
                    String theirContent = below(theirSave, theirs.getString("[0].content_path"));
                    String ourContent = below(ourSave, ours.getString("[0].content_path"));
                    if (!theirContent.equals(ourContent)) {
                        problems.add(what + ": content_path " + ourContent + ", qBittorrent's " + theirContent);
                    }
                    List<String> theirFiles = new JsonPath(nox.get("torrents/files?hash=" + hash)).getList("name");
                    List<String> ourFiles = given().get("/api/v2/torrents/files?hash=" + hash).then().statusCode(200)
                            .extract().jsonPath().getList("name");
                    if (!theirFiles.equals(ourFiles)) {
                        problems.add(what + ": files " + ourFiles + ", qBittorrent's " + theirFiles);
                    }
                    if (!theirs.getString("[0].name").equals(ours.getString("[0].name"))) {
                        problems.add(what + ": name " + ours.getString("[0].name") + ", qBittorrent's "
                                + theirs.getString("[0].name"));
                    }
                } finally {
                    given().formParam("hashes", hash).post("/api/v2/torrents/delete").then().statusCode(200);
                }
            }
        }
        assertEquals(List.of(), problems, "where files go differs from qbittorrent-nox");
    }

    /** {@code path} below {@code save} ("" for the save path itself); the whole path when it is elsewhere. */
    private static String below(Path save, String path) {
        String root = save.toString();
        if (path.equals(root)) {
            return "";
        }
        return path.startsWith(root + "/") ? path.substring(root.length() + 1) : path;
    }

    private static JsonPath awaitListed(QbittorrentNox nox, String hash) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath info = new JsonPath(nox.get("torrents/info?hashes=" + hash));
            if (!info.getList("$").isEmpty() && !info.getString("[0].content_path").isEmpty()) {
                return info;
            }
            Thread.sleep(100); // bounded wait for qBittorrent to list what it added
        }
        throw new AssertionError("qbittorrent-nox never listed " + hash);
    }
}
