package me.bittorrent.api.qbittorrent;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import me.bittorrent.engine.ConflictException;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.state.AtomicFiles;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * qBittorrent categories as names with a save path, kept in {@code $BT_STATE_DIR/qbittorrent-categories.json} so
 * that Sonarr's and Radarr's connection test (list the categories, create theirs when missing, list again) passes.
 * A first step: torrents are not filed under categories yet and a category's save path is not applied.
 * Changes run on a worker, one at a time (synchronized), each saved atomically.
 */
@ApplicationScoped
class QbCategories {

    private static final Logger LOG = Logger.getLogger(QbCategories.class);
    static final int MAX_CATEGORIES = 1000;

    @Inject
    DownloadEngine engine;
    @Inject
    Vertx vertx;

    /** name -> save path ("" = the default); replaced whole on each change, read without a lock. */
    private volatile Map<String, String> categories = Map.of();

    void load(@Observes StartupEvent event) {
        Path file = file();
        try {
            if (Files.exists(file)) {
                Map<String, String> read = new TreeMap<>();
                new JsonObject(Files.readString(file)).forEach(e -> read.put(e.getKey(), String.valueOf(e.getValue())));
                categories = Map.copyOf(read);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("The qBittorrent categories in %s cannot be read (%s): starting with none", file, e.getMessage());
        }
    }

    private Path file() {
        return engine.stateDir().resolve("qbittorrent-categories.json");
    }

    void list(QbRequest r) {
        r.json(view());
    }

    /** {name: {name, savePath}}, as torrents/categories and sync/maindata show them. */
    Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        new TreeMap<>(categories).forEach((name, path) -> out.put(name, Map.of("name", name, "savePath", path)));
        return out;
    }

    void create(QbRequest r) {
        String name = name(r.param("category"));
        String path = r.param("savePath") == null ? "" : r.param("savePath");
        change(r, next -> {
            if (next.containsKey(name)) {
                throw new ConflictException("Category '" + name + "' already exists");
            }
            if (next.size() >= MAX_CATEGORIES) {
                throw new ConflictException("Too many categories (" + MAX_CATEGORIES + ")");
            }
            next.put(name, path);
        });
    }

    void edit(QbRequest r) {
        String name = name(r.param("category"));
        String path = r.param("savePath") == null ? "" : r.param("savePath");
        change(r, next -> {
            if (!next.containsKey(name)) {
                throw new ConflictException("Category '" + name + "' does not exist");
            }
            next.put(name, path);
        });
    }

    void remove(QbRequest r) {
        String[] names = r.required("categories").split("[\\r\\n]+");
        change(r, next -> Arrays.stream(names).map(String::trim).forEach(next::remove));
    }

    /** qBittorrent's rule: not empty, no leading or trailing '/', no '//', no '\'. */
    static String name(String value) {
        if (value == null || value.isEmpty() || value.length() > 255 || value.startsWith("/") || value.endsWith("/")
                || value.contains("//") || value.contains("\\") || value.chars().anyMatch(c -> c < 0x20)) {
            throw new InvalidRequestException("Invalid category name");
        }
        return value;
    }

    private interface Change {
        void apply(Map<String, String> next);
    }

    private void change(QbRequest r, Change change) {
        Callable<Void> task = () -> {
            synchronized (this) {
                Map<String, String> next = new TreeMap<>(categories);
                change.apply(next);
                try {
                    AtomicFiles.write(file(), new JsonObject(new LinkedHashMap<>(next)).encodePrettily()
                            .getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                categories = Map.copyOf(next);
                return null;
            }
        };
        vertx.executeBlocking(task, false).onComplete(done -> {
            if (done.succeeded()) {
                r.text("");
            } else {
                r.fail(done.cause());
            }
        });
    }
}
