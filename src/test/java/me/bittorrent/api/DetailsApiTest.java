package me.bittorrent.api;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

/**
 * GET /pieces/{id} and GET /peers/{id}, what the dashboard's details pane asks for beside the status. A live peer
 * (libtorrent's address and client) is proven in DashboardIT; here the shapes, a torrent that does not run and
 * an unknown id.
 */
@QuarkusTest
class DetailsApiTest {

    @Test
    void piecesAsABase64BitfieldAndNoPeersWhenNotRunning() {
        // 40000 bytes in 16 KiB pieces: 3 pieces, none verified yet (it was never started)
        String id = ApiTest.upload(ApiTest.singleFile("details-pieces.bin", 40000).build(), null);
        given().get("/pieces/" + id).then().statusCode(200)
                .body("pieces", equalTo(3))
                .body("piece_length", equalTo(16384))
                .body("verified", equalTo(0))
                .body("bitfield", equalTo("AA=="));
        given().get("/peers/" + id).then().statusCode(200).body("$", empty());
        given().post("/remove/" + id + "?delete_files=false").then().statusCode(200);
    }

    @Test
    void anUnknownTorrentIsA404WithADetail() {
        String unknown = "0123456789abcdef0123456789abcdef01234567";
        given().get("/pieces/" + unknown).then().statusCode(404).body("detail", equalTo("Download not found"));
        given().get("/peers/" + unknown).then().statusCode(404).body("detail", equalTo("Download not found"));
    }
}
