package me.bittorrent.api.transmission;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;

/**
 * What the Transmission RPC needs from the engine beyond add, start, stop, remove and settings: recheck, reannounce,
 * moving a torrent's files and the queue order, in Transmission's terms. What the engine cannot do fails with
 * {@link NotSupportedYet}, which the RPC answers as a Transmission {@code result} string, never an HTTP error.
 */
@ApplicationScoped
public class EngineExtras {

    @Inject
    DownloadEngine engine;

    /** Where a queue move sends a torrent. */
    public enum QueueMove {
        TOP, UP, DOWN, BOTTOM
    }

    /** Verifies the torrent's files against the piece hashes again. */
    public Uni<Void> recheck(String id) {
        return engine.recheck(id);
    }

    /** Asks the torrent's trackers for peers now. */
    public Uni<Void> reannounce(String id) {
        return engine.reannounce(id);
    }

    /**
     * Makes {@code directory} the torrent's folder: moving what was downloaded, or with {@code move} false (the
     * data is there already) changing the folder and checking the files found there.
     */
    public Uni<Void> setLocation(String id, String directory, boolean move) {
        return engine.setLocation(id, directory, move).replaceWithVoid();
    }

    /** Moves the torrent in the download queue. */
    public Uni<Void> queueMove(String id, QueueMove move) {
        return engine.moveInQueue(id, me.bittorrent.engine.QueueMove.valueOf(move.name())).replaceWithVoid();
    }

    /** The torrent's place in the download queue (0 first), or -1 when the engine does not say. */
    public int queuePosition(String id) {
        long rank = engine.queueRank(id);
        return rank <= 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, rank - 1);
    }

    /** A method the engine cannot do yet: the RPC answers its message as the result. */
    public static final class NotSupportedYet extends RuntimeException {
        public NotSupportedYet(String message) {
            super(message);
        }
    }
}
