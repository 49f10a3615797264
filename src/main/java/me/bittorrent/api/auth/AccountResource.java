package me.bittorrent.api.auth;

import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import me.bittorrent.api.ApiError;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/**
 * The owner's account, for Preferences: the permanent password and the API keys. Blocking signatures: Quarkus
 * runs them on a worker (PBKDF2, file writes).
 */
@Path("/auth")
@Tag(name = "Sign-in")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    /** {@code password_source}: environment, saved or generated; null when sign-in is off. */
    public record Account(boolean authEnabled, String username, String passwordSource) {
    }

    public record PasswordChange(String password) {
    }

    public record NewApiKey(String name) {
    }

    @Inject
    AuthConfig config;
    @Inject
    Credentials credentials;
    @Inject
    SessionTokens sessions;

    @GET
    @Path("me")
    @Operation(summary = "Who is signed in and where the password comes from")
    public Account me() {
        PasswordSource source = credentials.passwordSource();
        return new Account(config.enabled(), config.username(),
                source == null ? null : source.name().toLowerCase(java.util.Locale.ROOT));
    }

    @POST
    @Path("password")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the permanent password (8 to 1024 characters); signs out every other session",
            description = "Refused with 400 while BT_PASSWORD sets the password. The answer carries a new session "
                    + "cookie for the caller.")
    public Response setPassword(PasswordChange change, @Context HttpServerRequest request) {
        if (!config.enabled()) {
            return off();
        }
        credentials.setPassword(change == null ? null : change.password());
        return Response.ok(me())
                .header("Set-Cookie", SignInResource.sessionCookie(sessions.issue(), config.sessionDuration(), request))
                .build();
    }

    @GET
    @Path("keys")
    @Operation(summary = "The API keys (never the keys themselves)")
    public List<ApiKeyView> keys() {
        return config.enabled() ? credentials.apiKeys() : List.of();
    }

    @POST
    @Path("keys")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an API key {\"name\": ...}",
            description = "201 with `key`, shown this once: send it as `Authorization: Bearer <key>`.")
    public Response createKey(NewApiKey request) {
        if (!config.enabled()) {
            return off();
        }
        return Response.status(201).entity(credentials.createApiKey(request == null ? null : request.name()))
                .build();
    }

    @DELETE
    @Path("keys/{id}")
    @Operation(summary = "Revoke an API key; requests with it are refused at once")
    public Response revokeKey(@PathParam("id") String id) {
        if (!config.enabled()) {
            return off();
        }
        if (!credentials.revokeApiKey(id)) {
            return Response.status(404).entity(new ApiError("API key not found")).build();
        }
        return Response.noContent().build();
    }

    private static Response off() {
        return Response.status(409).entity(new ApiError("Sign-in is off (BT_AUTH=off): there is no account"))
                .build();
    }
}
