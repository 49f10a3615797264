package me.bittorrent.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * The non-blocking state repository. Layout under the state folder:
 * <pre>
 *   torrents/&lt;id&gt;.torrent   the .torrent bytes as received (for a magnet link: once its metadata arrived)
 *   torrents/&lt;id&gt;.json      a {@link StoredTorrent}
 *   torrents/&lt;id&gt;.progress.json   a newer {@link StoredTorrent} from a progress save, may be absent
 *   torrents/&lt;id&gt;.written   pieces written since the last clean stop (engine: PieceJournal), may be absent
 *   preferences.json             {@link Preferences}
 * </pre>
 * Every file is replaced atomically ({@link AtomicFiles}) on a Vert.x worker thread. Operations on one torrent
 * run strictly in the order the methods were CALLED (not subscribed): each call is queued at once behind the
 * previous one for the same id, and the returned Uni reports its outcome. So the last save called wins and an
 * older state can never overwrite a newer one. Different torrents are written in parallel.
 */
@ApplicationScoped
public class TorrentRepository {

    private static final Logger LOG = Logger.getLogger(TorrentRepository.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{40}");
    private static final String PREFERENCES_KEY = "preferences";

    private final Vertx vertx;
    private final Path stateDir;
    private final ObjectMapper json;
    /** Per id, the last queued operation; the next one starts when it ends. Entries vanish when idle. */
    private final ConcurrentMap<String, CompletableFuture<?>> queues = new ConcurrentHashMap<>();

    @Inject
    public TorrentRepository(Vertx vertx, @ConfigProperty(name = "bt.state-dir") Path stateDir) {
        this.vertx = vertx;
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.json = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path torrentsDir() {
        return stateDir.resolve("torrents");
    }

    /**
     * Blocking: null when the state folder and its torrents folder take new files, else why not (a read-only
     * mount, permissions, a full disk), in a user's words. Probes by creating and deleting a file in each.
     */
    public String writeProblem() {
        for (Path dir : new Path[] {stateDir, torrentsDir()}) {
            try {
                java.nio.file.Files.createDirectories(dir);
                Path probe = java.nio.file.Files.createTempFile(dir, ".write-check", ".tmp");
                java.nio.file.Files.delete(probe);
            } catch (java.io.IOException | SecurityException | UnsupportedOperationException e) {
                String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                        : e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                        : e.getClass().getSimpleName();
                return "The state folder " + dir + " cannot be written (" + reason + ")";
            }
        }
        return null;
    }

    /** Saves a new torrent: .torrent bytes first, then its state, so a state file never lacks its torrent. */
    public Uni<Void> saveNew(StoredTorrent torrent, byte[] torrentBytes) {
        String id = checkedId(torrent.id());
        return inOrder(id, () -> {
            AtomicFiles.write(torrentFile(id), torrentBytes);
            AtomicFiles.write(stateFile(id), json.writeValueAsBytes(torrent));
            return null;
        });
    }

    /** Writes the .torrent bytes of a torrent already saved (a magnet link's, once its metadata arrived). */
    public Uni<Void> saveTorrentFile(String id, byte[] torrentBytes) {
        String checked = checkedId(id);
        return inOrder(checked, () -> {
            AtomicFiles.write(torrentFile(checked), torrentBytes);
            return null;
        });
    }

    /**
     * Replaces a torrent's state, durably (forced to the disk). A progress save before it is deleted first, and
     * durably too, so the one a later {@link #saveProgress} writes is always the newer of the two.
     */
    public Uni<Void> save(StoredTorrent torrent) {
        return saveState(torrent, true);
    }

    /**
     * Saves a torrent's progress (its verified pieces while it downloads) without forcing it to the disk: read
     * instead of its state while present. It survives kill -9; a power loss may lose it or leave it broken, and
     * then the last {@link #save} is read (what was verified since is checked or downloaded again: nothing is
     * trusted that was not saved). Frequent saves cost no disk flush, which would hold the download's own writes
     * (see {@link AtomicFiles#writeLazily}).
     */
    public Uni<Void> saveProgress(StoredTorrent torrent) {
        return saveState(torrent, false);
    }

    private Uni<Void> saveState(StoredTorrent torrent, boolean durable) {
        String id = checkedId(torrent.id());
        byte[] content;
        try {
            content = json.writeValueAsBytes(torrent); // snapshot now: the record is immutable anyway
        } catch (IOException e) {
            return Uni.createFrom().failure(e);
        }
        return inOrder(id, () -> {
            if (durable) {
                AtomicFiles.delete(progressFile(id));
                AtomicFiles.write(stateFile(id), content);
            } else {
                AtomicFiles.writeLazily(progressFile(id), content);
            }
            return null;
        });
    }

    /** Forgets a torrent: its state first (so a crash in between leaves a torrent without state, not the reverse). */
    public Uni<Void> delete(String id) {
        String checked = checkedId(id);
        return inOrder(checked, () -> {
            AtomicFiles.delete(progressFile(checked));
            AtomicFiles.delete(stateFile(checked));
            AtomicFiles.delete(torrentFile(checked));
            Files.deleteIfExists(journalFile(checked));
            return null;
        });
    }

    public Uni<Optional<Preferences>> loadPreferences() {
        return inOrder(PREFERENCES_KEY, () -> {
            Path file = stateDir.resolve("preferences.json");
            try {
                return Optional.of(json.readValue(Files.readAllBytes(file), Preferences.class));
            } catch (NoSuchFileException e) {
                return Optional.<Preferences>empty();
            } catch (IOException e) {
                LOG.warnf("The preferences file %s cannot be read (%s); the defaults apply", file, e.getMessage());
                return Optional.<Preferences>empty();
            }
        });
    }

    public Uni<Void> savePreferences(Preferences preferences) {
        return inOrder(PREFERENCES_KEY, () -> {
            AtomicFiles.write(stateDir.resolve("preferences.json"), json.writeValueAsBytes(preferences));
            return null;
        });
    }

    /**
     * Every torrent in the state folder, sorted by id. A torrent whose files cannot be read comes back with a
     * {@link LoadedTorrent#problem()}; the others are unaffected. Leftover temp files are deleted.
     */
    public Uni<List<LoadedTorrent>> loadAll() {
        return blocking(() -> {
            Path dir = torrentsDir();
            Files.createDirectories(dir);
            deleteLeftovers(stateDir); // an interrupted preferences save
            TreeSet<String> ids = new TreeSet<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.endsWith(AtomicFiles.TEMP_SUFFIX)) {
                        LOG.infof("Deleting %s, left over from an interrupted save", entry);
                        Files.deleteIfExists(entry);
                    } else if (name.endsWith(".torrent") || name.endsWith(".json")) {
                        String id = name.substring(0, name.lastIndexOf('.'));
                        if (ID.matcher(id).matches()) {
                            ids.add(id);
                        }
                    }
                }
            }
            // reading and parsing 2,000 small files: on every core (the common pool), in id order
            return ids.parallelStream().map(this::load).toList();
        });
    }

    private static void deleteLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + AtomicFiles.TEMP_SUFFIX)) {
            for (Path temp : temps) {
                LOG.infof("Deleting %s, left over from an interrupted save", temp);
                Files.deleteIfExists(temp);
            }
        }
    }

    private LoadedTorrent load(String id) {
        List<String> problems = new ArrayList<>();
        byte[] torrentBytes = null;
        boolean missing = false;
        try {
            torrentBytes = Files.readAllBytes(torrentFile(id));
        } catch (NoSuchFileException e) {
            missing = true;
        } catch (IOException e) {
            problems.add("its .torrent file cannot be read (" + e.getMessage() + ")");
        }
        StoredTorrent stored = progress(id);
        try {
            stored = stored != null ? stored : json.readValue(Files.readAllBytes(stateFile(id)), StoredTorrent.class);
            if (!id.equals(stored.id())) {
                problems.add("its state file names another torrent (" + stored.id() + ")");
                stored = null;
            }
        } catch (NoSuchFileException e) {
            problems.add("its state file is missing");
        } catch (IOException | RuntimeException e) {
            problems.add("its state file " + id + ".json is corrupt (" + firstLine(e.getMessage()) + ")");
        }
        if (missing && (stored == null || stored.magnet() == null)) {
            // a magnet link's torrent has no .torrent file until its metadata arrived
            problems.add(0, "its .torrent file is missing from the state folder");
        }
        String problem = problems.isEmpty() ? null : "The saved state of this torrent could not be restored: "
                + String.join("; ", problems);
        if (problem != null) {
            LOG.warnf("Torrent %s: %s", id, problem);
        }
        return new LoadedTorrent(id, torrentBytes, stored, problem);
    }

    /** The torrent's progress save, when one is there and whole; a broken one is deleted (the state is read). */
    private StoredTorrent progress(String id) {
        Path file = progressFile(id);
        try {
            StoredTorrent stored = json.readValue(Files.readAllBytes(file), StoredTorrent.class);
            if (id.equals(stored.id())) {
                return stored;
            }
            LOG.warnf("Torrent %s: its progress file names another torrent; its last saved state is used", id);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Torrent %s: the progress saved since its last state was lost (%s, a power loss?); its last "
                    + "saved state is used (pieces verified since are checked or downloaded again)", id,
                    firstLine(e.getMessage()));
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debugf("cannot delete %s: %s", file, e.getMessage());
        }
        return null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private Path torrentFile(String id) {
        return torrentsDir().resolve(id + ".torrent");
    }

    /** The torrent's journal of pieces written since its last clean stop (storage.PieceJournal; engine's). */
    public Path journalFile(String id) {
        return torrentsDir().resolve(checkedId(id) + ".written");
    }

    private Path stateFile(String id) {
        return torrentsDir().resolve(id + ".json");
    }

    private Path progressFile(String id) {
        return torrentsDir().resolve(id + ".progress.json");
    }

    private static String checkedId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a torrent id: " + id);
        }
        return id;
    }

    /** Queues {@code task} behind the previous operation for {@code key}; see the class comment. */
    private <T> Uni<T> inOrder(String key, Callable<T> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        // put() swaps in this operation as the newest and hands back the one it must follow, atomically.
        // (Not compute(): a completion that ran synchronously inside it would modify the map re-entrantly.)
        CompletableFuture<?> previous = queues.put(key, done);
        CompletableFuture<?> after = previous == null ? CompletableFuture.completedFuture(null) : previous;
        // handle(): a failed previous write must not stop the ones behind it
        after.handle((ignored, failure) -> null)
                .thenCompose(ignored -> blocking(task).subscribeAsCompletionStage())
                .whenComplete((value, failure) -> {
                    queues.remove(key, done); // only if no newer operation queued meanwhile
                    if (failure != null) {
                        done.completeExceptionally(unwrap(failure));
                    } else {
                        done.complete(value);
                    }
                });
        return Uni.createFrom().completionStage(done);
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    private <T> Uni<T> blocking(Callable<T> task) {
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(task, false).toCompletionStage());
    }
}
