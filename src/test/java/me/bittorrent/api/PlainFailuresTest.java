package me.bittorrent.api;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

/** A failure outside the REST resources (here a plain Vert.x route) still answers {"detail"}, no stack trace. */
@QuarkusTest
class PlainFailuresTest {

    /** Test-only routes that fail the way a broken serialiser or body handler does. */
    @ApplicationScoped
    static class FailingRoutes {
        void install(@Observes Router router) {
            router.get("/test-only/fail").handler(ctx -> ctx.fail(new IllegalStateException("boom")));
            router.get("/test-only/fail-413").handler(ctx -> ctx.fail(413));
        }
    }

    @Test
    void anUnexpectedFailureIsA500WithDetailOnly() {
        given().get("/test-only/fail").then().statusCode(500)
                .contentType("application/json")
                .body("detail", equalTo(PlainFailures.INTERNAL))
                .body(not(containsString("boom")))
                .body(not(containsString("stack")));
    }

    @Test
    void aFailureWithAStatusKeepsItWithDetail() {
        given().get("/test-only/fail-413").then().statusCode(413)
                .body("detail", equalTo("Request Entity Too Large"));
    }
}
