package me.bittorrent.engine;

import java.util.List;

import me.bittorrent.tracker.TrackerStatus;

/** A magnet link fetching its metadata, as the status shows it: peers asked, peers connected, trackers. */
public record MetadataProgress(int peersAsked, int peersConnected, List<TrackerStatus> trackers) {
}
