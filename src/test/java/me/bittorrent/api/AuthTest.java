package me.bittorrent.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import me.bittorrent.testing.TestCredentials;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sign-in on every route family (the %test profile's password is TestCredentials.PASSWORD, from "BT_PASSWORD").
 * Every request here states its credentials: {@code anonymous()} sends none. Wrong credentials stay below the
 * ban threshold and are followed by a right one (which resets the count): the ban itself is in AuthIT.
 */
@QuarkusTest
class AuthTest {

    @TestHTTPResource("/events")
    URI events;

    private static RequestSpecification anonymous() {
        return given().auth().none().redirects().follow(false);
    }

    private static RequestSpecification bearer(String key) {
        return anonymous().header("Authorization", "Bearer " + key);
    }

    @Test
    void withoutCredentialsEveryRouteFamilyIsRefused() {
        String id = ApiTest.upload(ApiTest.singleFile("auth1.bin", 1000).build(), null);
        for (String path : List.of("/status", "/status/" + id, "/files/" + id, "/settings", "/get-download-dir",
                "/health", "/metrics", "/events", "/q/openapi", "/q/metrics", "/q/health", "/auth/keys")) {
            anonymous().get(path).then().statusCode(401)
                    .header("WWW-Authenticate", startsWith("Basic realm=\"bittorrent-me\""))
                    .contentType(ContentType.JSON)
                    .body("detail", containsString("Sign-in required"));
        }
        anonymous().post("/remove/" + id).then().statusCode(401);
        anonymous().contentType(ContentType.JSON).body("{\"directory\":\"/tmp/x\"}").post("/set-download-dir")
                .then().statusCode(401);
        anonymous().multiPart("file", "a.torrent", ApiTest.singleFile("auth2.bin", 100).build(),
                "application/x-bittorrent").post("/upload").then().statusCode(401);
        // the dashboard, the API docs and Swagger UI, asked for by a browser: to the sign-in page, and back after it
        anonymous().accept("text/html").get("/").then().statusCode(303).header("Location", "/login?next=%2F");
        anonymous().accept("text/html").get("/q/swagger-ui/").then().statusCode(303)
                .header("Location", "/login?next=%2Fq%2Fswagger-ui%2F");
        anonymous().accept("text/html").get("/docs").then().statusCode(303).header("Location", startsWith("/login"));
        // a browser's own fetch gets no Basic challenge (it would open the browser's password dialog)
        anonymous().header("Sec-Fetch-Mode", "cors").get("/status").then().statusCode(401)
                .header("WWW-Authenticate", nullValue());
        given().get("/status/" + id).then().statusCode(200).body("state", equalTo("stopped"));
    }

    @Test
    void probesTheSignInPageAndItsStaticFilesAreOpen() {
        anonymous().get("/q/health/live").then().statusCode(200);
        anonymous().get("/q/health/ready").then().statusCode(200);
        anonymous().get("/login").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("Sign in")).body(containsString("/webjars/bulma/"));
        anonymous().get("/ui/app.css").then().statusCode(200);
        anonymous().get("/webjars/bulma/1.0.4/css/bulma.min.css").then().statusCode(200);
    }

    @Test
    void basicAuthWithTheRightPasswordOnlyAndTheSignedInRoutesWork() {
        anonymous().header("Authorization", TestCredentials.basicHeader()).get("/status").then().statusCode(200);
        anonymous().auth().preemptive().basic(TestCredentials.USER, TestCredentials.PASSWORD)
                .accept("text/html").get("/").then().statusCode(200).body(containsString("Sign out"));
        anonymous().auth().preemptive().basic(TestCredentials.USER, "wrong-password").get("/status")
                .then().statusCode(401).body("detail", equalTo("Wrong user name or password"));
        anonymous().auth().preemptive().basic("root", TestCredentials.PASSWORD).get("/status").then().statusCode(401);
        given().get("/q/openapi").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("bittorrent_torrents"));
        given().accept("text/html").get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void apiKeysAreShownOnceWorkAsBearerAndARevokedOneIsRefusedAtOnce() {
        Response created = given().contentType(ContentType.JSON).body("{\"name\":\"backup script\"}")
                .post("/auth/keys");
        created.then().statusCode(201).body("name", equalTo("backup script")).body("key", startsWith("btm_"));
        String key = created.path("key");
        String keyId = created.path("id");
        given().get("/auth/keys").then().statusCode(200)
                .body("find { it.id == '" + keyId + "' }.name", equalTo("backup script"))
                .body("find { it.id == '" + keyId + "' }.key", nullValue()); // never shown again

        bearer(key).get("/status").then().statusCode(200);
        bearer(key).accept("text/html").get("/").then().statusCode(200);
        bearer(key).contentType(ContentType.JSON).body("{\"max_concurrent_downloads\": 1}").post("/settings")
                .then().statusCode(200);

        bearer(key).delete("/auth/keys/" + keyId).then().statusCode(204);
        bearer(key).get("/status").then().statusCode(401).body("detail", equalTo("Unknown or revoked API key"));
        given().delete("/auth/keys/" + keyId).then().statusCode(404).body("detail", equalTo("API key not found"));
        given().get("/status").then().statusCode(200); // a right sign-in resets the failure count
    }

    @Test
    void badCredentialsInputIsAClear4xxAndChangesNothing() {
        anonymous().header("Authorization", "Bearer").get("/status").then().statusCode(400)
                .body("detail", containsString("Malformed Authorization header"));
        anonymous().header("Authorization", "Bearer a b c").get("/status").then().statusCode(400);
        anonymous().header("Authorization", "Basic !!!not-base64").get("/status").then().statusCode(400)
                .body("detail", containsString("Malformed"));
        anonymous().header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("nocolon".getBytes()))
                .get("/status").then().statusCode(400);
        anonymous().header("Authorization", "Digest username=\"admin\"").get("/status").then().statusCode(401)
                .body("detail", containsString("Unsupported Authorization scheme"));
        bearer("btm_unknown").get("/status").then().statusCode(401);
        String tenKb = "x".repeat(10 * 1024);
        anonymous().auth().preemptive().basic("admin", tenKb).get("/status").then().statusCode(400)
                .body("detail", equalTo("The Authorization header is too long"));
        anonymous().contentType(ContentType.URLENC).formParam("username", "admin").formParam("password", tenKb)
                .post("/login").then().statusCode(400).body(containsString("too long"))
                .header("Set-Cookie", nullValue());
        anonymous().contentType(ContentType.URLENC).formParam("username", "admin").post("/login")
                .then().statusCode(400).body(containsString("Enter the user name and the password"));
        anonymous().contentType(ContentType.JSON).body("{\"password\":\"" + tenKb + "\"}").post("/login")
                .then().statusCode(415);
        given().contentType(ContentType.JSON).body("{\"password\":\"" + tenKb + "\"}").post("/auth/password")
                .then().statusCode(400).body("detail", containsString("BT_PASSWORD"));
        given().contentType(ContentType.JSON).body("{}").post("/auth/keys").then().statusCode(400)
                .body("detail", containsString("name"));
        given().get("/status").then().statusCode(200);
    }

    @Test
    void signInThroughTheFormGivesASessionCookieForPagesApiAndEventsUntilSignOut() throws Exception {
        anonymous().contentType(ContentType.URLENC).formParam("username", "admin").formParam("password", "nope")
                .formParam("next", "/").post("/login").then().statusCode(401)
                .body(containsString("Wrong user name or password")).header("Set-Cookie", nullValue());
        Response signedIn = anonymous().contentType(ContentType.URLENC).formParam("username", TestCredentials.USER)
                .formParam("password", TestCredentials.PASSWORD).formParam("next", "/status")
                .post("/login");
        signedIn.then().statusCode(303).header("Location", equalTo(signedIn.getHeader("Location")))
                .header("Set-Cookie", containsString("HttpOnly")).header("Set-Cookie", containsString("SameSite=Strict"));
        assertTrue(signedIn.getHeader("Location").endsWith("/status"), signedIn.getHeader("Location"));
        String session = signedIn.getCookie("bt_session");
        assertTrue(session != null && !session.isEmpty());

        anonymous().cookie("bt_session", session).get("/status").then().statusCode(200);
        anonymous().cookie("bt_session", session).accept("text/html").get("/").then().statusCode(200);
        anonymous().cookie("bt_session", session).accept("text/html").get("/login").then().statusCode(303);
        assertEquals(200, eventsStatus("bt_session=" + session), "the event stream with the session");
        assertEquals(401, eventsStatus(null), "the event stream without it");
        anonymous().cookie("bt_session", session + "x").get("/status").then().statusCode(401);

        // an open redirect is not possible through next
        anonymous().contentType(ContentType.URLENC).formParam("username", TestCredentials.USER)
                .formParam("password", TestCredentials.PASSWORD).formParam("next", "//evil.example/")
                .post("/login").then().statusCode(303).header("Location", not(containsString("evil")));

        anonymous().cookie("bt_session", session).post("/logout").then().statusCode(303)
                .header("Location", endsWithLogin()).header("Set-Cookie", containsString("Max-Age=0"));
        anonymous().cookie("bt_session", session).get("/status").then().statusCode(401);
    }

    private static org.hamcrest.Matcher<String> endsWithLogin() {
        return org.hamcrest.Matchers.endsWith("/login");
    }

    /** The status of GET /events (then the stream is dropped): it must not need to end to be read. */
    private int eventsStatus(String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(events).header("Accept", "text/event-stream");
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        var response = HttpClient.newHttpClient()
                .sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream()).get(20, TimeUnit.SECONDS);
        response.body().close();
        return response.statusCode();
    }

    @Test
    void theRebindingRequestOfTheIssueIsRefusedAndRemovesNothing() {
        String id = ApiTest.upload(ApiTest.singleFile("auth3.bin", 1000).build(), null);
        anonymous().header("Host", "evil.example:5001").header("Origin", "http://evil.example:5001")
                .post("/remove/" + id).then().statusCode(401);
        given().get("/status/" + id).then().statusCode(200);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() {
        for (Response response : List.of(given().accept("text/html").get("/"), anonymous().get("/login"),
                given().get("/status"), anonymous().get("/status"), anonymous().get("/ui/app.js"))) {
            response.then()
                    .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                    .header("Content-Security-Policy", containsString("script-src 'self';"))
                    .header("Content-Security-Policy", not(containsString("unsafe-inline")))
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "same-origin")
                    .header("X-Frame-Options", "DENY");
        }
        given().accept("text/html").get("/").then().body(not(containsString("style=")))
                .body(not(containsString("<script>")));
        anonymous().get("/login").then().body(not(containsString("style="))).body(not(containsString("<script")));
        given().get("/ui/app.js").then().body(not(containsString("style=\"")));
        given().get("/auth/me").then().statusCode(200).body("auth_enabled", equalTo(true))
                .body("username", equalTo("admin")).body("password_source", equalTo("environment"))
                .body("detail", emptyOrNullString());
    }
}
