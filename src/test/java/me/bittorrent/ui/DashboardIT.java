package me.bittorrent.ui;

import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.Opentracker;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser against the packaged jar: a person adds a torrent through the page, starts it,
 * watches it download from a libtorrent seeder (found through a local opentracker) to 100%, changes a limit,
 * deselects a file, and removes it; a file that is not a torrent gets its toast. Screenshots: target/screenshots/.
 */
class DashboardIT {

    static final String ALBUM = "Dashboard Album";
    private String deadTracker;

    @Test
    void aPersonManagesADownloadFromThePage() throws Exception {
        Path work = Payloads.tempDir("dashboard");
        Path seedDir = Files.createDirectories(work.resolve("seed"));
        Path album = seedDir.resolve(ALBUM);
        Payloads.file(album.resolve("cover.jpg"), 300_000);
        Payloads.file(album.resolve("disc 1/01 Intro.flac"), 700_000);
        Payloads.file(album.resolve("disc 1/02 Thème.flac"), 500_000);
        Path notATorrent = Files.writeString(work.resolve("holiday-photo.torrent"), "just some text",
                StandardCharsets.UTF_8);

        try (Opentracker tracker = Opentracker.start()) {
            // a second tracker that is dead (nothing listens on its port): its error shows under Trackers
            // (the first tier: it is tried first, fails, and the working tracker of the next tier answers)
            deadTracker = "http://127.0.0.1:" + closedPort() + "/announce";
            TorrentBuilder builder = TorrentBuilder.of(album).pieceLength(64 * 1024).announce(tracker.url())
                    .announceList(List.of(List.of(deadTracker), List.of(tracker.url())));
            tracker.whitelist(InfoHash.fromHex(builder.infoHashHex()));
            Path torrentFile = builder.writeTo(work.resolve("album.torrent"));
            String id = builder.infoHashHex();
            try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().start();
                 AppProcess app = AppProcess.start()) {
                seed.awaitReady(Duration.ofSeconds(30));
                ChromeDriver driver = Browser.start();
                try {
                    long began = System.nanoTime();
                    scenario(driver, app, id, torrentFile, notATorrent, seed);
                    System.out.printf("DashboardIT: the browser scenario took %d s%n",
                            Duration.ofNanos(System.nanoTime() - began).toSeconds());
                } catch (AssertionError | RuntimeException e) {
                    Browser.screenshot(driver, "failure");
                    throw new AssertionError(e.getMessage() + "\napp log: " + app.logFile()
                            + "\nseeder: " + seed.diagnostics(), e);
                } finally {
                    driver.quit();
                }
            }
        }
    }

    private void scenario(ChromeDriver driver, AppProcess app, String id, Path torrentFile, Path notATorrent,
            LibtorrentPeer seed) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        // signed in through the real sign-in page; everything below is the signed-in dashboard
        Browser.signIn(driver, app.baseUrl(), app.password());
        assertTrue(driver.findElement(By.id("empty")).isDisplayed(), "the empty state explains what to do");
        assertTrue(driver.findElement(By.id("empty")).getText().contains("Drop a .torrent file"));
        Object bulmaLoaded = driver.executeScript(
                "return getComputedStyle(document.querySelector('.navbar')).display");
        assertEquals("flex", bulmaLoaded, "Bulma's CSS is served by the app");
        Browser.screenshot(driver, "01-empty");
        given().baseUri(app.baseUrl()).auth().none().get("/favicon.ico").then().statusCode(200)
                .contentType("image/x-icon");
        given().baseUri(app.baseUrl()).auth().none().get("/ui/favicon.svg").then().statusCode(200);

        // a dropped file that is not a .torrent is refused at once, without opening the add dialog
        drop(driver, "notes.txt");
        wait.until(d -> toastTexts(d).contains("Not a .torrent file: notes.txt"));
        assertFalse(isActive(driver, "add-modal"), "a refused drop opens no dialog");
        // toasts are capped: six refusals leave at most four on screen
        for (int i = 0; i < 5; i++) {
            drop(driver, "extra-" + i + "-a-rather-long-file-name-that-has-to-wrap-somewhere-in-the-toast.txt");
        }
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.contains("extra-4-")));
        assertEquals(4, toastTexts(driver).size(), "at most four toasts: " + toastTexts(driver));
        Browser.screenshot(driver, "01b-toasts-capped");

        // a file that is not a torrent: its toast carries the API's detail
        upload(driver, wait, notATorrent);
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.contains("holiday-photo.torrent")
                && t.contains("Invalid file format. Only .torrent files are supported.")));
        Browser.screenshot(driver, "02-rejected-toast");

        // the real torrent, with a setting chosen in the same dialog
        driver.findElement(By.id("add-button")).click();
        wait.until(d -> d.findElement(By.id("add-modal")).getAttribute("class").contains("is-active"));
        driver.findElement(By.id("add-files")).sendKeys(torrentFile.toString());
        driver.findElement(By.cssSelector("#add-modal details summary")).click();
        driver.findElement(By.id("add-max_peers")).sendKeys("40");
        Browser.screenshot(driver, "03-add-dialog");
        driver.findElement(By.id("add-submit")).click();
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.contains("Added " + ALBUM)));
        // the next add starts from the defaults, not from this add's settings
        driver.findElement(By.id("add-button")).click();
        wait.until(d -> isActive(d, "add-modal"));
        assertEquals("", driver.findElement(By.id("add-max_peers")).getAttribute("value"), "the add dialog resets");
        assertEquals("Or drop them on this dialog.", driver.findElement(By.id("add-chosen")).getText());
        assertEquals(Boolean.TRUE, driver.executeScript("return document.querySelector('main').inert"),
                "the page behind a modal is inert");
        driver.findElement(By.cssSelector("#add-modal .modal-card-foot [data-close]")).click();
        wait.until(d -> !isActive(d, "add-modal"));
        assertEquals(Boolean.FALSE, driver.executeScript("return document.querySelector('main').inert"));
        // desktop width: a table row per torrent (the cards are for phones)
        WebElement card = wait.until(d -> d.findElement(By.cssSelector("tr.torrent-row[data-id='" + id + "']")));
        assertTrue(card.isDisplayed(), "the table on desktop");
        assertTrue(driver.findElements(By.cssSelector("article.torrent")).isEmpty(), "no cards on desktop");
        assertEquals(ALBUM, card.findElement(By.className("torrent-name")).getText());
        assertEquals("stopped", card.findElement(By.className("state-tag")).getText());
        assertFalse(driver.findElement(By.id("empty")).isDisplayed());
        assertFalse(bulk(driver, "start").isEnabled(), "nothing selected: the toolbar waits");
        select(driver, id);
        wait.until(d -> "true".equals(card.getAttribute("aria-selected")));
        assertTrue(bulk(driver, "start").isEnabled(), "a stopped torrent offers Start");
        assertFalse(bulk(driver, "pause").isEnabled(), "a stopped torrent cannot be paused");
        given().baseUri(app.baseUrl()).get("/status/" + id).then().body("settings.max_peers", equalTo(40));
        wait.until(d -> bulk(d, "files").isEnabled()); // a multi-file torrent has the file-selection modal
        tableSortsSearchesAndFilters(driver, wait, app, id);
        Browser.screenshot(driver, "04-list-stopped");

        // the settings modal: change limits (a slow download leaves time to watch its peer in the details)
        select(driver, id);
        bulk(driver, "settings").click();
        wait.until(d -> d.findElement(By.id("settings-modal")).getAttribute("class").contains("is-active"));
        WebElement uploadLimit = driver.findElement(By.id("edit-upload_limit"));
        uploadLimit.clear();
        uploadLimit.sendKeys("500");
        WebElement downloadLimit = driver.findElement(By.id("edit-speed_limit"));
        downloadLimit.clear();
        downloadLimit.sendKeys("150");
        Browser.screenshot(driver, "05-settings-modal");
        driver.findElement(By.id("settings-save")).click();
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.startsWith("Settings saved")));
        given().baseUri(app.baseUrl()).get("/status/" + id).then().body("settings.upload_limit", equalTo(500));

        // start it and watch it reach 100% from the libtorrent seeder; a double click sends one request
        select(driver, id);
        driver.executeScript("arguments[0].click(); arguments[0].click();", bulk(driver, "start"));
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.startsWith("Started")));
        wait.until(d -> !"stopped".equals(card.findElement(By.className("state-tag")).getText()));
        assertEquals(1, toastTexts(driver).stream().filter(t -> t.startsWith("Started")).count(),
                "an action in flight is locked: " + toastTexts(driver));
        detailsWhileDownloading(driver, wait, app, id, seed);
        new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> {
            WebElement bar = card.findElement(By.tagName("progress"));
            return "100".equals(bar.getAttribute("value")) || "100.0".equals(bar.getAttribute("value"));
        });
        wait.until(d -> List.of("seeding", "completed").contains(card.findElement(By.className("state-tag")).getText()));
        assertTrue(card.findElement(By.className("progress-text")).getText().startsWith("100.0%"),
                card.getText());
        Browser.screenshot(driver, "06-list-complete");

        // the file-selection modal: a tree, sizes, per-file progress; deselect one file
        select(driver, id);
        bulk(driver, "files").click();
        wait.until(d -> d.findElement(By.id("files-modal")).getAttribute("class").contains("is-active"));
        wait.until(d -> !d.findElements(By.cssSelector("#files-tree input.file-box")).isEmpty());
        assertTrue(driver.findElement(By.id("files-tree")).getText().contains("disc 1"), "folders as a tree");
        WebElement intro = driver.findElement(By.cssSelector("#files-tree input[data-path='disc 1/01 Intro.flac']"));
        assertTrue(intro.isSelected());
        intro.click();
        assertEquals("true", driver.findElement(By.cssSelector("#files-tree summary input"))
                .getAttribute("indeterminate"), "the folder shows a partial selection");
        Browser.screenshot(driver, "07-files-modal");
        driver.findElement(By.id("files-save")).click();
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.contains("File selection saved: 2 of 3")));
        given().baseUri(app.baseUrl()).get("/files/" + id).then()
                .body("files.find { it.path == 'disc 1/01 Intro.flac' }.selected", equalTo(false))
                .body("files.path", hasItem("cover.jpg"));

        // phone width: the same list, stacked; then both widths in dark mode
        driver.manage().window().setSize(new Dimension(390, 844));
        WebElement phoneCard = wait.until(d -> d.findElement(By.cssSelector("article.torrent[data-id='" + id + "']")));
        wait.until(d -> phoneCard.isDisplayed() && !card.isDisplayed());
        String cardText = phoneCard.getText();
        assertFalse(cardText.matches("(?s).*\\b1 seeds.*"), "one seed, not 1 seeds: " + cardText);
        Browser.screenshot(driver, "08-phone-list");
        button(phoneCard, "details").click();
        for (String tab : List.of("general", "trackers", "peers", "files", "speed")) {
            driver.findElement(By.id("tab-" + tab)).click();
            wait.until(d -> d.findElement(By.id("panel-" + tab)).isDisplayed());
            driver.executeScript("document.getElementById('details').scrollIntoView()");
            Browser.screenshot(driver, "08-phone-details-" + tab);
        }
        driver.findElement(By.id("details-close")).click();
        button(phoneCard, "settings").click();
        wait.until(d -> isActive(d, "settings-modal"));
        WebElement close = driver.findElement(By.cssSelector("#settings-modal .modal-card-head .delete"));
        assertTrue(((Number) driver.executeScript("return arguments[0].getBoundingClientRect().right", close))
                .doubleValue() <= 390, "the close button is on a phone's screen");
        Browser.screenshot(driver, "08b-phone-modal");
        close.click();
        wait.until(d -> !isActive(d, "settings-modal"));
        Browser.darkMode(driver, true);
        Browser.screenshot(driver, "08c-phone-dark");
        driver.manage().window().setSize(new Dimension(1280, 900));
        Browser.screenshot(driver, "08d-desktop-dark");
        Browser.darkMode(driver, false);

        // remove: "delete downloaded files" is unchecked and not focused (Enter never deletes data); chosen here
        select(driver, id);
        bulk(driver, "remove").click();
        wait.until(d -> d.findElement(By.id("remove-modal")).getAttribute("class").contains("is-active"));
        WebElement deleteFiles = driver.findElement(By.id("remove-delete-files"));
        assertFalse(deleteFiles.isSelected(), "keeping the files is the default");
        assertEquals("remove-cancel", driver.switchTo().activeElement().getAttribute("id"), "Cancel has the focus");
        // the focus stays in the modal: Tab from the last button comes back to its first control
        driver.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
        assertEquals(Boolean.TRUE, driver.executeScript(
                "return document.getElementById('remove-modal').contains(document.activeElement)"), "focus trap");
        // a drop while this dialog is open does not open Add underneath it
        drop(driver, "another.torrent");
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.startsWith("Close the open dialog first")));
        assertFalse(isActive(driver, "add-modal"));
        deleteFiles.click();
        Browser.screenshot(driver, "09-remove-confirm");
        driver.findElement(By.id("remove-confirm")).click();
        wait.until(d -> d.findElements(By.cssSelector(".torrent[data-id='" + id + "'], .torrent-row[data-id='" + id + "']")).isEmpty());
        wait.until(d -> d.findElement(By.id("empty")).isDisplayed());
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.contains("removed and its files deleted")));
        given().baseUri(app.baseUrl()).get("/status/" + id).then().statusCode(404);
        assertTrue(filesUnder(app.downloadDir().resolve(ALBUM)).isEmpty(), "the downloaded files are deleted");
        Browser.screenshot(driver, "10-removed");

        // preferences: the download folder (global limits show only when GET /settings answers)
        driver.findElement(By.id("preferences-button")).click();
        wait.until(d -> d.findElement(By.id("preferences-modal")).getAttribute("class").contains("is-active"));
        WebElement folder = driver.findElement(By.id("pref-download-dir"));
        wait.until(d -> folder.getAttribute("value").equals(app.downloadDir().toString()));
        Path chosen = app.downloadDir().resolveSibling("chosen by a person");
        folder.clear();
        folder.sendKeys(chosen.toString());
        // global limits (GET/POST /settings): max concurrent downloads
        WebElement concurrent = wait.until(d -> d.findElement(By.id("global-max_concurrent_downloads")));
        concurrent.clear();
        concurrent.sendKeys("3");
        assertEquals("Downloads running at once (downloads)", driver.findElement(
                By.cssSelector("label[for='global-max_concurrent_downloads']")).getText(), "labels in words");
        // the DHT switch (GET /settings dht): a checkbox, on by default
        WebElement dht = driver.findElement(By.id("global-dht"));
        assertTrue(dht.isSelected(), "the DHT is on by default");
        assertTrue(dht.findElement(By.xpath("..")).getText().startsWith("DHT"), "the DHT switch says what it is");
        // the PEX switch (GET /settings pex): on by default; switched off here
        WebElement pex = driver.findElement(By.id("global-pex"));
        assertTrue(pex.isSelected(), "PEX is on by default");
        assertTrue(pex.findElement(By.xpath("..")).getText().startsWith("PEX"), "the PEX switch says what it is");
        pex.click();
        // the LSD switch (GET /settings lsd): on by default, switched off here and saved with the rest
        WebElement lsd = driver.findElement(By.id("global-lsd"));
        assertTrue(lsd.isSelected(), "local service discovery is on by default");
        assertTrue(lsd.findElement(By.xpath("..")).getText().startsWith("Local peer discovery"),
                "the LSD switch says what it is");
        lsd.click();
        Browser.screenshot(driver, "11-preferences");
        driver.findElement(By.id("preferences-save")).click();
        wait.until(d -> toastTexts(d).stream().anyMatch(t -> t.equals("New downloads go to " + chosen)));
        wait.until(d -> toastTexts(d).contains("Global settings saved"));
        given().baseUri(app.baseUrl()).get("/settings").then().body("max_concurrent_downloads", equalTo(3))
                .body("pex", equalTo(false)).body("lsd", equalTo(false)).body("dht", equalTo(true));
        given().baseUri(app.baseUrl()).get("/get-download-dir").then().body("directory", equalTo(chosen.toString()));
        assertTrue(Files.isDirectory(chosen));

        LibraryView.check(driver, wait, app);
        apiKeysAndSignOut(driver, wait, app);
    }

    /**
     * The details pane while the album downloads from the libtorrent seeder: its piece bar, the live peer (address
     * and client) under Peers, the dead tracker's error under Trackers, files and the speed graph; screenshots of
     * each tab; axe in light and dark mode with the pane open.
     */
    private void detailsWhileDownloading(ChromeDriver driver, WebDriverWait wait, AppProcess app, String id,
            LibtorrentPeer seed) {
        driver.findElement(By.cssSelector("tr.torrent-row[data-id='" + id + "'] td.col-name")).click();
        bulk(driver, "details").click();
        wait.until(d -> d.findElement(By.id("details")).isDisplayed());
        assertEquals(ALBUM, driver.findElement(By.id("details-title")).getText());
        wait.until(d -> d.findElement(By.id("details-pieces-text")).getText().contains("pieces verified"));
        assertTrue(driver.findElement(By.id("details-general-facts")).getText().contains(id), "the info hash");
        Browser.screenshot(driver, "06a-details-general");

        driver.findElement(By.id("tab-peers")).click();
        String expected = "127.0.0.1:" + seed.port();
        List<String> peer = new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> tableRows(d, "details-peers")
                .stream().filter(r -> r.get(0).equals(expected)).findFirst().orElse(null));
        assertTrue(peer.get(1).startsWith("libtorrent"), "the peer's client as it names itself: " + peer);
        given().baseUri(app.baseUrl()).get("/peers/" + id).then().statusCode(200)
                .body("address", hasItem(expected));
        Browser.screenshot(driver, "06b-details-peers");

        driver.findElement(By.id("tab-trackers")).click();
        // columns: tracker, status, peers, next announce, last error
        List<String> dead = new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> tableRows(d, "details-trackers")
                .stream().filter(r -> !r.get(4).isBlank()).findFirst().orElse(null));
        assertEquals("error", dead.get(1), dead.toString());
        assertEquals(deadTracker, dead.get(0), "the dead tracker has the error, not the live one");
        Browser.screenshot(driver, "06c-details-trackers");

        driver.findElement(By.id("tab-files")).click();
        wait.until(d -> d.findElements(By.cssSelector("#details-files tbody tr[data-path]")).size() == 3);
        // a priority per file and per folder, chosen with the keyboard
        WebElement coverPriority = driver.findElement(
                By.cssSelector("#details-files tr[data-path='cover.jpg'] select.priority-select"));
        assertEquals("normal", coverPriority.getAttribute("value"));
        coverPriority.sendKeys("High");
        wait.until(d -> "high".equals(given().baseUri(app.baseUrl()).get("/files/" + id).then().extract()
                .path("files.find { it.path == 'cover.jpg' }.priority")));
        WebElement folderPriority = driver.findElement(
                By.cssSelector("#details-files tr[data-folder='disc 1'] select.priority-select"));
        assertEquals("Priority of folder disc 1 (2 files)", folderPriority.getAttribute("aria-label"));
        assertEquals("normal", folderPriority.getAttribute("value"));
        Browser.screenshot(driver, "06d-details-files");
        accessible(driver, "desktop with the files tab and its priorities");
        // the turtle in the status bar: one click switches the alternative limits, it says which apply
        WebElement turtle = driver.findElement(By.id("alt-speed-toggle"));
        wait.until(d -> turtle.isDisplayed());
        assertEquals("false", turtle.getAttribute("aria-pressed"));
        turtle.click();
        wait.until(d -> "true".equals(turtle.getAttribute("aria-pressed")));
        assertTrue(turtle.getText().startsWith("Alt limits ↓"), "it says the limits in force: " + turtle.getText());
        assertTrue(turtle.getAttribute("title").startsWith("Alternative speed limits apply"), turtle.getAttribute("title"));
        given().baseUri(app.baseUrl()).get("/settings").then().body("alt_speed_enabled", equalTo(true));
        Browser.screenshot(driver, "06d2-alt-speed-on");
        turtle.click();
        wait.until(d -> "false".equals(turtle.getAttribute("aria-pressed")));
        given().baseUri(app.baseUrl()).get("/settings").then().body("alt_speed_enabled", equalTo(false));
        driver.findElement(By.id("tab-speed")).click();
        wait.until(d -> d.findElement(By.id("details-graph-text")).getText().startsWith("Last"));
        Browser.screenshot(driver, "06e-details-speed");
        accessible(driver, "desktop with the details pane");
        driver.findElement(By.id("tab-general")).click();
    }

    /** axe-core finds nothing serious or critical, in light and in dark mode. */
    static void accessible(ChromeDriver driver, String where) {
        if (!Axe.available()) {
            return;
        }
        assertEquals("", Axe.seriousViolations(driver), "axe, light mode, " + where);
        Browser.darkMode(driver, true);
        try {
            assertEquals("", Axe.seriousViolations(driver), "axe, dark mode, " + where);
        } finally {
            Browser.darkMode(driver, false);
        }
    }

    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The cells' texts of a details table, read in one script call (the pane redraws its tables). */
    @SuppressWarnings("unchecked")
    static List<List<String>> tableRows(org.openqa.selenium.WebDriver driver, String table) {
        return (List<List<String>>) ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
                        + ".map(r => Array.from(r.cells).map(c => c.textContent))", table);
    }

    static WebElement bulk(org.openqa.selenium.WebDriver driver, String action) {
        return driver.findElement(By.cssSelector("#bulk-bar [data-bulk='" + action + "']"));
    }

    /** A plain click on the torrent's row: it alone is selected. */
    static void select(org.openqa.selenium.WebDriver driver, String id) {
        driver.findElement(By.cssSelector("tr.torrent-row[data-id='" + id + "'] td.col-name")).click();
    }

    /** Preferences > API keys: one created (shown once) works as Bearer; revoked, it is refused at once. Then sign out. */
    private void apiKeysAndSignOut(ChromeDriver driver, WebDriverWait wait, AppProcess app) {
        wait.until(d -> toastTexts(d).isEmpty()); // the last toasts cover the dialog's lower buttons until they go
        driver.findElement(By.id("preferences-button")).click();
        wait.until(d -> d.findElement(By.id("account")).isDisplayed());
        assertTrue(driver.findElement(By.id("account-source")).getText().contains("BT_PASSWORD"),
                driver.findElement(By.id("account-source")).getText());
        driver.findElement(By.id("api-key-name")).sendKeys("my script");
        driver.findElement(By.id("api-key-create")).click();
        WebElement shown = wait.until(d -> d.findElement(By.id("api-key-value")));
        wait.until(d -> shown.getText().startsWith("btm_"));
        String key = shown.getText();
        wait.until(d -> d.findElements(By.cssSelector("#api-keys li.api-key")).size() == 1);
        Browser.screenshot(driver, "12-api-key-created");
        given().baseUri(app.baseUrl()).auth().none().header("Authorization", "Bearer " + key)
                .get("/status").then().statusCode(200);

        driver.findElement(By.cssSelector("#api-keys .api-key-revoke")).click();
        wait.until(d -> d.findElements(By.cssSelector("#api-keys li.api-key")).isEmpty());
        given().baseUri(app.baseUrl()).auth().none().header("Authorization", "Bearer " + key)
                .get("/status").then().statusCode(401);
        driver.findElement(By.cssSelector("#preferences-modal .modal-card-foot [data-close]")).click();

        driver.findElement(By.id("sign-out-button")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/login"));
        driver.get(app.baseUrl() + "/");
        wait.until(d -> d.getCurrentUrl().contains("/login?next="));
        Browser.screenshot(driver, "13-signed-out");
    }

    private static void upload(ChromeDriver driver, WebDriverWait wait, Path file) {
        driver.findElement(By.id("add-button")).click();
        wait.until(d -> d.findElement(By.id("add-modal")).getAttribute("class").contains("is-active"));
        driver.findElement(By.id("add-files")).sendKeys(file.toString());
        driver.findElement(By.id("add-submit")).click();
    }

    /** A second, single-file torrent (added through the API): sort by name, search, state filters with counts. */
    private void tableSortsSearchesAndFilters(ChromeDriver driver, WebDriverWait wait, AppProcess app, String albumId) {
        TorrentBuilder single = TorrentBuilder.of(Payloads.file(Payloads.tempDir("single").resolve("a single file.bin"),
                40_000)).pieceLength(16384);
        String singleId = given().baseUri(app.baseUrl())
                .multiPart("file", "single.torrent", single.build(), "application/x-bittorrent")
                .post("/upload").then().statusCode(200).extract().path("torrent_id");
        WebElement row = wait.until(d -> d.findElement(By.cssSelector("tr.torrent-row[data-id='" + singleId + "']")));
        wait.until(d -> rowNames(d).size() == 2);
        assertEquals(List.of("a single file.bin", ALBUM), rowNames(driver), "sorted by name, ascending");
        driver.findElement(By.cssSelector("#torrent-table th[data-sort='name'] .sort")).click();
        wait.until(d -> rowNames(d).equals(List.of(ALBUM, "a single file.bin")));
        assertEquals("descending", driver.findElement(By.cssSelector("#torrent-table th[data-sort='name']"))
                .getAttribute("aria-sort"));
        select(driver, singleId);
        wait.until(d -> "1 download selected".equals(d.findElement(By.id("selection-count")).getText()));
        assertFalse(bulk(driver, "files").isEnabled(), "a single-file torrent offers no Files");
        assertEquals("2", driver.findElement(By.cssSelector("#filters [data-filter='all'] .count")).getText());
        assertEquals("0", driver.findElement(By.cssSelector("#filters [data-filter='seeding'] .count")).getText());
        driver.findElement(By.id("search")).sendKeys("album");
        wait.until(d -> rowNames(d).equals(List.of(ALBUM)));
        Browser.screenshot(driver, "04b-table-search");
        driver.findElement(By.id("search")).clear();
        driver.findElement(By.id("search")).sendKeys(" "); // an input event; blank matches all
        wait.until(d -> rowNames(d).size() == 2);
        driver.findElement(By.cssSelector("#filters [data-filter='seeding']")).click();
        wait.until(d -> rowNames(d).isEmpty());
        driver.findElement(By.cssSelector("#filters [data-filter='all']")).click();
        wait.until(d -> rowNames(d).size() == 2);
        Browser.darkMode(driver, true);
        Browser.screenshot(driver, "04c-table-dark");
        Browser.darkMode(driver, false);
        given().baseUri(app.baseUrl()).post("/remove/" + singleId + "?delete_files=false").then().statusCode(200);
        wait.until(d -> rowNames(d).equals(List.of(ALBUM)));
    }

    /** The names of the visible table rows, top to bottom. */
    @SuppressWarnings("unchecked")
    private static List<String> rowNames(org.openqa.selenium.WebDriver driver) {
        return (List<String>) ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "return Array.from(document.querySelectorAll('#torrent-rows tr.torrent-row:not([hidden]) .torrent-name'))"
                        + ".map(e => e.textContent)");
    }

    private static boolean isActive(org.openqa.selenium.WebDriver driver, String modal) {
        return driver.findElement(By.id(modal)).getAttribute("class").contains("is-active");
    }

    /** Drops a small file named {@code name} on the page, as a person dragging it from their file manager. */
    private static void drop(ChromeDriver driver, String name) {
        driver.executeScript("const dt = new DataTransfer(); dt.items.add(new File(['not a torrent'], arguments[0]));"
                + "document.body.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));",
                name);
    }

    private static WebElement button(WebElement card, String action) {
        return card.findElement(By.cssSelector("[data-action='" + action + "']"));
    }

    /** In one script call: a toast may go away between finding it and reading it. */
    @SuppressWarnings("unchecked")
    private static List<String> toastTexts(org.openqa.selenium.WebDriver driver) {
        return (List<String>) ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "return Array.from(document.querySelectorAll('#toasts .toast-text')).map(e => e.textContent)");
    }

    private static List<Path> filesUnder(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
