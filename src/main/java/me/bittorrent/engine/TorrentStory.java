package me.bittorrent.engine;

import me.bittorrent.engine.session.SessionState;
import me.bittorrent.engine.session.TorrentEvent;
import java.util.HashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import me.bittorrent.engine.session.SessionSnapshot;

/**
 * Tells one torrent run's story in the log in user words, and counts its bytes and pieces in the meters.
 * Confined to the engine context (events arrive there).
 */
final class TorrentStory {

    private static final Logger LOG = Logger.getLogger("me.bittorrent.torrents");

    private final String name;
    private final EngineMeters meters;
    /** Tracker URL to its last failure, so a failure is logged once per change, not at every retry. */
    private final Map<String, String> trackerErrors = new HashMap<>();
    private boolean announced;
    private int piecesVerified;
    private SessionState state = SessionState.STOPPED;
    private long countedDown;
    private long countedUp;

    TorrentStory(String name, EngineMeters meters) {
        this.name = name;
        this.meters = meters;
    }

    String name() {
        return name;
    }

    void on(TorrentEvent event) {
        if (event instanceof TorrentEvent.StateChanged changed) {
            stateChanged(changed.state());
        } else if (event instanceof TorrentEvent.PieceVerified) {
            piecesVerified++;
            meters.pieceVerified();
        } else if (event instanceof TorrentEvent.PieceFailed failed) {
            // the session logs the failure with its peers; bans too
            meters.pieceFailed();
        } else if (event instanceof TorrentEvent.TrackerReplied replied) {
            String previous = trackerErrors.remove(replied.url());
            if (!announced) {
                announced = true;
                LOG.infof("'%s' started: %d peer(s) from %s", name, replied.peers(), replied.url());
            } else if (previous != null) {
                LOG.infof("'%s': tracker %s answers again (%d peers)", name, replied.url(), replied.peers());
            }
        } else if (event instanceof TorrentEvent.TrackerFailed failed) {
            if (!failed.reason().equals(trackerErrors.put(failed.url(), failed.reason()))) {
                LOG.warnf("'%s': tracker %s failed: %s (retrying later)", name, failed.url(), failed.reason());
            }
        } else if (event instanceof TorrentEvent.PeerConnected connected) {
            LOG.debugf("'%s': connected to %s", name, connected.address());
        } else if (event instanceof TorrentEvent.PeerDisconnected gone) {
            LOG.debugf("'%s': %s left: %s", name, gone.address(), gone.reason());
        }
    }

    private void stateChanged(SessionState next) {
        SessionState previous = state;
        state = next;
        switch (next) {
            case CHECKING -> LOG.infof("'%s': checking the files on disk against the piece hashes", name);
            case DOWNLOADING -> {
                if (previous == SessionState.PAUSED) {
                    LOG.infof("'%s' resumed, downloading", name);
                } else if (previous != SessionState.STOPPED) { // from stopped: the session logs how far it is
                    LOG.infof("'%s' downloading", name);
                }
            }
            case SEEDING -> LOG.infof(previous == SessionState.PAUSED ? "'%s' resumed, seeding"
                    : piecesVerified > 0 ? "'%s' finished downloading, now seeding" : "'%s' is complete, seeding",
                    name);
            case PAUSED -> LOG.infof("'%s' paused", name);
            case ERROR -> { } // the session logs the error itself
            default -> LOG.infof("'%s' %s", name, next.apiName());
        }
    }

    /** Adds what the session moved since the last call to the byte counters. */
    void count(SessionSnapshot snapshot) {
        meters.downloaded(snapshot.downloaded() - countedDown);
        meters.uploaded(snapshot.uploaded() - countedUp);
        countedDown = snapshot.downloaded();
        countedUp = snapshot.uploaded();
    }
}
