package me.bittorrent.api.auth;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import me.bittorrent.Version;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The sign-in page (Qute, the dashboard's Bulma, no script) and sign-out. Runs on a worker thread (blocking
 * signature): checking a password costs PBKDF2.
 */
@Path("/")
@Tag(name = "Sign-in")
public class SignInResource {

    static final String BULMA_CSS = "/webjars/bulma/1.0.4/css/bulma.min.css";

    @Inject
    Template login;
    @Inject
    AuthConfig config;
    @Inject
    Credentials credentials;
    @Inject
    SessionTokens sessions;
    @Inject
    SignInGuard guard;

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The sign-in page")
    public Response page(@QueryParam("next") String next, @Context HttpServerRequest request) {
        Cookie cookie = request.getCookie(SessionTokens.COOKIE);
        if (!config.enabled() || cookie != null && sessions.verify(cookie.getValue()).isPresent()) {
            return Response.seeOther(URI.create(safeNext(next))).build();
        }
        Optional<Duration> ban = guard.banRemaining(AuthFilter.clientAddress(request));
        return page(ban.isPresent() ? 403 : 200, next, ban.map(AuthFilter::banned).orElse(null), "");
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "Sign in (form fields username, password, next); sets the session cookie")
    public Response signIn(@FormParam("username") String username, @FormParam("password") String password,
            @FormParam("next") String next, @Context HttpServerRequest request) {
        if (!config.enabled()) {
            return Response.seeOther(URI.create(safeNext(next))).build();
        }
        String address = AuthFilter.clientAddress(request);
        String user = username == null ? "" : username.strip();
        Optional<Duration> ban = guard.banRemaining(address);
        if (ban.isPresent()) {
            return page(403, next, AuthFilter.banned(ban.get()), user);
        }
        if (user.isEmpty() || password == null || password.isEmpty()) {
            return page(400, next, "Enter the user name and the password.", user);
        }
        if (user.length() > 200 || password.length() > PasswordHashing.MAX_LENGTH) {
            return page(400, next, "The user name or the password is too long.", "");
        }
        if (!credentials.verify(user, password)) {
            if (guard.failed(address, "sign-in page")) {
                return page(403, next, AuthFilter.banned(config.banDuration()), user);
            }
            return page(401, next, "Wrong user name or password.", user);
        }
        guard.succeeded(address);
        return Response.seeOther(URI.create(safeNext(next)))
                .header("Set-Cookie", sessionCookie(sessions.issue(), config.sessionDuration(), request))
                .build();
    }

    @POST
    @Path("logout")
    @Operation(summary = "Sign out: ends the session and clears its cookie")
    public Response signOut(@Context HttpServerRequest request) {
        Cookie cookie = request.getCookie(SessionTokens.COOKIE);
        if (cookie != null) {
            sessions.signOut(cookie.getValue());
        }
        return Response.seeOther(URI.create("/login"))
                .header("Set-Cookie", sessionCookie("", Duration.ZERO, request))
                .build();
    }

    private Response page(int status, String next, String message, String username) {
        TemplateInstance page = login.data("bulmaCss", BULMA_CSS)
                .data("version", Version.VERSION)
                .data("next", safeNext(next))
                .data("message", message)
                .data("temporary", credentials.passwordSource() == PasswordSource.GENERATED)
                .data("username", username.isEmpty() ? config.username() : username);
        return Response.status(status).entity(page).type(MediaType.TEXT_HTML_TYPE)
                .header("Cache-Control", "no-store").build();
    }

    /** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure when served over TLS. */
    static String sessionCookie(String value, Duration maxAge, HttpServerRequest request) {
        boolean tls = request.isSSL() || "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
        return SessionTokens.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "");
    }

    /** Only a path of this service: never another site (//evil.example), never a header injection. */
    static String safeNext(String next) {
        if (next == null || next.isEmpty() || next.length() > 2000 || !next.startsWith("/")
                || next.startsWith("//") || next.startsWith("/\\") || next.chars().anyMatch(c -> c < 0x20)
                || next.startsWith("/login") || next.startsWith("/logout")) {
            return "/";
        }
        try {
            URI uri = URI.create(next);
            return uri.getScheme() == null && uri.getHost() == null ? next : "/";
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }
}
