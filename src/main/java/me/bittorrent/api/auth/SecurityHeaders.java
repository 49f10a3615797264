package me.bittorrent.api.auth;

import io.vertx.core.http.HttpServerResponse;

/**
 * Headers on every answer. The dashboard and sign-in page have no inline script or style (all in /ui/*.js and
 * /ui/*.css), so the policy allows only this origin's files. Swagger UI (a page Quarkus ships, behind sign-in)
 * configures itself with an inline script and inline styles: only its pages get those two allowances.
 */
final class SecurityHeaders {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    static final String SWAGGER_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    static void add(HttpServerResponse response, String path) {
        boolean swagger = path != null && path.startsWith("/q/swagger-ui");
        response.headers()
                .set("Content-Security-Policy", swagger ? SWAGGER_CSP : CSP)
                .set("X-Frame-Options", "DENY")
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "same-origin");
    }
}
