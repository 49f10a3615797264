package me.bittorrent.api.transmission;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the Transmission RPC needs from the engine beyond add, start, stop, remove and settings: recheck, reannounce,
 * moving a torrent's files and the queue order. The engine does not offer them yet (they are being added beside
 * the qBittorrent endpoints); until then each fails with {@link NotSupportedYet}, which the RPC answers as a
 * Transmission {@code result} string, never an HTTP error. Wiring them is a one-line change per method here.
 */
@ApplicationScoped
public class EngineExtras {

    /** Where a queue move sends a torrent. */
    public enum QueueMove {
        TOP, UP, DOWN, BOTTOM
    }

    /** Verifies the torrent's files against the piece hashes again. */
    public Uni<Void> recheck(String id) {
        return notYet("verifying a torrent's data again (torrent-verify)");
    }

    /** Asks the torrent's trackers for peers now. */
    public Uni<Void> reannounce(String id) {
        return notYet("announcing to the trackers now (torrent-reannounce)");
    }

    /** Makes {@code directory} the torrent's folder, moving what was downloaded when {@code move}. */
    public Uni<Void> setLocation(String id, String directory, boolean move) {
        return notYet("changing a torrent's location (torrent-set-location, torrent-set location)");
    }

    /** Moves the torrent in the download queue. */
    public Uni<Void> queueMove(String id, QueueMove move) {
        return notYet("changing the queue order (queue-move-*)");
    }

    /** The torrent's place in the download queue (0 first), or -1 when the engine does not say. */
    public int queuePosition(String id) {
        return -1;
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
