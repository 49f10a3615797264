package me.bittorrent.api;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TestCredentials;
import me.bittorrent.testing.TorrentBuilder;
import me.bittorrent.ui.Browser;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sign-in rules that need their own packaged app: no BT_PASSWORD, a ban, sign-in off, the localhost bypass. */
class AuthIT {

    private static final Pattern TEMPORARY = Pattern.compile("the temporary password (\\S+) ");
    private static final String PERMANENT = "correct horse battery staple";

    private static RequestSpecification as(AppProcess app) {
        return given().baseUri(app.baseUrl()).auth().none().redirects().follow(false);
    }

    private static RequestSpecification basic(AppProcess app, String password) {
        return as(app).header("Authorization", TestCredentials.basic("admin", password));
    }

    @Test
    void theGeneratedPasswordInTheLogSignsInAndASavedOneSurvivesARestart() throws Exception {
        try (AppProcess app = AppProcess.start(Map.of("BT_PASSWORD", ""))) {
            String generated = temporaryPassword(app);
            basic(app, generated).get("/status").then().statusCode(200);
            basic(app, TestCredentials.PASSWORD).get("/status").then().statusCode(401);

            ChromeDriver driver = Browser.start();
            try {
                driver.get(app.baseUrl() + "/login");
                assertTrue(driver.findElement(By.id("temporary-hint")).getText().contains("No password is set"));
                Browser.signIn(driver, app.baseUrl(), generated);
                Cookie session = driver.manage().getCookieNamed("bt_session");
                assertTrue(session.isHttpOnly(), "the session cookie is HttpOnly");
                assertEquals("Strict", session.getSameSite());
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
                driver.findElement(By.id("preferences-button")).click();
                wait.until(d -> d.findElement(By.id("account-source")).getText().contains("temporary"));
                driver.findElement(By.id("account-password")).sendKeys(PERMANENT);
                driver.findElement(By.id("account-password-save")).click();
                wait.until(d -> d.findElement(By.id("account-message")).getText().startsWith("Password saved"));
                Browser.screenshot(driver, "auth-permanent-password");
                basic(app, PERMANENT).get("/status").then().statusCode(200);
                basic(app, generated).get("/status").then().statusCode(401);
                as(app).get("/auth/me").then().statusCode(401);

                String file = Files.readString(app.stateDir().resolve("auth/credentials.json"));
                assertFalse(file.contains(PERMANENT), "the password is never stored in clear");
                assertTrue(file.contains("PBKDF2WithHmacSHA256"), file);
                for (String secret : new String[] {"credentials.json", "session.key"}) {
                    assertEquals("rw-------", PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(app.stateDir().resolve("auth").resolve(secret))), secret);
                }

                app.restart();
                String log = Files.readString(app.logFile());
                assertTrue(log.contains("password saved in Preferences"), log);
                assertFalse(TEMPORARY.matcher(log).find(), "no temporary password once one is saved");
                basic(app, PERMANENT).get("/status").then().statusCode(200);
                // the browser's session survives the restart (its key is in the state folder)
                driver.navigate().refresh();
                wait.until(d -> d.findElement(By.id("connection")).getText().equals("live"));
                assertFalse(driver.getCurrentUrl().contains("/login"), driver.getCurrentUrl());

                // a password set elsewhere ends this page's session: its next poll is answered 401, GET /auth/me
                // confirms it, and the page goes to sign-in (a 401 that crossed its own change does not: session.js)
                basic(app, PERMANENT).contentType("application/json").body("{\"password\": \"another long one\"}")
                        .post("/auth/password").then().statusCode(200);
                wait.until(d -> d.getCurrentUrl().contains("/login?next="));
            } finally {
                driver.quit();
            }
        }
    }

    private static String temporaryPassword(AppProcess app) throws IOException {
        String log = Files.readString(app.logFile());
        Matcher m = TEMPORARY.matcher(log);
        assertTrue(m.find(), "the log names the temporary password:\n" + log);
        assertTrue(log.contains("No password is set. Sign in as 'admin' with the temporary password"), log);
        return m.group(1);
    }

    @Test
    void fiveWrongSignInsFromOneAddressBanItUntilTheBanEndsAndProbesDoNotCount() throws Exception {
        try (AppProcess app = AppProcess.start(Map.of("BT_BAN_DURATION", "3s", "BT_METRICS_PUBLIC", "true"))) {
            as(app).get("/q/metrics").then().statusCode(200); // BT_METRICS_PUBLIC=true
            as(app).get("/q/openapi").then().statusCode(401);
            String key = basic(app, TestCredentials.PASSWORD).contentType(ContentType.JSON)
                    .body("{\"name\":\"k\"}").post("/auth/keys").then().statusCode(201).extract().path("key");

            // requests without credentials are probes, not failed sign-ins: none of them counts
            for (int i = 0; i < 10; i++) {
                as(app).get("/status").then().statusCode(401);
            }
            signInForm(app, "wrong 1").then().statusCode(401);
            signInForm(app, "wrong 2").then().statusCode(401);
            as(app).header("Authorization", "Bearer btm_not-a-key").get("/status").then().statusCode(401);
            basic(app, "wrong 4").get("/status").then().statusCode(401);
            as(app).get("/status").then().statusCode(401).body("detail", containsString("Sign-in required"));
            basic(app, "wrong 5").get("/status").then().statusCode(403)
                    .body("detail", equalTo("Too many failed sign-ins from this address: refused for 3 s"));

            // a ban is not lifted by the right password, a key, or the sign-in form
            basic(app, TestCredentials.PASSWORD).get("/status").then().statusCode(403)
                    .body("detail", containsString("Too many failed sign-ins"));
            as(app).header("Authorization", "Bearer " + key).get("/status").then().statusCode(403);
            signInForm(app, TestCredentials.PASSWORD).then().statusCode(403)
                    .body(containsString("Too many failed sign-ins"));
            as(app).get("/q/health/ready").then().statusCode(200); // probes stay open
            String log = Files.readString(app.logFile());
            assertTrue(log.contains("Address 127.0.0.1 is banned for 3 s after 5 failed sign-ins"), log);

            // the ban ends by itself
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int status = 0;
            while (System.nanoTime() < deadline) {
                status = basic(app, TestCredentials.PASSWORD).get("/status").statusCode();
                if (status == 200) {
                    break;
                }
                assertEquals(403, status, "banned until it ends");
                pollInterval();
            }
            assertEquals(200, status, "the ban ended within 30 s");
            signInForm(app, TestCredentials.PASSWORD).then().statusCode(303);
        }
    }

    private static Response signInForm(AppProcess app, String password) {
        return as(app).contentType(ContentType.URLENC).formParam("username", "admin")
                .formParam("password", password).post("/login");
    }

    @Test
    void withSignInOffOnlyIpLiteralsLocalhostAndListedHostsAreServed() throws Exception {
        Path payload = Payloads.file(Payloads.tempDir("auth-off").resolve("off.bin"), 5000);
        byte[] torrent = TorrentBuilder.of(payload).pieceLength(16384).build();
        try (AppProcess app = AppProcess.start(Map.of("BT_AUTH", "off", "BT_ALLOWED_HOSTS", "media.home.arpa"))) {
            assertTrue(Files.readString(app.logFile()).contains("Sign-in is OFF (BT_AUTH=off)"));
            String id = as(app).multiPart("file", "off.torrent", torrent, "application/x-bittorrent")
                    .post("/upload").then().statusCode(200).extract().path("torrent_id");
            // the DNS-rebinding request of the issue: a page of evil.example whose name now points here
            as(app).header("Host", "evil.example:" + app.port()).header("Origin", "http://evil.example:" + app.port())
                    .post("/remove/" + id).then().statusCode(403)
                    .body("detail", containsString("BT_ALLOWED_HOSTS"));
            as(app).header("Host", "127.0.0.1:" + app.port()).get("/status/" + id).then().statusCode(200);
            as(app).header("Host", "media.home.arpa:" + app.port()).get("/status/" + id).then().statusCode(200);
            as(app).get("/status/" + id).then().statusCode(200); // Host: localhost
            as(app).get("/auth/me").then().statusCode(200).body("auth_enabled", equalTo(false));
        }
    }

    @Test
    void theLocalhostBypassLetsLoopbackInButNotARebindingPage() throws Exception {
        try (AppProcess app = AppProcess.start(Map.of("BT_AUTH_LOCALHOST_BYPASS", "true"))) {
            assertTrue(Files.readString(app.logFile()).contains("BT_AUTH_LOCALHOST_BYPASS=true"));
            as(app).get("/status").then().statusCode(200);
            as(app).accept("text/html").get("/").then().statusCode(200);
            as(app).header("Host", "evil.example:" + app.port()).get("/status").then().statusCode(403);
        }
    }

    /** The poll interval of a bounded wait (the loop re-checks its condition). */
    private static void pollInterval() throws InterruptedException {
        Thread.sleep(200);
    }
}
