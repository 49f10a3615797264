package me.bittorrent.api.transmission;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.state.FilePriority;
import me.bittorrent.engine.ConflictException;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.DuplicateTorrentException;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.engine.SettingsUpdate;
import me.bittorrent.engine.TorrentNotFoundException;
import me.bittorrent.engine.WebTorrentFetcher;
import me.bittorrent.metainfo.TorrentFile;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The torrent-* and queue-move-* methods. {@code ids} as Transmission takes it: absent (every torrent), one id,
 * "recently-active" (every torrent here), or a list of ids and info-hashes; names of torrents that are not here are
 * skipped, as Transmission skips them.
 */
@ApplicationScoped
class RpcTorrents {

    private static final Logger LOG = Logger.getLogger(RpcTorrents.class);
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{40}");

    @Inject
    DownloadEngine engine;
    @Inject
    TorrentIds ids;
    @Inject
    EngineExtras extras;
    @Inject
    WebTorrentFetcher fetcher;

    /** Every torrent, oldest first (the order of their ids), each with an id. */
    private List<RegisteredTorrent> all() {
        List<RegisteredTorrent> torrents = new ArrayList<>(engine.torrents());
        torrents.sort(Comparator.comparing((RegisteredTorrent t) -> t.stored().addedAt()).thenComparing(t -> t.id()));
        List<String> hashes = torrents.stream().map(RegisteredTorrent::id).toList();
        ids.retain(hashes);
        ids.assign(hashes); // ids in the order torrents were added, written once
        return torrents;
    }

    /** The info-hashes the request's {@code ids} name, existing torrents only. */
    List<String> targets(RpcCall r) {
        Object value = r.arguments.getValue("ids");
        List<RegisteredTorrent> all = all();
        if (value == null || "recently-active".equals(value)) {
            return all.stream().map(RegisteredTorrent::id).toList();
        }
        List<Object> named = value instanceof JsonArray a ? a.getList() : List.of(value);
        Set<String> hashes = new LinkedHashSet<>();
        for (Object one : named) {
            if (one instanceof Number n) {
                ids.hashOf(n.intValue()).ifPresent(hashes::add);
            } else if (one instanceof String s && HASH.matcher(s).matches()) {
                hashes.add(s.toLowerCase(Locale.ROOT));
            } else if (one instanceof String s && s.matches("\\d{1,9}")) {
                ids.hashOf(Integer.parseInt(s)).ifPresent(hashes::add);
            } else {
                throw new RpcCall.RpcException("invalid id: " + one);
            }
        }
        return hashes.stream().filter(h -> engine.find(h).isPresent()).toList();
    }

    void get(RpcCall r) {
        JsonArray fields = r.array("fields");
        if (fields == null || fields.isEmpty()) {
            r.result("no fields specified");
            return;
        }
        List<String> names = new ArrayList<>();
        for (Object f : fields) {
            if (f instanceof String name && RpcTorrent.FIELDS.containsKey(name) && !names.contains(name)) {
                names.add(name);
            }
        }
        List<String> hashes = targets(r);
        List<RpcTorrent> torrents = new ArrayList<>();
        List<RegisteredTorrent> order = all();
        for (int i = 0; i < order.size(); i++) {
            RegisteredTorrent t = order.get(i);
            if (hashes.contains(t.id())) {
                int position = extras.queuePosition(t.id());
                torrents.add(RpcTorrent.of(engine, t, ids.idOf(t.id()), position >= 0 ? position : i));
            }
        }
        JsonArray list = new JsonArray();
        if ("table".equals(r.arguments.getString("format"))) {
            list.add(new JsonArray(new ArrayList<>(names)));
            for (RpcTorrent t : torrents) {
                JsonArray row = new JsonArray();
                names.forEach(name -> row.add(RpcTorrent.FIELDS.get(name).apply(t)));
                list.add(row);
            }
        } else {
            for (RpcTorrent t : torrents) {
                JsonObject item = new JsonObject();
                names.forEach(name -> item.put(name, RpcTorrent.FIELDS.get(name).apply(t)));
                list.add(item);
            }
        }
        JsonObject answer = new JsonObject().put("torrents", list);
        if ("recently-active".equals(r.arguments.getValue("ids"))) {
            answer.put("removed", new JsonArray(new ArrayList<>(ids.recentlyRemoved())));
        }
        r.success(answer);
    }

    /**
     * metainfo (base64 of the .torrent) or filename: a magnet link, or an http(s) link to a .torrent file fetched by
     * {@link WebTorrentFetcher} (Transmission's {@code cookies} sent as the Cookie header); a path on the server is
     * never read. download-dir other than the service's folder is applied when it exists, else logged; paused;
     * downloadLimit/uploadLimit in KB/s; peer-limit.
     */
    void add(RpcCall r) {
        String metainfo = r.string("metainfo");
        String filename = r.string("filename");
        boolean paused = r.bool("paused", false);
        Long down = r.number("downloadLimit");
        Long up = r.number("uploadLimit");
        Long peers = r.number("peer-limit");
        SettingsUpdate settings = new SettingsUpdate(down, up, peers == null ? null : peers.intValue(), null, null,
                null, null);
        String dir = r.string("download-dir");
        if ((metainfo == null || metainfo.isBlank()) && filename != null && !filename.isBlank()) {
            String lower = filename.trim().toLowerCase(Locale.ROOT);
            if (!lower.startsWith("magnet:") && !WebTorrentFetcher.isWebLink(lower)) {
                r.result("a file name on the server is not read: send the .torrent file's content (metainfo)");
                return;
            }
            fetcher.fetch(filename.trim(), r.string("cookies")).chain(fetched -> {
                        if (fetched instanceof WebTorrentFetcher.TorrentBytes t) {
                            return engine.add(t.bytes(), settings)
                                    .onFailure(me.bittorrent.engine.InvalidTorrentFileException.class)
                                    .transform(e -> WebTorrentFetcher.notATorrent(t, e));
                        }
                        return engine.addMagnet(((WebTorrentFetcher.Magnet) fetched).link(), settings);
                    })
                    .call(t -> placeIn(t, dir))
                    .call(t -> paused ? Uni.createFrom().voidItem() : engine.start(t.id()))
                    .subscribe().with(t -> r.success(new JsonObject().put("torrent-added", brief(t))),
                            failure -> added(r, failure));
            return;
        }
        if (metainfo == null || metainfo.isBlank()) {
            r.result("no filename or metainfo specified");
            return;
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(metainfo);
        } catch (IllegalArgumentException e) {
            r.result("invalid or corrupt torrent file: metainfo is not base64");
            return;
        }
        engine.add(bytes, settings)
                .call(t -> placeIn(t, dir))
                .call(t -> paused ? Uni.createFrom().voidItem() : engine.start(t.id()))
                .subscribe().with(t -> r.success(new JsonObject().put("torrent-added", brief(t))),
                        failure -> added(r, failure));
    }

    /** A failed torrent-add in Transmission's words: a duplicate is a success that names the torrent. */
    private void added(RpcCall r, Throwable failure) {
        if (failure instanceof DuplicateTorrentException d) {
            engine.find(d.torrentId()).ifPresentOrElse(
                    t -> r.success(new JsonObject().put("torrent-duplicate", brief(t))),
                    () -> r.result("duplicate torrent"));
        } else if (failure instanceof WebTorrentFetcher.NotATorrentLink
                || failure instanceof WebTorrentFetcher.WebFetchException) { // the message names the link
            r.result(failure.getMessage());
        } else if (failure instanceof InvalidRequestException e) {
            r.result("invalid or corrupt torrent file: " + e.getMessage());
        } else {
            r.fail(failure);
        }
    }

    /** Puts a new torrent in {@code dir} when the engine can; else it stays in the service's folder (logged). */
    private Uni<Void> placeIn(RegisteredTorrent torrent, String dir) {
        if (dir == null || dir.isBlank() || Path.of(dir).toAbsolutePath().normalize().toString()
                .equals(torrent.stored().downloadDir())) {
            return Uni.createFrom().voidItem();
        }
        if (!java.nio.file.Files.isDirectory(Path.of(dir))) {
            // clients send a default such as @ctrl/transmission's "/downloads": a folder that does not exist is
            // not made for them at add time (torrent-set-location does make it, asked for on purpose)
            LOG.warnf("Transmission RPC: \"%s\" goes to %s: the download-dir %s it was sent with does not exist",
                    torrent.name(), torrent.stored().downloadDir(), dir);
            return Uni.createFrom().voidItem();
        }
        return extras.setLocation(torrent.id(), dir, true) // nothing downloaded yet: placing it
                .onFailure(e -> e instanceof EngineExtras.NotSupportedYet || e instanceof InvalidRequestException)
                .recoverWithUni(e -> {
                    LOG.warnf("Transmission RPC: \"%s\" goes to %s, not to the download-dir %s it was sent with (%s)",
                            torrent.name(), torrent.stored().downloadDir(), dir, e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    private JsonObject brief(RegisteredTorrent t) {
        return new JsonObject().put("id", ids.idOf(t.id())).put("name", t.name()).put("hashString", t.id());
    }

    void start(RpcCall r) {
        each(r, engine::start);
    }

    void stop(RpcCall r) {
        each(r, engine::stop);
    }

    void remove(RpcCall r) {
        boolean deleteData = r.bool("delete-local-data", false);
        each(r, id -> engine.remove(id, deleteData).replaceWithVoid());
    }

    void verify(RpcCall r) {
        each(r, extras::recheck);
    }

    void reannounce(RpcCall r) {
        each(r, extras::reannounce);
    }

    void setLocation(RpcCall r) {
        String location = r.string("location");
        if (location == null || location.isBlank()) {
            r.result("no location");
            return;
        }
        boolean move = r.bool("move", false);
        each(r, id -> extras.setLocation(id, location, move));
    }

    void queueMove(RpcCall r, EngineExtras.QueueMove move) {
        List<String> hashes = targets(r);
        // one at a time, in the order that keeps their relative order (to the top: the last first)
        List<String> order = new ArrayList<>(hashes);
        if (move == EngineExtras.QueueMove.TOP || move == EngineExtras.QueueMove.DOWN) {
            java.util.Collections.reverse(order);
        }
        run(r, order, id -> extras.queueMove(id, move));
    }

    /**
     * downloadLimit/uploadLimit (KB/s) with downloadLimited/uploadLimited, peer-limit, files-wanted and
     * files-unwanted, priority-high/-normal/-low (file indexes; an empty list means every file), location (moves
     * the files). Other keys (labels, seed ratio ...) are accepted and not applied.
     */
    void set(RpcCall r) {
        Long down = limit(r, "downloadLimit", "downloadLimited");
        Long up = limit(r, "uploadLimit", "uploadLimited");
        Long peers = r.number("peer-limit");
        SettingsUpdate settings = down == null && up == null && peers == null ? null
                : new SettingsUpdate(down, up, peers == null ? null : peers.intValue(), null, null, null, null);
        JsonArray wanted = r.array("files-wanted");
        JsonArray unwanted = r.array("files-unwanted");
        JsonArray high = r.array("priority-high");
        JsonArray normal = r.array("priority-normal");
        JsonArray low = r.array("priority-low");
        String location = r.string("location");
        List<String> hashes = targets(r);
        run(r, hashes, id -> {
            Uni<Void> change = Uni.createFrom().voidItem();
            if (settings != null) {
                change = change.chain(() -> engine.updateSettings(id, settings).replaceWithVoid());
            }
            if (wanted != null || unwanted != null || high != null || normal != null || low != null) {
                change = change.chain(() -> select(id, wanted, unwanted, high, normal, low));
            }
            if (location != null && !location.isBlank()) {
                change = change.chain(() -> extras.setLocation(id, location, true));
            }
            return change;
        });
    }

    /**
     * A limit as it stands after the request: the value when the switch is on or absent, 0 (none) when the switch
     * is off; null when neither was sent. Transmission keeps the value while the switch is off; we have one number.
     */
    private static Long limit(RpcCall r, String value, String enabled) {
        Long limit = r.number(value);
        if (r.arguments.containsKey(enabled) && !r.bool(enabled, false)) {
            return 0L;
        }
        if (limit == null && r.arguments.containsKey(enabled)) {
            return null; // switched on without a value: keep the current limit
        }
        return limit;
    }

    private Uni<Void> select(String id, JsonArray wanted, JsonArray unwanted, JsonArray high, JsonArray normal,
            JsonArray low) {
        RegisteredTorrent torrent = engine.find(id).orElseThrow(() -> new TorrentNotFoundException(id));
        List<TorrentFile> files = torrent.meta() == null ? List.of() : torrent.meta().visibleFiles();
        Map<String, Boolean> selection = new LinkedHashMap<>();
        put(selection, files, wanted, true);
        put(selection, files, unwanted, false);
        Map<String, FilePriority> levels = new LinkedHashMap<>();
        put(levels, files, low, FilePriority.LOW);
        put(levels, files, normal, FilePriority.NORMAL);
        put(levels, files, high, FilePriority.HIGH);
        return selection.isEmpty() && levels.isEmpty() ? Uni.createFrom().voidItem()
                : engine.changeFiles(id, selection, levels).replaceWithVoid();
    }

    /** Puts {@code value} for each file index in {@code indexes}; an empty list means every file (as Transmission). */
    private static <T> void put(Map<String, T> selection, List<TorrentFile> files, JsonArray indexes, T value) {
        if (indexes == null) {
            return;
        }
        if (indexes.isEmpty()) {
            files.forEach(f -> selection.put(f.displayPath(), value));
            return;
        }
        for (Object index : indexes) {
            if (!(index instanceof Number n) || n.intValue() < 0 || n.intValue() >= files.size()) {
                throw new RpcCall.RpcException("file index out of range: " + index);
            }
            selection.put(files.get(n.intValue()).displayPath(), value);
        }
    }

    private void each(RpcCall r, Function<String, Uni<Void>> action) {
        run(r, targets(r), action);
    }

    /**
     * Applies {@code action} to each torrent in turn. A torrent that went away or is already in the asked state is
     * skipped (Transmission does not fail those); anything else ends the call with its result.
     */
    private void run(RpcCall r, List<String> hashes, Function<String, Uni<Void>> action) {
        Multi.createFrom().iterable(hashes)
                .onItem().transformToUniAndConcatenate(id -> action.apply(id)
                        .onFailure(e -> e instanceof TorrentNotFoundException || e instanceof ConflictException)
                        .recoverWithNull())
                .collect().asList()
                .subscribe().with(ok -> r.success(), r::fail);
    }
}
