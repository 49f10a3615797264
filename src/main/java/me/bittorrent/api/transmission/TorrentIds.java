package me.bittorrent.api.transmission;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.state.AtomicFiles;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Transmission's small integer torrent ids (what {@code transmission-remote -t N} takes), one per info-hash,
 * never reused, and the same after a restart: kept in {@code transmission-ids.json} in the state folder. An id is
 * given the first time a torrent is listed. Not on a hot path: one lock guards the map, the file is written on a
 * worker, in order.
 */
@ApplicationScoped
public class TorrentIds {

    private static final Logger LOG = Logger.getLogger(TorrentIds.class);
    static final String FILE = "transmission-ids.json";

    @Inject
    DownloadEngine engine;
    @Inject
    Vertx vertx;

    private final Map<String, Integer> byHash = new HashMap<>();
    private final Map<Integer, String> byId = new HashMap<>();
    private int next = 1;
    /** [id, nanoTime] of torrents seen gone, oldest first; bounded. */
    private final Deque<long[]> removed = new ArrayDeque<>();
    private static final int MAX_REMOVED = 10_000;
    private static final Duration RECENT = Duration.ofSeconds(60);
    private boolean loaded;
    private long changes;
    private final Object writeLock = new Object();
    /** The newest version on disk; guarded by writeLock. */
    private long written;

    /** The id of this torrent, given now if it had none. */
    public synchronized int idOf(String hash) {
        load();
        Integer id = byHash.get(hash);
        if (id != null) {
            return id;
        }
        int given = next++;
        byHash.put(hash, given);
        byId.put(given, hash);
        save();
        return given;
    }

    /** Gives ids to those of {@code hashes} that have none, in that order, with one write. */
    public synchronized void assign(List<String> hashes) {
        load();
        boolean changed = false;
        for (String hash : hashes) {
            if (!byHash.containsKey(hash)) {
                int given = next++;
                byHash.put(hash, given);
                byId.put(given, hash);
                changed = true;
            }
        }
        if (changed) {
            save();
        }
    }

    /** The info-hash of an id, if it names a torrent. */
    public synchronized Optional<String> hashOf(int id) {
        load();
        return Optional.ofNullable(byId.get(id));
    }

    /** Forgets the ids of torrents that are gone (their ids are not given again). */
    public synchronized void retain(Collection<String> hashes) {
        load();
        if (!engine.isLoaded()) {
            return;
        }
        Set<String> present = new HashSet<>(hashes);
        List<Integer> gone = byId.entrySet().stream().filter(e -> !present.contains(e.getValue()))
                .map(Map.Entry::getKey).toList();
        if (gone.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Integer id : gone) {
            byHash.remove(byId.remove(id));
            removed.addLast(new long[] {id, now});
        }
        while (removed.size() > MAX_REMOVED) {
            removed.removeFirst();
        }
        save();
    }

    /** Ids of torrents seen gone in the last minute: torrent-get's "removed" for ids "recently-active". */
    public synchronized List<Integer> recentlyRemoved() {
        long since = System.nanoTime() - RECENT.toNanos();
        while (!removed.isEmpty() && removed.peekFirst()[1] < since) {
            removed.removeFirst();
        }
        return removed.stream().map(r -> (int) r[0]).toList();
    }

    private void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        Path file = file();
        try {
            JsonObject json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
            next = Math.max(1, json.getInteger("next", 1));
            JsonObject ids = json.getJsonObject("ids", new JsonObject());
            for (String hash : ids.fieldNames()) {
                int id = ids.getInteger(hash);
                byHash.put(hash, id);
                byId.put(id, hash);
                next = Math.max(next, id + 1);
            }
        } catch (NoSuchFileException e) {
            // no torrent was listed over the Transmission RPC yet
        } catch (IOException | RuntimeException e) {
            LOG.warnf("The Transmission torrent ids in %s could not be read (%s): torrents get new ids", file,
                    e.getMessage());
        }
    }

    /** Writes the newest map on a worker; a write that finds a newer one already written does nothing. */
    private void save() {
        long version = ++changes;
        JsonObject ids = new JsonObject();
        byHash.forEach(ids::put);
        byte[] content = new JsonObject().put("next", next).put("ids", ids).encodePrettily()
                .getBytes(StandardCharsets.UTF_8);
        Path file = file();
        vertx.executeBlocking(() -> {
            synchronized (writeLock) {
                if (version > written) {
                    AtomicFiles.write(file, content);
                    written = version;
                }
            }
            return null;
        }, false).onFailure(e -> LOG.warnf("The Transmission torrent ids could not be saved to %s: %s", file,
                e.getMessage()));
    }

    private Path file() {
        return engine.stateDir().resolve(FILE);
    }
}
