package me.bittorrent.state;

/**
 * Service-wide choices of the user, kept in {@code <stateDir>/preferences.json}. A null field was never set: the
 * configuration's default applies (so an older file with only {@code download_dir} still reads).
 *
 * @param downloadDir            where new torrents download to
 * @param downloadLimit          global download limit in KB/s shared by all torrents, 0 = unlimited
 * @param uploadLimit            global upload limit in KB/s, 0 = unlimited
 * @param maxConcurrentDownloads torrents downloading at once; more wait in a queue
 * @param peerPort               TCP port the BitTorrent listener binds
 * @param defaultSettings        settings a new torrent starts with
 * @param dht                    the DHT (BEP 5) runs; null = on unless BT_DHT=off
 */
public record Preferences(String downloadDir, Long downloadLimit, Long uploadLimit, Integer maxConcurrentDownloads,
        Integer peerPort, TorrentSettings defaultSettings, Boolean dht) {

    public static final Preferences NONE = new Preferences(null, null, null, null, null, null, null);

    /** Only a download folder (what the first version of the file held). */
    public Preferences(String downloadDir) {
        this(downloadDir, null, null, null, null, null, null);
    }

    public Preferences withDownloadDir(String dir) {
        return new Preferences(dir, downloadLimit, uploadLimit, maxConcurrentDownloads, peerPort, defaultSettings,
                dht);
    }
}
