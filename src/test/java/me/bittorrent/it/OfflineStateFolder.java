package me.bittorrent.it;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.Bitfields;
import me.bittorrent.state.StoredFingerprint;
import me.bittorrent.state.StoredTorrent;
import me.bittorrent.state.TorrentLibrary;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.state.TorrentRepository;
import me.bittorrent.state.TorrentSettings;

/**
 * Writes single-file torrents into a stopped service's state folder through its own {@link TorrentRepository}, as
 * the service saves them, in queue order: a restart then finds them as if it had saved them itself.
 */
final class OfflineStateFolder implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final TorrentRepository repository;
    private final Path downloadDir;
    private final List<Uni<Void>> saves = new ArrayList<>();
    private int position;

    OfflineStateFolder(Path stateDir, Path downloadDir) {
        this.repository = new TorrentRepository(vertx, stateDir);
        this.downloadDir = downloadDir;
    }

    /**
     * Adds the torrent {@code bytes} of the file {@code data} with {@code lifecycle}: every piece verified when
     * {@code complete} (with the file's size and time as its fingerprint when {@code trusted}, so a restart trusts
     * it without hashing), none otherwise. Returns its id.
     */
    String add(byte[] bytes, Path data, TorrentLifecycle lifecycle, boolean complete, boolean trusted)
            throws Exception {
        TorrentMeta meta = MetainfoParser.parse(bytes, 1 << 20);
        BitSet verified = new BitSet();
        if (complete) {
            verified.set(0, meta.pieceCount());
        }
        List<StoredFingerprint> prints = trusted ? List.of(new StoredFingerprint(0, Files.size(data),
                Files.getLastModifiedTime(data).toMillis())) : List.of();
        TorrentLibrary library = TorrentLibrary.NONE.withQueuePosition(++position)
                .withSeeding(complete ? Instant.now() : null, 0);
        String id = meta.infoHash().hex();
        saves.add(repository.saveNew(new StoredTorrent(id, meta.name(), Instant.now(), downloadDir.toString(),
                TorrentSettings.defaults(0), Map.of(data.getFileName().toString(), true), lifecycle,
                Bitfields.toBase64(verified, meta.pieceCount()), 0, 0, prints, null, library), bytes));
        return id;
    }

    /** Waits until every torrent added is saved. */
    void awaitSaved(Duration within) {
        Uni.join().all(saves).andFailFast().await().atMost(within);
    }

    @Override
    public void close() {
        vertx.close();
    }
}
