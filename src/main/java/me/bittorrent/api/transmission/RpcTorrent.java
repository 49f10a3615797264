package me.bittorrent.api.transmission;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.LiveView;
import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.engine.TorrentStatus;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.tracker.TrackerStatus;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One torrent as Transmission's {@code torrent-get} describes it (RPC spec, Transmission 3 and 4): our status in
 * its units (bytes, bytes/s, 0-1 fractions, epoch seconds, limits in KB/s) and its status numbers. A field we do
 * not track answers Transmission's own "none" value (0, -1 or an empty list); an unknown field is left out, as
 * Transmission does.
 */
record RpcTorrent(int id, RegisteredTorrent torrent, TorrentStatus status, LiveView live, BitSet verified,
        int queuePosition) {

    /** tr_torrent_activity. */
    static final int STOPPED = 0;
    static final int CHECK_WAIT = 1;
    static final int CHECK = 2;
    static final int DOWNLOAD_WAIT = 3;
    static final int DOWNLOAD = 4;
    static final int SEED_WAIT = 5;
    static final int SEED = 6;
    /** tr_eta "not available". */
    static final long ETA_NOT_AVAILABLE = -1;

    static RpcTorrent of(DownloadEngine engine, RegisteredTorrent torrent, int id, int queuePosition) {
        LiveView live = engine.live(torrent.id()).orElse(null);
        BitSet verified = live != null ? live.snapshot().verified() : torrent.verifiedPieces();
        return new RpcTorrent(id, torrent, engine.statusOf(torrent), live, verified, queuePosition);
    }

    String hash() {
        return torrent.id();
    }

    /** Transmission's status number from our state name (a torrent in error is stopped, {@code error} says why). */
    int activity() {
        boolean complete = status.completed();
        return switch (status.state()) {
            case "queued" -> complete ? SEED_WAIT : DOWNLOAD_WAIT;
            case "checking" -> CHECK;
            case "downloading", "stalled" -> complete ? SEED : DOWNLOAD;
            case "seeding" -> SEED;
            default -> STOPPED; // paused, stopped, completed, error
        };
    }

    /** 0 ok, 2 the trackers all fail, 3 a local error (disk, files), as tr_stat_errtype. */
    int error() {
        if (status.error() != null) {
            return 3;
        }
        List<TrackerStatus> trackers = status.trackers();
        boolean failing = !trackers.isEmpty() && trackers.stream().allMatch(t -> TrackerStatus.ERROR.equals(t.status()));
        return failing ? 2 : 0;
    }

    String errorString() {
        if (status.error() != null) {
            return status.error();
        }
        return error() == 2 ? status.trackers().get(0).lastError() == null ? "Tracker error"
                : status.trackers().get(0).lastError() : "";
    }

    long sizeWhenDone() {
        return torrent.selectedSize();
    }

    long haveValid() {
        return Math.min(sizeWhenDone(), torrent.selectedVerifiedBytes(verified));
    }

    long leftUntilDone() {
        return status.completed() ? 0 : Math.max(0, sizeWhenDone() - haveValid());
    }

    double percentDone() {
        long size = sizeWhenDone();
        return status.completed() ? 1.0 : size == 0 ? 0.0 : Math.min(1.0, (double) haveValid() / size);
    }

    long rateDownload() {
        return live == null ? 0 : live.snapshot().downloadRate();
    }

    long rateUpload() {
        return live == null ? 0 : live.snapshot().uploadRate();
    }

    long eta() {
        return activity() == DOWNLOAD && status.eta() != null ? status.eta() : ETA_NOT_AVAILABLE;
    }

    /** Uploaded over downloaded, or over what is verified when nothing was downloaded (a seed), as tr_getRatio. */
    double uploadRatio() {
        long base = status.downloaded() > 0 ? status.downloaded() : haveValid();
        return base == 0 ? -1.0 : (double) status.uploaded() / base;
    }

    long addedDate() {
        return torrent.stored().addedAt().getEpochSecond();
    }

    boolean running() {
        return activity() != STOPPED;
    }

    List<String> trackerUrls() {
        return torrent.meta() == null ? List.of()
                : torrent.meta().announceTiers().stream().flatMap(List::stream).toList();
    }

    String magnetLink() {
        StringBuilder uri = new StringBuilder("magnet:?xt=urn:btih:").append(hash())
                .append("&dn=").append(URLEncoder.encode(torrent.name(), StandardCharsets.UTF_8));
        for (String url : trackerUrls()) {
            uri.append("&tr=").append(URLEncoder.encode(url, StandardCharsets.UTF_8));
        }
        return uri.toString();
    }

    /** Transmission names a multi-file torrent's files with the torrent's folder first. */
    String fileName(TorrentFile file) {
        TorrentMeta meta = torrent.meta();
        return meta.multiFile() ? meta.name() + "/" + file.displayPath() : file.displayPath();
    }

    private long bytesCompleted(TorrentFile file) {
        return torrent.meta().geometry().bytesIn(verified, file.offset(), file.length());
    }

    private List<TorrentFile> files() {
        return torrent.meta() == null ? List.of() : torrent.meta().visibleFiles();
    }

    JsonArray fileList() {
        JsonArray files = new JsonArray();
        files().forEach(f -> files.add(new JsonObject().put("bytesCompleted", bytesCompleted(f))
                .put("length", f.length()).put("name", fileName(f))));
        return files;
    }

    JsonArray fileStats() {
        JsonArray stats = new JsonArray();
        files().forEach(f -> stats.add(new JsonObject().put("bytesCompleted", bytesCompleted(f))
                .put("wanted", torrent.isSelected(f)).put("priority", priority(f))));
        return stats;
    }

    JsonArray wanted() {
        JsonArray wanted = new JsonArray();
        files().forEach(f -> wanted.add(torrent.isSelected(f) ? 1 : 0));
        return wanted;
    }

    JsonArray priorities() {
        JsonArray priorities = new JsonArray();
        files().forEach(f -> priorities.add(priority(f)));
        return priorities;
    }

    /** Transmission's -1 low, 0 normal, 1 high: the file's level whether it is wanted or not. */
    private int priority(TorrentFile f) {
        return switch (torrent.levelOf(f)) {
            case LOW -> -1;
            case HIGH -> 1;
            default -> 0;
        };
    }

    JsonArray trackers() {
        JsonArray trackers = new JsonArray();
        int id = 0;
        List<List<String>> tiers = torrent.meta() == null ? List.of() : torrent.meta().announceTiers();
        for (int tier = 0; tier < tiers.size(); tier++) {
            for (String url : tiers.get(tier)) {
                trackers.add(new JsonObject().put("announce", url).put("id", id++).put("scrape", "")
                        .put("sitename", host(url)).put("tier", tier));
            }
        }
        return trackers;
    }

    JsonArray trackerStats() {
        JsonArray stats = new JsonArray();
        int id = 0;
        for (TrackerStatus t : status.trackers()) {
            boolean working = TrackerStatus.WORKING.equals(t.status());
            boolean contacted = !TrackerStatus.NOT_CONTACTED.equals(t.status());
            stats.add(new JsonObject().put("id", id++).put("announce", t.url()).put("host", host(t.url()))
                    .put("sitename", host(t.url())).put("tier", 0)
                    .put("announceState", TrackerStatus.UPDATING.equals(t.status()) ? 3 : running() ? 1 : 0)
                    .put("hasAnnounced", contacted).put("lastAnnounceSucceeded", working)
                    .put("lastAnnounceResult", t.lastError() != null ? t.lastError() : working ? "Success" : "")
                    .put("lastAnnouncePeerCount", t.peersReceived()).put("lastAnnounceTime", 0)
                    .put("lastAnnounceTimedOut", false).put("lastAnnounceStartTime", 0)
                    .put("nextAnnounceTime", t.nextAnnounce() == null ? 0 : t.nextAnnounce().getEpochSecond())
                    .put("hasScraped", false).put("scrapeState", 0).put("lastScrapeSucceeded", false)
                    .put("lastScrapeResult", "").put("lastScrapeTime", 0).put("lastScrapeStartTime", 0)
                    .put("lastScrapeTimedOut", false).put("nextScrapeTime", 0).put("scrape", "")
                    .put("isBackup", false).put("seederCount", -1).put("leecherCount", -1)
                    .put("downloadCount", -1));
        }
        return stats;
    }

    private static String host(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? "" : host;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** The verified pieces as Transmission's "pieces": a bitfield (first piece in the high bit), base64. */
    String pieces() {
        int count = torrent.meta() == null ? 0 : torrent.meta().pieceCount();
        byte[] bits = new byte[(count + 7) / 8];
        for (int i = verified.nextSetBit(0); i >= 0 && i < count; i = verified.nextSetBit(i + 1)) {
            bits[i >> 3] |= (byte) (0x80 >>> (i & 7));
        }
        return Base64.getEncoder().encodeToString(bits);
    }

    private static JsonObject peersFrom() {
        return new JsonObject().put("fromCache", 0).put("fromDht", 0).put("fromIncoming", 0).put("fromLpd", 0)
                .put("fromLtep", 0).put("fromPex", 0).put("fromTracker", 0);
    }

    /** torrent-get's fields, by name. */
    static final Map<String, Function<RpcTorrent, Object>> FIELDS = fields();

    private static Map<String, Function<RpcTorrent, Object>> fields() {
        Map<String, Function<RpcTorrent, Object>> f = new LinkedHashMap<>();
        f.put("id", RpcTorrent::id);
        f.put("hashString", RpcTorrent::hash);
        f.put("name", t -> t.torrent.name());
        f.put("status", RpcTorrent::activity);
        f.put("error", RpcTorrent::error);
        f.put("errorString", RpcTorrent::errorString);
        f.put("eta", RpcTorrent::eta);
        f.put("etaIdle", t -> ETA_NOT_AVAILABLE);
        f.put("isFinished", t -> false);
        f.put("isStalled", t -> t.running() && t.rateDownload() == 0 && t.rateUpload() == 0);
        f.put("isPrivate", t -> t.torrent.meta() != null && t.torrent.meta().isPrivate());
        f.put("leftUntilDone", RpcTorrent::leftUntilDone);
        f.put("sizeWhenDone", RpcTorrent::sizeWhenDone);
        f.put("totalSize", t -> t.torrent.meta() == null ? 0L : t.torrent.meta().totalLength());
        f.put("percentDone", RpcTorrent::percentDone);
        f.put("percentComplete", RpcTorrent::percentDone);
        f.put("metadataPercentComplete", t -> t.torrent.meta() == null ? 0.0 : 1.0);
        f.put("haveValid", RpcTorrent::haveValid);
        f.put("haveUnchecked", t -> 0L);
        f.put("desiredAvailable", t -> t.status.seeds() > 0 ? t.leftUntilDone() : 0L);
        f.put("corruptEver", t -> 0L);
        f.put("downloadedEver", t -> t.status.downloaded());
        f.put("uploadedEver", t -> t.status.uploaded());
        f.put("uploadRatio", RpcTorrent::uploadRatio);
        f.put("rateDownload", RpcTorrent::rateDownload);
        f.put("rateUpload", RpcTorrent::rateUpload);
        f.put("peersConnected", t -> t.status.peers());
        f.put("peersSendingToUs", t -> t.status.seeds());
        f.put("peersGettingFromUs", t -> Math.max(0, t.status.peers() - t.status.seeds()));
        f.put("peersFrom", t -> peersFrom());
        f.put("peers", t -> new JsonArray());
        f.put("peer-limit", t -> t.torrent.stored().settings().maxPeers());
        f.put("maxConnectedPeers", t -> t.torrent.stored().settings().maxPeers());
        f.put("webseeds", t -> new JsonArray());
        f.put("webseedsSendingToUs", t -> 0);
        f.put("addedDate", RpcTorrent::addedDate);
        f.put("activityDate", t -> t.rateDownload() > 0 || t.rateUpload() > 0
                ? System.currentTimeMillis() / 1000 : t.addedDate());
        f.put("doneDate", t -> 0L); // the completion time is not recorded yet
        f.put("startDate", t -> 0L);
        f.put("dateCreated", t -> t.status.creationDate() == null ? 0L : t.status.creationDate());
        f.put("editDate", t -> 0L);
        f.put("manualAnnounceTime", t -> -1L);
        f.put("secondsDownloading", t -> Math.max(0, t.status.timeActive() - t.status.seedingTime()));
        f.put("secondsSeeding", t -> t.status.seedingTime());
        f.put("comment", t -> t.status.comment() == null ? "" : t.status.comment());
        f.put("creator", t -> t.status.createdBy() == null ? "" : t.status.createdBy());
        f.put("source", t -> "");
        f.put("labels", t -> new JsonArray());
        f.put("group", t -> "");
        f.put("downloadDir", t -> t.torrent.stored().downloadDir());
        f.put("magnetLink", RpcTorrent::magnetLink);
        f.put("pieceCount", t -> t.torrent.meta() == null ? 0 : t.torrent.meta().pieceCount());
        f.put("pieceSize", t -> t.torrent.meta() == null ? 0L : (long) t.torrent.meta().pieceLength());
        f.put("pieces", RpcTorrent::pieces);
        f.put("recheckProgress", t -> 0.0);
        f.put("queuePosition", RpcTorrent::queuePosition);
        f.put("bandwidthPriority", t -> 0);
        f.put("honorsSessionLimits", t -> true);
        f.put("downloadLimit", t -> t.status.downloadLimit());
        f.put("downloadLimited", t -> t.status.downloadLimit() > 0);
        f.put("uploadLimit", t -> t.status.uploadLimit());
        f.put("uploadLimited", t -> t.status.uploadLimit() > 0);
        f.put("seedRatioMode", t -> 0); // the session's (none)
        f.put("seedRatioLimit", t -> 2.0);
        f.put("seedIdleMode", t -> 0);
        f.put("seedIdleLimit", t -> 30);
        f.put("sequentialDownload", t -> false);
        f.put("files", RpcTorrent::fileList);
        f.put("fileStats", RpcTorrent::fileStats);
        f.put("file-count", t -> t.files().size());
        f.put("wanted", RpcTorrent::wanted);
        f.put("priorities", RpcTorrent::priorities);
        f.put("trackers", RpcTorrent::trackers);
        f.put("trackerStats", RpcTorrent::trackerStats);
        f.put("trackerList", t -> String.join("\n", t.trackerUrls()));
        f.put("primary-mime-type", t -> "application/octet-stream");
        f.put("torrentFile", t -> "");
        return Map.copyOf(f);
    }
}
