package me.bittorrent.ui;

import me.bittorrent.testing.Tools;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Debian's headless chromium driven by Debian's chromedriver. Both are given by path, so Selenium Manager never
 * runs and nothing is downloaded. Missing binaries skip the test, or fail it when CI=true.
 */
public final class Browser {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Browser() {
    }

    public static ChromeDriver start() throws IOException {
        Tools.requireTool(CHROMIUM);
        Tools.requireTool(CHROMEDRIVER);
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        Path profile = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()),
                "chromium-profile-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-dev-shm-usage", "--disable-extensions",
                "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 900));
        return driver;
    }

    /**
     * Opens {@code baseUrl}/ as a person would: the service sends the browser to its sign-in page, where the user
     * name is filled in; types {@code password} and signs in; waits for the dashboard to be live.
     */
    public static void signIn(ChromeDriver driver, String baseUrl, String password) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        driver.get(baseUrl + "/");
        wait.until(d -> d.getCurrentUrl().contains("/login"));
        if (!"admin".equals(driver.findElement(By.id("username")).getAttribute("value"))) {
            throw new AssertionError("the sign-in page does not offer the user name admin");
        }
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("sign-in")).click();
        wait.until(d -> d.findElements(By.id("connection")).size() == 1
                && d.findElement(By.id("connection")).getText().equals("live"));
    }

    /** Emulates the system's dark (or light) colour scheme, as prefers-color-scheme sees it. */
    public static void darkMode(ChromeDriver driver, boolean dark) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features", java.util.List.of(
                java.util.Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
        // Bulma fades colours in (CSS transitions): a screenshot waits until none is running
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> Boolean.TRUE.equals(
                driver.executeScript("return document.getAnimations().length === 0")));
    }

    /** Saves the page as target/screenshots/{name}.png. */
    public static Path screenshot(ChromeDriver driver, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.move(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
