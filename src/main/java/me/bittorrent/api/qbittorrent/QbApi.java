package me.bittorrent.api.qbittorrent;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import me.bittorrent.api.CsrfFilter;
import me.bittorrent.api.auth.QbittorrentAuth;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * qBittorrent's WebAPI v2 under /api/v2/, on the service's port and behind its sign-in ({@code AuthFilter} lets a
 * call through only with a valid SID, Basic or Bearer, and answers 403 otherwise). Vert.x routes rather than
 * JAX-RS: qBittorrent reads parameters from the query and the form body alike, takes reads as GET or POST, and
 * answers in plain text.
 * <p>
 * Every call: CSRF as qBittorrent (an Origin or Referer that names another host is refused), GET only for reads
 * (405 otherwise, as qBittorrent), 404 "Not Found" for an unknown method name.
 */
@ApplicationScoped
public class QbApi {

    private static final Logger LOG = Logger.getLogger(QbApi.class);

    /** One WebAPI method. */
    interface Endpoint {
        void handle(QbRequest request);
    }

    private record Route(boolean changesState, Endpoint endpoint) {
    }

    @Inject
    QbAuthEndpoints auth;
    @Inject
    QbAppEndpoints app;
    @Inject
    QbTorrentEndpoints torrents;
    @Inject
    QbAddEndpoint add;
    @Inject
    QbCategories categories;
    @Inject
    me.bittorrent.engine.DownloadEngine engine;
    @ConfigProperty(name = "bt.max-torrent-file-size")
    long maxTorrentSize;

    private final Map<String, Route> routes = new HashMap<>();

    void register(@Observes Router router) {
        read("app/version", r -> r.text(QbAppEndpoints.VERSION));
        read("app/webapiVersion", r -> r.text(QbAppEndpoints.WEBAPI_VERSION));
        read("app/buildInfo", app::buildInfo);
        read("app/preferences", app::preferences);
        read("app/defaultSavePath", app::defaultSavePath);
        write("app/setPreferences", app::setPreferences);
        read("transfer/info", app::transferInfo);
        read("transfer/speedLimitsMode", app::speedLimitsMode);
        write("transfer/toggleSpeedLimitsMode", app::toggleSpeedLimitsMode);
        write("transfer/setSpeedLimitsMode", app::setSpeedLimitsMode);
        read("sync/maindata", app::maindata);
        read("sync/torrentPeers", app::torrentPeers);
        write("auth/login", auth::login);
        write("auth/logout", auth::logout);
        read("torrents/info", torrents::info);
        read("torrents/properties", torrents::properties);
        read("torrents/files", torrents::files);
        read("torrents/trackers", torrents::trackers);
        read("torrents/categories", categories::list);
        write("torrents/createCategory", categories::create);
        write("torrents/editCategory", categories::edit);
        write("torrents/removeCategories", categories::remove);
        read("torrents/tags", torrents::tagList);
        write("torrents/createTags", torrents::createTags);
        write("torrents/deleteTags", torrents::deleteTags);
        write("torrents/addTags", torrents::addTags);
        write("torrents/removeTags", torrents::removeTags);
        write("torrents/setCategory", torrents::setCategory);
        write("torrents/recheck", torrents::recheck);
        write("torrents/reannounce", torrents::reannounce);
        write("torrents/setShareLimits", torrents::setShareLimits);
        write("torrents/setForceStart", torrents::setForceStart);
        write("torrents/rename", torrents::rename);
        write("torrents/topPrio", torrents::topPrio);
        write("torrents/bottomPrio", torrents::bottomPrio);
        write("torrents/increasePrio", torrents::increasePrio);
        write("torrents/decreasePrio", torrents::decreasePrio);
        write("torrents/setLocation", torrents::setLocation);
        read("torrents/downloadLimit", torrents::downloadLimits);
        read("torrents/uploadLimit", torrents::uploadLimits);
        write("torrents/add", add::add);
        write("torrents/start", torrents::start);
        write("torrents/resume", torrents::start);
        write("torrents/stop", torrents::stop);
        write("torrents/pause", torrents::stop);
        write("torrents/delete", torrents::delete);
        write("torrents/setDownloadLimit", torrents::setDownloadLimit);
        write("torrents/setUploadLimit", torrents::setUploadLimit);
        write("torrents/filePrio", torrents::filePrio);
        // Flood calls it after every add and fails the add on a 404; super-seeding is not supported: a no-op
        write("torrents/setSuperSeeding", r -> r.text(""));

        // the login is open to anyone: a small body, no uploads (memory stays bounded before sign-in)
        router.route(QbittorrentAuth.LOGIN)
                .handler(BodyHandler.create(false).setBodyLimit(16 * 1024).setMergeFormAttributes(true))
                .handler(this::dispatch);
        // multipart uploads go to a temporary folder and are deleted when the answer is sent
        Path uploads = Path.of(System.getProperty("java.io.tmpdir"), "bittorrent-me-uploads");
        router.route(QbittorrentAuth.PREFIX + "*")
                .handler(BodyHandler.create(uploads.toString()).setBodyLimit(maxTorrentSize * 4 + 1_048_576)
                        .setDeleteUploadedFilesOnEnd(true).setMergeFormAttributes(true))
                .handler(this::dispatch);
    }

    private void read(String name, Endpoint endpoint) {
        routes.put(name, new Route(false, endpoint));
    }

    private void write(String name, Endpoint endpoint) {
        routes.put(name, new Route(true, endpoint));
    }

    void dispatch(RoutingContext ctx) {
        QbRequest request = new QbRequest(ctx);
        String path = ctx.normalizedPath();
        Route route = routes.get(path.substring(QbittorrentAuth.PREFIX.length()));
        if (route == null) {
            request.text(404, "Not Found");
            return;
        }
        HttpMethod method = ctx.request().method();
        if (!method.equals(HttpMethod.POST) && !(method.equals(HttpMethod.GET) && !route.changesState())) {
            request.text(405, "Method Not Allowed");
            return;
        }
        String crossSite = CsrfFilter.crossSiteReason(ctx.request().getHeader("Host"),
                ctx.request().getHeader("Origin"), ctx.request().getHeader("Referer"),
                ctx.request().getHeader("Sec-Fetch-Site"));
        if (crossSite != null) {
            LOG.warnf("Refused %s %s from another site (%s)", method, path, crossSite);
            request.text(403, "Forbidden: cross-site request (" + crossSite + ")");
            return;
        }
        // right after a start, the answer waits for the stored torrents (an empty list would read as all gone)
        engine.whenResumed(() -> {
            try {
                route.endpoint().handle(request);
            } catch (RuntimeException e) {
                request.fail(e);
            }
        }, why -> request.text(503, why));
    }
}
