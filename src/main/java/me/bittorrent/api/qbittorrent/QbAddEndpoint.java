package me.bittorrent.api.qbittorrent;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.FileUpload;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.DuplicateTorrentException;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.engine.SettingsUpdate;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * torrents/add: the .torrent files of the multipart parts {@code torrents} (qBittorrent's name) and {@code file}
 * (what @ctrl/qbittorrent sends). Options: stopped/paused (else the torrent starts at once), upLimit and dlLimit
 * (bytes/s), savepath (else the category's save path, else the download folder), category (created when missing,
 * as qBittorrent does), tags (comma-separated), ratioLimit and seedingTimeLimit (minutes; -2 or missing: the global
 * limit). The layout options are accepted and not applied; unknown keys are ignored. Answers "Ok." when at least one torrent was added (it is visible to torrents/properties at
 * once), "Fails." when none was (already added), 415 for a file that is not a torrent. {@code urls} takes magnet
 * links (one per line; tags and category apply, a savepath does not: move it once its files are known); web links
 * to .torrent files are not fetched: such a request alone is a 400 that says so.
 */
@ApplicationScoped
class QbAddEndpoint {

    private static final Logger LOG = Logger.getLogger(QbAddEndpoint.class);
    private static final Set<String> PARTS = Set.of("torrents", "file");

    @Inject
    DownloadEngine engine;
    @Inject
    io.vertx.core.Vertx vertx;

    void add(QbRequest r) {
        List<FileUpload> files = r.ctx.fileUploads().stream().filter(f -> PARTS.contains(f.name())).toList();
        List<String> urls = r.param("urls") == null ? List.of()
                : Arrays.stream(r.param("urls").split("[\\r\\n]+")).map(String::trim).filter(u -> !u.isEmpty())
                .toList();
        List<String> magnets = urls.stream().filter(u -> u.regionMatches(true, 0, "magnet:", 0, 7)).toList();
        if (magnets.size() < urls.size()) {
            LOG.warnf("qBittorrent API: %d torrent(s) sent by URL were not added: the service does not download "
                    + ".torrent files from web links, only magnet links and uploaded files", urls.size() - magnets.size());
            if (files.isEmpty() && magnets.isEmpty()) {
                r.text(400, "Adding torrents by web URL is not supported: upload the .torrent file (multipart part "
                        + "'torrents') or send a magnet link in 'urls'");
                return;
            }
        }
        if (files.isEmpty() && magnets.isEmpty()) {
            r.text("Fails.");
            return;
        }
        boolean stopped = r.bool("stopped", r.bool("paused", false));
        long dl = QbTorrentEndpoints.kilobytes(r.number("dlLimit", 0));
        long up = QbTorrentEndpoints.kilobytes(r.number("upLimit", 0));
        String category = r.param("category") == null ? "" : r.param("category").trim();
        Double ratio = null;
        if (r.param("ratioLimit") != null && !r.param("ratioLimit").isBlank()) {
            try {
                ratio = Double.parseDouble(r.param("ratioLimit"));
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("ratioLimit must be a number");
            }
        }
        long minutes = r.number("seedingTimeLimit", -2);
        SettingsUpdate settings = new SettingsUpdate(dl > 0 ? dl : null, up > 0 ? up : null, null, null, null, null,
                null, category.isEmpty() ? null : category, ratio, minutes == -2 ? null : minutes, null);
        String savePath = r.param("savepath");
        List<String> tags = r.param("tags") == null ? List.of() : Arrays.stream(r.param("tags").split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).toList();
        Uni<?> categoryReady = category.isEmpty() || engine.categories().containsKey(category)
                ? Uni.createFrom().voidItem() : engine.saveCategory(category, "", null);
        Multi<Boolean> fromFiles = Multi.createFrom().iterable(files)
                .onItem().transformToUniAndConcatenate(file -> addOne(file, settings, savePath, tags, stopped));
        Multi<Boolean> fromLinks = Multi.createFrom().iterable(magnets)
                .onItem().transformToUniAndConcatenate(link -> addMagnet(link, settings, tags, stopped));
        categoryReady.onItem().transformToMulti(ignored -> Multi.createBy().concatenating().streams(fromFiles,
                        fromLinks))
                .collect().asList()
                .subscribe().with(added -> r.text(added.contains(Boolean.TRUE) ? "Ok." : "Fails."), r::fail);
    }

    /** True when added; a duplicate is false; a file that is not a valid torrent fails the request with 415. */
    private Uni<Boolean> addOne(FileUpload file, SettingsUpdate settings, String savePath, List<String> tags,
            boolean stopped) {
        String name = file.fileName() == null || file.fileName().isBlank() ? file.name() : file.fileName();
        return Uni.createFrom().completionStage(() -> vertx.fileSystem()
                        .readFile(file.uploadedFileName()).toCompletionStage())
                .map(buffer -> buffer.getBytes())
                .chain(bytes -> bytes.length == 0 || bytes[0] != 'd'
                        ? Uni.createFrom().failure(new me.bittorrent.engine.InvalidTorrentFileException("not bencoded"))
                        : engine.add(bytes, settings, savePath, tags))
                .chain(torrent -> stopped ? Uni.createFrom().item(Boolean.TRUE)
                        : engine.start(torrent.id()).replaceWith(Boolean.TRUE))
                .onFailure(DuplicateTorrentException.class).recoverWithItem(Boolean.FALSE)
                .onFailure(me.bittorrent.engine.InvalidTorrentFileException.class)
                .transform(e -> new NotATorrent(name, e.getMessage()));
    }

    /** A magnet link: true when added; a duplicate is false, an invalid link a 400 (InvalidRequestException). */
    private Uni<Boolean> addMagnet(String link, SettingsUpdate settings, List<String> tags, boolean stopped) {
        return engine.addMagnet(link, settings)
                .call(torrent -> tags.isEmpty() ? Uni.createFrom().voidItem()
                        : engine.changeTags(torrent.id(), tags, List.of(), false))
                .chain(torrent -> stopped ? Uni.createFrom().item(Boolean.TRUE)
                        : engine.start(torrent.id()).replaceWith(Boolean.TRUE))
                .onFailure(DuplicateTorrentException.class).recoverWithItem(Boolean.FALSE);
    }

    /** qBittorrent's 415 for an upload that is not a torrent. */
    static final class NotATorrent extends RuntimeException {
        NotATorrent(String file, String reason) {
            super("Error: '" + file + "' is not a valid torrent file. (" + reason + ")");
        }
    }
}
