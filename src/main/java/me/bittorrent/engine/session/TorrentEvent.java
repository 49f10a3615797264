package me.bittorrent.engine.session;

/** What happens in a torrent session; status, progress, persistence and metrics are derived from these. */
public sealed interface TorrentEvent {

    record PieceVerified(int piece) implements TorrentEvent {
    }

    record PieceFailed(int piece, String reason) implements TorrentEvent {
    }

    record PeerConnected(String address) implements TorrentEvent {
    }

    record PeerDisconnected(String address, String reason) implements TorrentEvent {
    }

    record StateChanged(SessionState state) implements TorrentEvent {
    }

    record TrackerReplied(String url, int peers) implements TorrentEvent {
    }

    record TrackerFailed(String url, String reason) implements TorrentEvent {
    }

    /** Every wanted piece is verified. */
    record Completed() implements TorrentEvent {
    }
}
