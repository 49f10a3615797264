package me.bittorrent.state;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything kept about one torrent besides its .torrent bytes: the content of {@code <id>.json}.
 *
 * @param id             lowercase hex info-hash
 * @param name           the torrent's name, kept so a torrent whose .torrent file is lost can still be shown
 * @param addedAt        when the torrent was added
 * @param downloadDir    absolute folder the torrent's files live in (fixed when it was added)
 * @param settings       the torrent's settings
 * @param fileSelection  file path (as shown by the API, '/'-joined) to selected
 * @param lifecycle      what the user last asked of the torrent
 * @param verifiedPieces pieces whose hash was checked, as a BitTorrent bitfield (high bit first), base64
 * @param uploaded       bytes uploaded over the torrent's lifetime
 * @param downloaded     bytes downloaded over the torrent's lifetime
 * @param fingerprints   files as they were when the verified pieces were recorded
 * @param error          why the torrent stopped in error, or null
 * @param magnet         the magnet link it was added from, or null (a torrent without its .torrent file yet is
 *                       restored from it and fetches its metadata again)
 * @param library        category, tags, queue position, force start, share limits, seeding clock (null in an
 *                       older file: {@link TorrentLibrary#NONE})
 * @param displayName    the name the user gave the torrent (qBittorrent's rename), or null: the torrent's own name
 * @param contentLayout  where its files go below downloadDir (null in an older file: {@link ContentLayout#ORIGINAL})
 * @param filePriorities file path to its priority when it is not normal (low or high; a skipped file is a false
 *                       in {@code fileSelection}); empty in an older file
 * @param activeSeconds  seconds the torrent has run (downloading or seeding) over its lifetime
 */
public record StoredTorrent(
        String id,
        String name,
        Instant addedAt,
        String downloadDir,
        TorrentSettings settings,
        Map<String, Boolean> fileSelection,
        TorrentLifecycle lifecycle,
        String verifiedPieces,
        long uploaded,
        long downloaded,
        List<StoredFingerprint> fingerprints,
        String error,
        String magnet,
        TorrentLibrary library,
        String displayName,
        ContentLayout contentLayout,
        Map<String, FilePriority> filePriorities,
        long activeSeconds) {

    /** Without a display name, file priorities and time active, with the original layout (as before they existed). */
    public StoredTorrent(String id, String name, Instant addedAt, String downloadDir, TorrentSettings settings,
            Map<String, Boolean> fileSelection, TorrentLifecycle lifecycle, String verifiedPieces, long uploaded,
            long downloaded, List<StoredFingerprint> fingerprints, String error, String magnet, TorrentLibrary library) {
        this(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces, uploaded, downloaded,
                fingerprints, error, magnet, library, null, ContentLayout.ORIGINAL, Map.of(), 0);
    }

    /** A torrent added from a magnet link, without the library fields. */
    public StoredTorrent(String id, String name, Instant addedAt, String downloadDir, TorrentSettings settings,
            Map<String, Boolean> fileSelection, TorrentLifecycle lifecycle, String verifiedPieces, long uploaded,
            long downloaded, List<StoredFingerprint> fingerprints, String error, String magnet) {
        this(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces, uploaded, downloaded,
                fingerprints, error, magnet, TorrentLibrary.NONE);
    }

    /** A torrent added from a .torrent file, with the library fields. */
    public StoredTorrent(String id, String name, Instant addedAt, String downloadDir, TorrentSettings settings,
            Map<String, Boolean> fileSelection, TorrentLifecycle lifecycle, String verifiedPieces, long uploaded,
            long downloaded, List<StoredFingerprint> fingerprints, String error, TorrentLibrary library) {
        this(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces, uploaded, downloaded,
                fingerprints, error, null, library);
    }

    /** Without the library fields (as before they existed): {@link TorrentLibrary#NONE}. */
    public StoredTorrent(String id, String name, Instant addedAt, String downloadDir, TorrentSettings settings,
            Map<String, Boolean> fileSelection, TorrentLifecycle lifecycle, String verifiedPieces, long uploaded,
            long downloaded, List<StoredFingerprint> fingerprints, String error) {
        this(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces, uploaded, downloaded,
                fingerprints, error, null, TorrentLibrary.NONE);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public StoredTorrent {
        library = library == null ? TorrentLibrary.NONE : library;
        filePriorities = filePriorities == null ? Map.of() : Map.copyOf(filePriorities);
        activeSeconds = Math.max(0, activeSeconds);
        fileSelection = fileSelection == null ? Map.of() : Map.copyOf(fileSelection);
        fingerprints = fingerprints == null ? List.of() : List.copyOf(fingerprints);
        verifiedPieces = verifiedPieces == null ? "" : verifiedPieces;
        lifecycle = lifecycle == null ? TorrentLifecycle.STOPPED : lifecycle;
        contentLayout = contentLayout == null ? ContentLayout.ORIGINAL : contentLayout;
    }

    public StoredTorrent withSettings(TorrentSettings value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, value, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, library, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withFileSelection(Map<String, Boolean> value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, value, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, library, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withLifecycle(TorrentLifecycle value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, value, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, library, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withVerified(String bitfieldBase64, List<StoredFingerprint> files) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, bitfieldBase64,
                uploaded, downloaded, files, error, magnet, library, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withTotals(long uploadedTotal, long downloadedTotal) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces,
                uploadedTotal, downloadedTotal, fingerprints, error, magnet, library, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withMagnet(String value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, value, library, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withError(String value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, value, magnet, library, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withLibrary(TorrentLibrary value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, value, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withDownloadDir(String value) {
        return new StoredTorrent(id, name, addedAt, value, settings, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, library, displayName, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withDisplayName(String value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, library, value, contentLayout,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withContentLayout(ContentLayout value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, library, displayName, value,
                filePriorities, activeSeconds);
    }

    public StoredTorrent withFilePriorities(Map<String, FilePriority> value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, library, displayName, contentLayout,
                value, activeSeconds);
    }

    public StoredTorrent withActiveSeconds(long value) {
        return new StoredTorrent(id, name, addedAt, downloadDir, settings, fileSelection, lifecycle, verifiedPieces,
                uploaded, downloaded, fingerprints, error, magnet, library, displayName, contentLayout,
                filePriorities, value);
    }
}
