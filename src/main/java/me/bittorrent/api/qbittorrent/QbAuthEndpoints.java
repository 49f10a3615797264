package me.bittorrent.api.qbittorrent;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.api.auth.AuthConfig;
import me.bittorrent.api.auth.AuthFilter;
import me.bittorrent.api.auth.Credentials;
import me.bittorrent.api.auth.QbittorrentAuth;
import me.bittorrent.api.auth.SessionTokens;
import me.bittorrent.api.auth.SignInGuard;

/**
 * auth/login and auth/logout as qBittorrent answers them. The SID is a session of the dashboard's kind
 * ({@link SessionTokens}): it lasts BT_SESSION_DURATION, survives a restart, and ends at logout or a password
 * change. A wrong password counts toward the same ban as every other sign-in; a banned address gets 403.
 */
@ApplicationScoped
class QbAuthEndpoints {

    static final String BANNED = "Your IP address has been banned after too many failed authentication attempts.";

    @Inject
    AuthConfig config;
    @Inject
    Credentials credentials;
    @Inject
    SessionTokens sessions;
    @Inject
    SignInGuard guard;

    void login(QbRequest r) {
        HttpServerRequest request = r.ctx.request();
        String address = AuthFilter.clientAddress(request);
        if (guard.banRemaining(address).isPresent()) {
            r.text(403, BANNED);
            return;
        }
        String user = r.param("username");
        String password = r.ctx.request().getParam("password"); // not trimmed: spaces may be part of it
        if (!config.enabled()) {
            ok(r);
            return;
        }
        if (user == null || user.isEmpty() || password == null || password.isEmpty() || user.length() > 200
                || password.length() > 1024) {
            r.text("Fails.");
            return;
        }
        // PBKDF2 takes a few hundred ms: on a worker
        r.ctx.vertx().executeBlocking(() -> credentials.verify(user, password), false).onComplete(result -> {
            if (result.succeeded() && result.result()) {
                guard.succeeded(address);
                ok(r);
            } else if (guard.failed(address, "qBittorrent API login")) {
                r.text(403, BANNED);
            } else {
                r.text("Fails.");
            }
        });
    }

    private void ok(QbRequest r) {
        r.ctx.response().putHeader("Set-Cookie", QbittorrentAuth.cookie(sessions.issue(), tls(r)));
        r.text("Ok.");
    }

    void logout(QbRequest r) {
        String sid = QbittorrentAuth.sid(r.ctx.request().getHeader("Cookie"));
        if (sid != null) {
            sessions.signOut(sid);
        }
        r.ctx.response().putHeader("Set-Cookie", QbittorrentAuth.cookie("", tls(r)));
        r.text("");
    }

    private static boolean tls(QbRequest r) {
        return r.ctx.request().isSSL()
                || "https".equalsIgnoreCase(r.ctx.request().getHeader("X-Forwarded-Proto"));
    }
}
