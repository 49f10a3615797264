package me.bittorrent.ui;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import me.bittorrent.Version;
import me.bittorrent.engine.DownloadEngine;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The web dashboard. The server renders the page's frame; the list lives on GET /events (ui/app.js).
 * Bulma comes from the org.webjars.npm:bulma jar, served by the app under /webjars/: no CDN, no internet.
 */
@Path("/")
@Tag(name = "Dashboard")
public class DashboardResource {

    /** Where the app serves Bulma from (META-INF/resources of the webjar). Keep in step with the pom. */
    static final String BULMA_CSS = "/webjars/bulma/1.0.4/css/bulma.min.css";

    @Inject
    Template dashboard;
    @Inject
    DownloadEngine engine;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The web dashboard (HTML)")
    public TemplateInstance page() {
        return dashboard.data("bulmaCss", BULMA_CSS)
                .data("version", Version.VERSION)
                .data("downloadDir", engine.downloadDir().toString());
    }
}
