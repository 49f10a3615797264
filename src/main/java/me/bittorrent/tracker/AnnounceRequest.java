package me.bittorrent.tracker;

import java.util.Arrays;
import java.util.HexFormat;
import me.bittorrent.metainfo.InfoHash;

/**
 * What we tell a tracker in one announce. {@code numWant} below 0 lets the tracker choose; {@code key} is a
 * random number fixed per session that lets the tracker recognise us after an IP change.
 */
public record AnnounceRequest(InfoHash infoHash, byte[] peerId, int port, long uploaded, long downloaded, long left,
        AnnounceEvent event, int numWant, int key) {

    public AnnounceRequest {
        if (infoHash == null) {
            throw new IllegalArgumentException("an announce needs an info-hash");
        }
        if (peerId == null || peerId.length != 20) {
            throw new IllegalArgumentException("a peer id is 20 bytes");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        peerId = peerId.clone();
        event = event == null ? AnnounceEvent.NONE : event;
    }

    @Override
    public byte[] peerId() {
        return peerId.clone();
    }

    /** The same request with another event, e.g. a STARTED announce turned into the regular NONE re-announce. */
    public AnnounceRequest withEvent(AnnounceEvent newEvent) {
        return new AnnounceRequest(infoHash, peerId, port, uploaded, downloaded, left, newEvent, numWant, key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnnounceRequest r && infoHash.equals(r.infoHash) && Arrays.equals(peerId, r.peerId)
                && port == r.port && uploaded == r.uploaded && downloaded == r.downloaded && left == r.left
                && event == r.event && numWant == r.numWant && key == r.key;
    }

    @Override
    public int hashCode() {
        return infoHash.hashCode() * 31 + Arrays.hashCode(peerId);
    }

    @Override
    public String toString() {
        return "AnnounceRequest[" + infoHash + " peer " + HexFormat.of().formatHex(peerId) + " port " + port
                + " up " + uploaded + " down " + downloaded + " left " + left + " " + event + "]";
    }
}
