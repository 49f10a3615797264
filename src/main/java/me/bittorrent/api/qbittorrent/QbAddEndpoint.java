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
import me.bittorrent.engine.WebTorrentFetcher;
import me.bittorrent.state.ContentLayout;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * torrents/add: the .torrent files of the multipart parts {@code torrents} (qBittorrent's name) and {@code file}
 * (what @ctrl/qbittorrent sends), and {@code urls} (one per line: magnet links and http(s) links to .torrent files,
 * fetched by {@link WebTorrentFetcher} with qBittorrent's {@code cookie} parameter sent as the Cookie header).
 * Options: stopped/paused (else the torrent starts at once), upLimit and dlLimit (bytes/s), savepath (else the
 * category's save path, else the download folder; with autoTMM/useAutoTMM true the category's save path wins),
 * category (created when missing, as qBittorrent does), tags (comma-separated), ratioLimit and seedingTimeLimit
 * (minutes; -2 or missing: the global limit), rename (the name shown), contentLayout (Original, Subfolder,
 * NoSubfolder; the legacy root_folder is ignored, as qBittorrent 4.3.2 and later ignore it). skip_checking, sequentialDownload and firstLastPiecePrio are
 * accepted and not applied; unknown keys are ignored. Answers "Ok." when at least one torrent was added (visible to
 * torrents/properties at once), "Fails." when none was (already added, or a link that could not be fetched: the
 * log says why), 415 for an uploaded file that is not a torrent.
 */
@ApplicationScoped
class QbAddEndpoint {

    private static final Logger LOG = Logger.getLogger(QbAddEndpoint.class);
    private static final Set<String> PARTS = Set.of("torrents", "file");

    @Inject
    DownloadEngine engine;
    @Inject
    WebTorrentFetcher fetcher;
    @Inject
    io.vertx.core.Vertx vertx;

    /** Everything a torrent is added with. */
    private record Options(SettingsUpdate settings, String savePath, List<String> tags, boolean stopped,
            String rename, ContentLayout layout) {
    }

    void add(QbRequest r) {
        List<FileUpload> files = r.ctx.fileUploads().stream().filter(f -> PARTS.contains(f.name())).toList();
        List<String> urls = r.param("urls") == null ? List.of()
                : Arrays.stream(r.param("urls").split("[\\r\\n]+")).map(String::trim).filter(u -> !u.isEmpty())
                .toList();
        if (files.isEmpty() && urls.isEmpty()) {
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
        // Automatic torrent management: the category decides where the files go, whatever savepath says.
        boolean autoTmm = r.bool("autoTMM", r.bool("useAutoTMM", false));
        String savePath = autoTmm ? null : r.param("savepath");
        List<String> tags = r.param("tags") == null ? List.of() : Arrays.stream(r.param("tags").split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).toList();
        Options options = new Options(settings, savePath, tags, stopped, r.param("rename"), layout(r));
        String cookie = r.param("cookie");
        Uni<?> categoryReady = category.isEmpty() || engine.categories().containsKey(category)
                ? Uni.createFrom().voidItem() : engine.saveCategory(category, "", null);
        Multi<Boolean> fromFiles = Multi.createFrom().iterable(files)
                .onItem().transformToUniAndConcatenate(file -> addOne(file, options));
        Multi<Boolean> fromLinks = Multi.createFrom().iterable(urls)
                .onItem().transformToUniAndConcatenate(link -> addLink(link, cookie, options));
        categoryReady.onItem().transformToMulti(ignored -> Multi.createBy().concatenating().streams(fromFiles,
                        fromLinks))
                .collect().asList()
                .subscribe().with(added -> r.text(added.contains(Boolean.TRUE) ? "Ok." : "Fails."), r::fail);
    }

    /**
     * contentLayout (Flood sends "undefined": the original layout). The legacy root_folder is ignored, as
     * qBittorrent 4.3.2 and later (5.1 here) ignore it: Flood sends root_folder=true with every add, and honouring it
     * put a single file in a folder of its own, so Flood's add of a file already on disk never found it.
     */
    private static ContentLayout layout(QbRequest r) {
        String value = r.param("contentLayout");
        if (value != null) {
            switch (value.toLowerCase(Locale.ROOT)) {
                case "subfolder", "create_subfolder" -> {
                    return ContentLayout.SUBFOLDER;
                }
                case "nosubfolder", "no_subfolder" -> {
                    return ContentLayout.NO_SUBFOLDER;
                }
                case "original" -> {
                    return ContentLayout.ORIGINAL;
                }
                default -> {
                    // unknown: as absent
                }
            }
        }
        return ContentLayout.ORIGINAL;
    }

    /** True when added; a duplicate is false; a file that is not a valid torrent fails the request with 415. */
    private Uni<Boolean> addOne(FileUpload file, Options o) {
        String name = file.fileName() == null || file.fileName().isBlank() ? file.name() : file.fileName();
        return Uni.createFrom().completionStage(() -> vertx.fileSystem()
                        .readFile(file.uploadedFileName()).toCompletionStage())
                .map(buffer -> buffer.getBytes())
                .chain(bytes -> bytes.length == 0 || bytes[0] != 'd'
                        ? Uni.createFrom().failure(new me.bittorrent.engine.InvalidTorrentFileException("not bencoded"))
                        : addTorrent(bytes, o))
                .onFailure(DuplicateTorrentException.class).recoverWithItem(Boolean.FALSE)
                .onFailure(me.bittorrent.engine.InvalidTorrentFileException.class)
                .transform(e -> new NotATorrent(name, e.getMessage()));
    }

    private Uni<Boolean> addTorrent(byte[] bytes, Options o) {
        return engine.add(bytes, o.settings(), o.savePath(), o.tags(), o.rename(), o.layout())
                .chain(torrent -> o.stopped() ? Uni.createFrom().item(Boolean.TRUE)
                        : engine.start(torrent.id()).replaceWith(Boolean.TRUE));
    }

    /**
     * A magnet link, or a web link fetched (it may redirect to a magnet link). True when added; a duplicate is
     * false; an invalid magnet link is a 400; a web link that cannot be fetched or gives no valid torrent is false,
     * with the reason in the log (qBittorrent fetches links after answering, so its clients expect no reason).
     */
    private Uni<Boolean> addLink(String link, String cookie, Options o) {
        boolean web = WebTorrentFetcher.isWebLink(link);
        Uni<Boolean> added = fetcher.fetch(link, cookie).chain(fetched -> {
            if (fetched instanceof WebTorrentFetcher.TorrentBytes t) {
                return addTorrent(t.bytes(), o).onFailure(me.bittorrent.engine.InvalidTorrentFileException.class)
                        .transform(e -> WebTorrentFetcher.notATorrent(t, e));
            }
            return addMagnet(((WebTorrentFetcher.Magnet) fetched).link(), o);
        }).onFailure(DuplicateTorrentException.class).recoverWithItem(Boolean.FALSE);
        return !web ? added : added.onFailure(InvalidRequestException.class).recoverWithItem(e -> {
            LOG.warnf("qBittorrent API: a torrent sent by link was not added: %s", e.getMessage());
            return Boolean.FALSE;
        });
    }

    /** A magnet link: its name, tags and the save path applied (the folder set before it has files), started unless stopped. */
    private Uni<Boolean> addMagnet(String link, Options o) {
        return engine.addMagnet(link, o.settings())
                .call(torrent -> o.rename() == null || o.rename().isBlank() ? Uni.createFrom().voidItem()
                        : engine.rename(torrent.id(), o.rename()))
                .call(torrent -> o.tags().isEmpty() ? Uni.createFrom().voidItem()
                        : engine.changeTags(torrent.id(), o.tags(), List.of(), false))
                .call(torrent -> o.savePath() == null || o.savePath().isBlank() ? Uni.createFrom().voidItem()
                        : engine.setLocation(torrent.id(), o.savePath()))
                .chain(torrent -> o.stopped() ? Uni.createFrom().item(Boolean.TRUE)
                        : engine.start(torrent.id()).replaceWith(Boolean.TRUE));
    }

    /** qBittorrent's 415 for an upload that is not a torrent. */
    static final class NotATorrent extends RuntimeException {
        NotATorrent(String file, String reason) {
            super("Error: '" + file + "' is not a valid torrent file. (" + reason + ")");
        }
    }
}
