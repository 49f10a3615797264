package me.bittorrent.api.qbittorrent;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.state.FilePriority;
import me.bittorrent.engine.ConflictException;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.engine.SettingsUpdate;
import me.bittorrent.engine.TorrentNotFoundException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** torrents/*: lists, details and controls. Several hashes ('|') or "all"; unknown hashes are skipped, as qBittorrent. */
@ApplicationScoped
class QbTorrentEndpoints {

    @Inject
    DownloadEngine engine;

    void info(QbRequest r) {
        List<Map<String, Object>> items = QbTorrentList.select(engine, r);
        r.json(items);
    }

    void properties(QbRequest r) {
        r.json(QbDetails.properties(one(r)));
    }

    void files(QbRequest r) {
        QbTorrent t = one(r);
        engine.files(t.hash()).subscribe().with(files -> r.json(QbDetails.files(t, files)), r::fail);
    }

    void trackers(QbRequest r) {
        r.json(QbDetails.trackers(one(r)));
    }

    private QbTorrent one(QbRequest r) {
        String hash = r.hash();
        RegisteredTorrent torrent = engine.find(hash).orElseThrow(() -> new TorrentNotFoundException(hash));
        return QbTorrent.of(engine, torrent);
    }

    /** start and resume: a stopped or paused torrent runs again (queued when the download slots are full). */
    void start(QbRequest r) {
        each(r, engine::start);
    }

    /** stop and pause: announces stopped, closes the peers, keeps what was verified. */
    void stop(QbRequest r) {
        each(r, engine::stop);
    }

    void delete(QbRequest r) {
        boolean deleteFiles = r.bool("deleteFiles", false);
        each(r, id -> engine.remove(id, deleteFiles).replaceWithVoid());
    }

    void setDownloadLimit(QbRequest r) {
        long kb = kilobytes(r.number("limit", 0));
        each(r, id -> engine.updateSettings(id, new SettingsUpdate(kb, null, null, null, null, null, null))
                .replaceWithVoid());
    }

    void setUploadLimit(QbRequest r) {
        long kb = kilobytes(r.number("limit", 0));
        each(r, id -> engine.updateSettings(id, new SettingsUpdate(null, kb, null, null, null, null, null))
                .replaceWithVoid());
    }

    void downloadLimits(QbRequest r) {
        r.json(limits(r, t -> QbTorrent.bytesPerSecond(t.stored().settings().speedLimit())));
    }

    void uploadLimits(QbRequest r) {
        r.json(limits(r, t -> QbTorrent.bytesPerSecond(t.stored().settings().uploadLimit())));
    }

    private Map<String, Long> limits(QbRequest r, Function<RegisteredTorrent, Long> limit) {
        Map<String, Long> m = new LinkedHashMap<>();
        targets(r.hashes("hashes")).forEach(id -> engine.find(id).ifPresent(t -> m.put(id, limit.apply(t))));
        return m;
    }

    /** hash, id ('|'-separated file indexes as torrents/files lists them), priority: 0 skip, 1 normal, 6 high, 7 maximum (high). */
    void filePrio(QbRequest r) {
        String hash = r.hash();
        long priority = r.number("priority", -1);
        if (priority != 0 && priority != 1 && priority != 6 && priority != 7) {
            throw new InvalidRequestException("priority must be 0, 1, 6 or 7");
        }
        RegisteredTorrent torrent = engine.find(hash).orElseThrow(() -> new TorrentNotFoundException(hash));
        List<String> paths = torrent.meta() == null ? List.of()
                : torrent.meta().visibleFiles().stream().map(f -> f.displayPath()).toList();
        FilePriority level = QbDetails.level((int) priority);
        Map<String, FilePriority> levels = new LinkedHashMap<>();
        for (String index : r.required("id").split("\\|")) {
            int i;
            try {
                i = Integer.parseInt(index.trim());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("id must be file indexes separated by |");
            }
            if (i < 0 || i >= paths.size()) {
                throw new ConflictException("File index " + i + " is out of range");
            }
            levels.put(paths.get(i), level);
        }
        engine.prioritizeFiles(hash, levels).subscribe().with(ok -> r.text(""), r::fail);
    }

    /** torrents/rename: the name shown (its files keep theirs); an empty name is qBittorrent's 409. */
    void rename(QbRequest r) {
        String hash = r.hash();
        String name = r.param("name");
        if (name == null || name.isBlank()) {
            throw new ConflictException("Incorrect torrent name");
        }
        engine.rename(hash, name).subscribe().with(ok -> r.text(""), r::fail);
    }

    void recheck(QbRequest r) {
        each(r, engine::recheck);
    }

    /** Torrents that do not run are skipped (qBittorrent announces only running ones). */
    void reannounce(QbRequest r) {
        each(r, engine::reannounce);
    }

    /** category "" removes it; an unknown category is qBittorrent's 409 "Incorrect category name". */
    void setCategory(QbRequest r) {
        String category = r.param("category") == null ? "" : r.param("category");
        if (!category.isEmpty() && !engine.categories().containsKey(category)) {
            throw new ConflictException("Incorrect category name");
        }
        each(r, id -> engine.updateSettings(id, new SettingsUpdate(null, null, null, null, null, null, null,
                category, null, null, null)).replaceWithVoid());
    }

    void addTags(QbRequest r) {
        List<String> tags = tags(r);
        each(r, id -> engine.changeTags(id, tags, null, false).replaceWithVoid());
    }

    void removeTags(QbRequest r) {
        List<String> tags = r.param("tags") == null || r.param("tags").isBlank() ? null : tags(r);
        each(r, id -> engine.find(id).map(t -> engine.changeTags(id, null,
                tags == null ? t.stored().library().tags() : tags, false).replaceWithVoid())
                .orElse(Uni.createFrom().voidItem()));
    }

    void createTags(QbRequest r) {
        engine.rememberTags(tags(r)).subscribe().with(ok -> r.text(""), r::fail);
    }

    void deleteTags(QbRequest r) {
        engine.deleteTags(tags(r)).subscribe().with(ok -> r.text(""), r::fail);
    }

    void tagList(QbRequest r) {
        r.json(engine.tags());
    }

    private static List<String> tags(QbRequest r) {
        return java.util.Arrays.stream(r.required("tags").split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .toList();
    }

    /** ratioLimit, seedingTimeLimit (minutes): -2 or missing = the global limit, -1 = none. */
    void setShareLimits(QbRequest r) {
        double ratio;
        try {
            ratio = r.param("ratioLimit") == null || r.param("ratioLimit").isBlank() ? -2
                    : Double.parseDouble(r.param("ratioLimit"));
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("ratioLimit must be a number");
        }
        long minutes = r.number("seedingTimeLimit", -2);
        SettingsUpdate update = new SettingsUpdate(null, null, null, null, null, null, null, null, ratio, minutes,
                null);
        each(r, id -> engine.updateSettings(id, update).replaceWithVoid());
    }

    void setForceStart(QbRequest r) {
        boolean force = r.bool("value", false);
        each(r, id -> engine.setForceStart(id, force));
    }

    void topPrio(QbRequest r) {
        queue(r, me.bittorrent.engine.QueueMove.TOP);
    }

    void bottomPrio(QbRequest r) {
        queue(r, me.bittorrent.engine.QueueMove.BOTTOM);
    }

    void increasePrio(QbRequest r) {
        queue(r, me.bittorrent.engine.QueueMove.UP);
    }

    void decreasePrio(QbRequest r) {
        queue(r, me.bittorrent.engine.QueueMove.DOWN);
    }

    private void queue(QbRequest r, me.bittorrent.engine.QueueMove move) {
        each(r, id -> engine.moveInQueue(id, move).replaceWithVoid());
    }

    /** location: an absolute folder (400 when missing); 409 when it cannot be used or a move fails. */
    void setLocation(QbRequest r) {
        String location = r.required("location");
        List<String> ids = targets(r.hashes("hashes"));
        Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> engine.setLocation(id, location).replaceWithVoid()
                        .onFailure(TorrentNotFoundException.class).recoverWithNull()
                        .onFailure(InvalidRequestException.class)
                        .transform(e -> new ConflictException(e.getMessage())))
                .collect().asList()
                .subscribe().with(ok -> r.text(""), r::fail);
    }

    /** Applies {@code action} to each named torrent in turn; failures of one (unknown, not running) are skipped. */
    private void each(QbRequest r, Function<String, Uni<Void>> action) {
        List<String> ids = targets(r.hashes("hashes"));
        Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> action.apply(id)
                        .onFailure(e -> e instanceof TorrentNotFoundException || e instanceof ConflictException)
                        .recoverWithNull())
                .collect().asList()
                .subscribe().with(ok -> r.text(""), r::fail);
    }

    private List<String> targets(List<String> hashes) {
        return hashes == null ? engine.torrents().stream().map(RegisteredTorrent::id).toList() : hashes;
    }

    /** qBittorrent limits are bytes/s (0 or -1: unlimited); ours KB/s, rounded up so a small limit stays one. */
    static long kilobytes(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? 0 : (bytesPerSecond + 1023) / 1024;
    }
}
