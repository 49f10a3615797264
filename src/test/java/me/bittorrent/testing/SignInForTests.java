package me.bittorrent.testing;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes rest-assured sign in by default with {@link TestCredentials}: once per test JVM as a JUnit Platform
 * {@link LauncherSessionListener} (plain and *IT tests), and before each @QuarkusTest method as a Quarkus callback
 * (those tests run in Quarkus' own class loader, which has its own copy of RestAssured). Both are registered in
 * src/test/resources/META-INF/services.
 */
public class SignInForTests implements LauncherSessionListener, QuarkusTestBeforeEachCallback {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        install();
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        install();
    }

    static void install() {
        RestAssured.authentication = RestAssured.preemptive().basic(TestCredentials.USER, TestCredentials.PASSWORD);
    }
}
