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
     * Makes {@code directory} the torrent's folder, moving what was downloaded. Transmission's {@code move: false}
     * (the data is already there) is not offered: the engine always moves, never adopts files it did not write.
     */
    public Uni<Void> setLocation(String id, String directory, boolean move) {
        if (!move) {
            return notYet("changing a torrent's folder without moving its files (move: false)");
        }
        return engine.setLocation(id, directory).replaceWithVoid();
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

    private static Uni<Void> notYet(String what) {
        return Uni.createFrom().failure(new NotSupportedYet(what + " is not supported by this service yet"));
    }

    /** A method the engine cannot do yet: the RPC answers its message as the result. */
    public static final class NotSupportedYet extends RuntimeException {
        public NotSupportedYet(String message) {
            super(message);
        }
    }
}
