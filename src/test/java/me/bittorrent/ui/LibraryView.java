package me.bittorrent.ui;

import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A library of 300 torrents in the real browser: the table renders only the rows in view, and sorts, searches
 * and filters all of them; a selection made by Shift+click is started and paused in bulk; the keyboard selects
 * and opens the context menu; the status bar shows /metrics' numbers; axe in both themes; screenshots.
 */
final class LibraryView {

    static final int COUNT = 300;

    private LibraryView() {
    }

    static void check(ChromeDriver driver, WebDriverWait wait, AppProcess app) {
        driver.manage().window().setSize(new Dimension(1280, 900));
        Path dir = Payloads.tempDir("library");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            // sizes grow with the number, so "largest first" is lib-299 first
            Path file = Payloads.file(dir.resolve(String.format("lib-%03d.bin", i)), 1000 + i * 10);
            byte[] torrent = TorrentBuilder.of(file).pieceLength(16384).build();
            ids.add(given().baseUri(app.baseUrl())
                    .multiPart("file", "lib.torrent", torrent, "application/x-bittorrent")
                    .post("/upload").then().statusCode(200).extract().path("torrent_id"));
        }
        wait.until(d -> String.valueOf(COUNT).equals(count(d, "all")));

        // virtual rendering: a few dozen rows in the DOM, not 300; sorting, searching and filtering them all
        long inDom = rowsInDom(driver);
        assertTrue(inDom > 10 && inDom < 80, "only the rows in view are in the DOM: " + inDom);
        sortAscending(driver, "name"); // the sort chosen earlier is remembered (localStorage)
        wait.until(d -> names(d).get(0).equals("lib-000.bin"));
        double millis = ((Number) driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "const t = performance.now(); const s = document.getElementById('search');"
                + "s.value = 'lib'; s.dispatchEvent(new Event('input'));"
                + "requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t)));")).doubleValue();
        assertTrue(millis < 1000, "300 torrents filtered, sorted and rendered in " + millis + " ms");
        System.out.printf("DashboardIT: %d torrents filtered, sorted and rendered in %.0f ms%n", COUNT, millis);
        sortAscending(driver, "total_size");
        sortBy(driver, "total_size"); // again: largest first
        wait.until(d -> names(d).get(0).equals("lib-299.bin"));
        scrollTo(driver, 1e9);
        wait.until(d -> names(d).contains("lib-000.bin"));
        assertTrue(rowsInDom(driver) < 80, "scrolled to the end, still only the rows in view");
        Browser.screenshot(driver, "20-library-desktop-sorted-by-size");
        scrollTo(driver, 0);
        sortAscending(driver, "name");
        wait.until(d -> names(d).get(0).equals("lib-000.bin"));
        search(driver, "lib-12");
        List<String> expected = IntStream.range(120, 130).mapToObj(i -> "lib-" + i + ".bin").toList();
        wait.until(d -> names(d).equals(expected));
        assertTrue(driver.findElement(By.id("shown-count")).getText().startsWith("10 of 300"),
                driver.findElement(By.id("shown-count")).getText());

        // select all shown (the 10 found), then a Shift+click range, started and paused in bulk
        DashboardIT.bulk(driver, "select-all").click();
        wait.until(d -> "10 downloads selected".equals(d.findElement(By.id("selection-count")).getText()));
        search(driver, "");
        wait.until(d -> names(d).get(0).equals("lib-000.bin"));
        DashboardIT.select(driver, ids.get(0));
        new Actions(driver).keyDown(Keys.SHIFT)
                .click(driver.findElement(By.cssSelector("tr.torrent-row[data-id='" + ids.get(4) + "'] td.col-name")))
                .keyUp(Keys.SHIFT).perform();
        wait.until(d -> "5 downloads selected".equals(d.findElement(By.id("selection-count")).getText()));
        DashboardIT.bulk(driver, "start").click();
        wait.until(d -> ids.subList(0, 5).stream().noneMatch(id -> "stopped".equals(state(app, id))));
        wait.until(d -> DashboardIT.bulk(d, "pause").isEnabled());
        DashboardIT.bulk(driver, "pause").click();
        wait.until(d -> ids.subList(0, 5).stream().allMatch(id -> "paused".equals(state(app, id))));
        assertEquals("stopped", state(app, ids.get(5)), "what was not selected is left alone");
        wait.until(d -> "5".equals(count(d, "paused")));
        Browser.screenshot(driver, "21-library-bulk-paused");

        // the keyboard: arrows move, Space adds to the selection, Shift+F10 opens the menu, Escape closes it
        driver.findElement(By.id("torrent-table")).click();
        new Actions(driver).sendKeys(Keys.HOME).sendKeys(Keys.ARROW_DOWN).sendKeys(Keys.ARROW_DOWN).perform();
        wait.until(d -> "1 download selected".equals(d.findElement(By.id("selection-count")).getText()));
        new Actions(driver).keyDown(Keys.CONTROL).sendKeys(Keys.ARROW_DOWN).keyUp(Keys.CONTROL).sendKeys(Keys.SPACE).perform();
        wait.until(d -> "2 downloads selected".equals(d.findElement(By.id("selection-count")).getText()));
        new Actions(driver).keyDown(Keys.SHIFT).sendKeys(Keys.F10).keyUp(Keys.SHIFT).perform();
        wait.until(d -> d.findElement(By.id("context-menu")).isDisplayed());
        assertEquals("menuitem", driver.switchTo().activeElement().getAttribute("role"), "the menu has the focus");
        assertTrue(driver.findElement(By.cssSelector("#context-menu [data-menu='magnet']")).isEnabled());
        Browser.screenshot(driver, "22-library-context-menu");
        new Actions(driver).sendKeys(Keys.ESCAPE).perform();
        wait.until(d -> !d.findElement(By.id("context-menu")).isDisplayed());
        assertEquals("torrent-table", driver.switchTo().activeElement().getAttribute("id"), "focus back on the table");

        // the status bar shows /metrics' numbers (nothing transfers now: they hold still)
        wait.until(d -> statusBar(d).get("active") != null);
        Map<String, Object> metrics = given().baseUri(app.baseUrl()).get("/metrics").then().extract().path("totals");
        wait.until(d -> {
            Map<String, String> bar = statusBar(d);
            return String.valueOf(metrics.get("downloaded_bytes")).equals(bar.get("downloaded_bytes"))
                    && String.valueOf(metrics.get("uploaded_bytes")).equals(bar.get("uploaded_bytes"));
        });
        long free = given().baseUri(app.baseUrl()).get("/metrics").then().extract().<Number>path("system.download_dir_free_bytes").longValue();
        long shownFree = Long.parseLong(statusBar(driver).get("download_dir_free_bytes"));
        assertTrue(Math.abs(free - shownFree) < 256L * 1024 * 1024, "free space " + shownFree + " against " + free);
        assertEquals(String.valueOf(given().baseUri(app.baseUrl()).get("/health").then().extract().<Integer>path("peer_port")),
                statusBar(driver).get("peer_port"));

        DashboardIT.accessible(driver, "300 torrents, a selection");
        Browser.darkMode(driver, true);
        Browser.screenshot(driver, "23-library-desktop-dark");
        Browser.darkMode(driver, false);
        driver.manage().window().setSize(new Dimension(390, 844));
        wait.until(d -> d.findElements(By.cssSelector("article.torrent")).size() == 100);
        assertTrue(d(driver).executeScript("return document.getElementById('more-cards').hidden").equals(false),
                "a phone shows the first 100 cards and offers more");
        Browser.screenshot(driver, "24-library-phone");
        DashboardIT.accessible(driver, "phone, 300 torrents");
        driver.manage().window().setSize(new Dimension(1280, 900));

        for (String id : ids) {
            given().baseUri(app.baseUrl()).post("/remove/" + id + "?delete_files=false").then().statusCode(200);
        }
        wait.until(d -> d.findElement(By.id("empty")).isDisplayed());
    }

    private static JavascriptExecutor d(WebDriver driver) {
        return (JavascriptExecutor) driver;
    }

    private static String state(AppProcess app, String id) {
        return given().baseUri(app.baseUrl()).get("/status/" + id).then().extract().path("state");
    }

    private static String count(WebDriver driver, String filter) {
        return (String) d(driver).executeScript(
                "return document.querySelector(\"#filters [data-filter='\" + arguments[0] + \"'] .count\").textContent", filter);
    }

    private static long rowsInDom(WebDriver driver) {
        return ((Number) d(driver).executeScript("return document.querySelectorAll('#torrent-rows tr.torrent-row').length"))
                .longValue();
    }

    @SuppressWarnings("unchecked")
    private static List<String> names(WebDriver driver) {
        return (List<String>) d(driver).executeScript(
                "return Array.from(document.querySelectorAll('#torrent-rows tr.torrent-row .torrent-name')).map(e => e.textContent)");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> statusBar(WebDriver driver) {
        return (Map<String, String>) d(driver).executeScript("const m = {};"
                + "document.querySelectorAll('#status-bar [data-key]').forEach(e => { if (e.dataset.value) m[e.dataset.key] = e.dataset.value; });"
                + "return m;");
    }

    private static void sortBy(WebDriver driver, String key) {
        driver.findElement(By.cssSelector("#torrent-table th[data-sort='" + key + "'] .sort")).click();
    }

    private static void sortAscending(WebDriver driver, String key) {
        for (int i = 0; i < 2 && !"ascending".equals(driver.findElement(
                By.cssSelector("#torrent-table th[data-sort='" + key + "']")).getAttribute("aria-sort")); i++) {
            sortBy(driver, key);
        }
    }

    private static void scrollTo(WebDriver driver, double top) {
        d(driver).executeScript("const s = document.getElementById('table-scroller'); s.scrollTop = arguments[0];"
                + "s.dispatchEvent(new Event('scroll'));", top);
    }

    private static void search(WebDriver driver, String text) {
        d(driver).executeScript("const s = document.getElementById('search'); s.value = arguments[0];"
                + "s.dispatchEvent(new Event('input'));", text);
    }
}
