package me.bittorrent.engine.session;

import java.lang.invoke.MethodHandles;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Loads, verifies and initialises the classes a torrent's first start needs (a session, its units, storage,
 * tracker announces) and the SHA-1 provider, so the first {@code POST /start} does not pay for them on the event
 * loop. Measured with {@code -Xlog:class+load}: the first start loaded about 60 of our classes and Vert.x's HTTP
 * client, between the start and the first {@code GET /status} answered after it. Called once, from a worker
 * thread; harmless to call again.
 */
public final class WarmUp {

    private WarmUp() {
    }

    /** The classes of a torrent session, as loaded by a first start, in that order. */
    public static void sessionClasses() throws IllegalAccessException {
        MethodHandles.Lookup here = MethodHandles.lookup();
        for (Class<?> c : new Class<?>[] {TorrentSession.class, TorrentEvent.class, SessionSettings.class,
                BanPolicy.class, SuspectBlocks.class, DiskIo.class, DhtLink.class, Announcer.class, Swarm.class,
                PieceVerifier.class, PieceBuffers.class, Requester.class, RateMeter.class, RateLimiter.class,
                Uploader.class, Peer.class, PeerMessages.class, PeerExchange.class, ExtensionHandshake.class,
                UtPex.class, UtMetadata.class, SessionSnapshot.class, PeerSnapshot.class, PiecePicker.class,
                Choker.class, PeerRanking.class, RequestTimes.class, Block.class, BufferedBytes.class,
                PeerListener.class, SessionState.class, TorrentEvent.StateChanged.class,
                TorrentEvent.TrackerFailed.class, TorrentEvent.TrackerReplied.class,
                TorrentEvent.PieceVerified.class, TorrentEvent.PieceFailed.class,
                me.bittorrent.storage.PieceStore.class, me.bittorrent.storage.PieceJournal.class,
                me.bittorrent.storage.PieceLayout.class, me.bittorrent.storage.FileFingerprint.class,
                me.bittorrent.storage.Sha1.class, me.bittorrent.tracker.TrackerTiers.class,
                me.bittorrent.tracker.AnnounceRequest.class, me.bittorrent.tracker.AnnounceResponse.class,
                me.bittorrent.tracker.TrackerUrlPolicy.class, me.bittorrent.tracker.PeerAddress.class,
                me.bittorrent.wire.PeerMessage.class, me.bittorrent.wire.PeerConnection.class,
                me.bittorrent.wire.FrameDecoder.class, me.bittorrent.wire.MessageEncoder.class,
                me.bittorrent.bencode.BencodeDecoder.class}) {
            here.ensureInitialized(c);
        }
    }

    /**
     * Classes by name that a first start loads and that this package cannot name (package-private ones of other
     * packages, Vert.x's HTTP client request path): loaded and initialised; a name that does not exist (another
     * Vert.x version) is skipped. Returns how many were found.
     */
    public static int byName(ClassLoader loader, String... names) {
        int found = 0;
        for (String name : names) {
            try {
                Class.forName(name, true, loader);
                found++;
            } catch (ClassNotFoundException | LinkageError e) {
                // renamed in another version: that class is simply loaded by the first start
            }
        }
        return found;
    }

    /** The SHA-1 provider's first use (provider lookup and its classes). */
    public static void sha1() throws NoSuchAlgorithmException {
        MessageDigest.getInstance("SHA-1").digest(new byte[16 * 1024]);
    }
}
