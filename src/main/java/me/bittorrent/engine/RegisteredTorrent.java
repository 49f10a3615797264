package me.bittorrent.engine;

import me.bittorrent.engine.session.PiecePicker;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.Bitfields;
import me.bittorrent.state.FilePriority;
import me.bittorrent.state.StoredTorrent;
import me.bittorrent.engine.session.SessionSnapshot;
import me.bittorrent.engine.session.SessionState;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of one torrent in the registry. A change makes a new snapshot which replaces the old one
 * atomically in the engine's map, so readers never see a half-applied change.
 *
 * @param meta   the parsed .torrent, or null when the saved .torrent could not be read (then {@code error} says why)
 * @param stored what is persisted about the torrent
 */
public record RegisteredTorrent(TorrentMeta meta, StoredTorrent stored) {

    public String id() {
        return stored.id();
    }

    /** The name shown: the user's (a rename), else the torrent's own. */
    public String name() {
        if (stored.displayName() != null) {
            return stored.displayName();
        }
        return meta != null ? meta.name() : stored.name();
    }

    /** A magnet link whose metadata is not known yet (it fetches it when started). */
    public boolean awaitsMetadata() {
        return meta == null && stored.magnet() != null && !inError();
    }

    public boolean inError() {
        return stored.error() != null;
    }

    /** The API's state name: the lifecycle, or "error". */
    public String state() {
        return inError() ? SessionState.ERROR.apiName() : stored.lifecycle().apiName();
    }

    public BitSet verifiedPieces() {
        return meta == null ? new BitSet() : Bitfields.fromBase64(stored.verifiedPieces(), meta.pieceCount());
    }

    public long verifiedBytes() {
        if (meta == null) {
            return 0;
        }
        BitSet verified = verifiedPieces();
        long bytes = 0;
        for (int i = verified.nextSetBit(0); i >= 0; i = verified.nextSetBit(i + 1)) {
            bytes += meta.pieceSize(i);
        }
        return bytes;
    }

    public boolean isSelected(TorrentFile file) {
        return stored.fileSelection().getOrDefault(file.displayPath(), Boolean.TRUE);
    }

    /** The status as stored, for a torrent without a running session. */
    public TorrentStatus status() {
        return status(null, false);
    }

    /**
     * The status shown to users: from the running session's snapshot when there is one ({@code live}), else from
     * what is stored; {@code queued} when the torrent waits for a download slot.
     */
    public TorrentStatus status(LiveView live, boolean queued) {
        return status(live, queued, null);
    }

    /** As {@link #status(LiveView, boolean)}, with the global limits in force ({@code global} null: none). */
    public TorrentStatus status(LiveView live, boolean queued, GlobalSettings global) {
        return status(live, queued, global, null, null);
    }

    /**
     * What the runner adds to a status: the queue rank (1 = first), seconds seeded so far (the live clock when it
     * runs), and a state it is in without a session (moving, checking), else null.
     */
    public record RunnerView(long queuePosition, long seedingSeconds, SessionState busy, long activeSeconds) {

        /** Without the active clock (what is stored counts). */
        public RunnerView(long queuePosition, long seedingSeconds, SessionState busy) {
            this(queuePosition, seedingSeconds, busy, -1);
        }
    }

    /** As {@link #status(LiveView, boolean, GlobalSettings)}, with what the runner knows ({@code runner} may be null). */
    public TorrentStatus status(LiveView live, boolean queued, GlobalSettings global, RunnerView runner) {
        return status(live, queued, global, runner, null);
    }

    /** As above; {@code fetching} non-null while a magnet link fetches its metadata (state {@code metadata}). */
    public TorrentStatus status(LiveView live, boolean queued, GlobalSettings global, MetadataProgress fetching) {
        return status(live, queued, global, null, fetching);
    }

    /**
     * The status with what the runner knows ({@code runner} may be null) and, while a magnet link fetches its
     * metadata, its progress ({@code fetching}, state {@code metadata}).
     */
    public TorrentStatus status(LiveView live, boolean queued, GlobalSettings global, RunnerView runner,
            MetadataProgress fetching) {
        BitSet verified = live != null ? live.snapshot().verified() : verifiedPieces();
        int total = meta == null ? 0 : meta.pieceCount();
        long totalSize = meta == null ? 0 : meta.totalLength();
        long done = bytesOf(verified);
        boolean complete = wantedComplete(verified);
        String stalled = live != null && !inError() ? live.stalledReason() : null;
        String state = runner != null && runner.busy() != null ? runner.busy().apiName()
                : stalled != null ? SessionState.STALLED.apiName()
                : live != null && !inError() ? live.snapshot().state().apiName()
                : fetching != null && !inError() ? SessionState.METADATA.apiName() : storedState(queued, complete);
        String stateReason = stalled != null && SessionState.STALLED.apiName().equals(state) ? stalled
                : "queued".equals(state) ? queuedReason(global) : null;
        var library = stored.library();
        long uploaded = live != null ? live.uploaded() : stored.uploaded();
        long downloaded = live != null ? live.downloaded() : stored.downloaded();
        SessionSnapshot s = live == null ? null : live.snapshot();
        String error = s != null && s.error() != null ? s.error() : stored.error();
        return new TorrentStatus(name(), state,
                SessionState.DOWNLOADING.apiName().equals(state) || SessionState.STALLED.apiName().equals(state),
                SessionState.PAUSED.apiName().equals(state),
                selectedProgress(verified), s == null ? 0.0 : kb(s.downloadRate()), s == null ? 0.0 : kb(s.uploadRate()),
                verified.cardinality(), total, totalSize, done, complete,
                s != null ? s.peersConnected() : fetching != null ? fetching.peersConnected() : 0,
                s == null ? 0 : s.peersKnown(), s == null ? 0 : s.seeds(),
                s == null ? (complete ? Long.valueOf(0) : null) : s.etaSeconds() < 0 ? null : s.etaSeconds(),
                uploaded, downloaded, downloaded == 0 ? 0.0 : Math.round(uploaded * 1000.0 / downloaded) / 1000.0,
                s != null ? s.trackers() : fetching != null ? fetching.trackers() : List.of(), stored.settings(),
                error == null ? null : error,
                stored.settings().speedLimit(), stored.settings().uploadLimit(),
                global == null ? 0 : global.activeDownloadLimit(), global == null ? 0 : global.activeUploadLimit(),
                SessionState.METADATA.apiName().equals(state) && fetching != null ? fetching.peersAsked() : null,
                stateReason,
                library.category(), library.tags(), stored.downloadDir(), runner == null ? 0 : runner.queuePosition(),
                library.forceStart(), library.ratioLimit() == null ? ShareLimits.USE_GLOBAL : library.ratioLimit(),
                library.seedingTimeLimit() == null ? -2 : library.seedingTimeLimit(),
                runner == null ? library.seedingSeconds() : runner.seedingSeconds(),
                stored.addedAt() == null ? 0 : stored.addedAt().getEpochSecond(),
                library.completedAt() == null ? null : library.completedAt().getEpochSecond(),
                library.shareLimitAction() == null ? "global" : library.shareLimitAction().apiName(),
                runner == null || runner.activeSeconds() < 0 ? stored.activeSeconds() : runner.activeSeconds(),
                meta == null ? null : meta.notes().comment(), meta == null ? null : meta.notes().createdBy(),
                meta == null ? null : meta.notes().creationDate(), selectedSize());
    }

    /** Why a queued torrent waits, in words (queued means every download slot is taken). */
    static String queuedReason(GlobalSettings global) {
        if (global == null) {
            return "waiting for a download slot";
        }
        int max = global.maxConcurrentDownloads();
        return "waiting: " + max + (max == 1 ? " download" : " downloads") + " already active (max active downloads = "
                + max + ")";
    }

    private String storedState(boolean queued, boolean complete) {
        if (inError()) {
            return SessionState.ERROR.apiName();
        }
        if (queued) {
            return "queued";
        }
        switch (stored.lifecycle()) {
            case PAUSED:
                return SessionState.PAUSED.apiName();
            case STOPPED:
                return complete ? "completed" : SessionState.STOPPED.apiName();
            default:
                // wants to run and has no session yet (just loaded after a restart, or its files are being compared
                // with their fingerprints): it checks before anything else; the runner reports the queue
                return SessionState.CHECKING.apiName();
        }
    }

    /** Every wanted piece (of the selected files) is verified, and there is at least one. */
    public boolean wantedComplete(BitSet verified) {
        if (meta == null) {
            return false;
        }
        BitSet wanted = PiecePicker.wantedPieces(meta, selectedByIndex());
        if (wanted.isEmpty()) {
            return false;
        }
        wanted.andNot(verified);
        return wanted.isEmpty();
    }

    /** A file's priority: SKIP when it is not selected, else its stored level (NORMAL when none is stored). */
    public FilePriority priorityOf(TorrentFile file) {
        return !isSelected(file) ? FilePriority.SKIP
                : stored.filePriorities().getOrDefault(file.displayPath(), FilePriority.NORMAL);
    }

    /** A file's level whether it is selected or not (Transmission keeps "wanted" and "priority" apart). */
    public FilePriority levelOf(TorrentFile file) {
        return stored.filePriorities().getOrDefault(file.displayPath(), FilePriority.NORMAL);
    }

    /** The priorities per {@code meta.files()} index as sessions take them; null when every file is normal. */
    public FilePriority[] prioritiesByIndex() {
        if (meta == null || stored.filePriorities().isEmpty()) {
            return null;
        }
        List<TorrentFile> files = meta.files();
        FilePriority[] priorities = new FilePriority[files.size()];
        for (int i = 0; i < priorities.length; i++) {
            priorities[i] = files.get(i).padding() ? FilePriority.NORMAL : priorityOf(files.get(i));
        }
        return priorities;
    }

    /** The selection per {@code meta.files()} index (padding files false), as sessions and stores take it. */
    public boolean[] selectedByIndex() {
        List<TorrentFile> files = meta.files();
        boolean[] selected = new boolean[files.size()];
        for (int i = 0; i < selected.length; i++) {
            TorrentFile file = files.get(i);
            selected[i] = !file.padding() && isSelected(file);
        }
        return selected;
    }

    private long bytesOf(BitSet verified) {
        long bytes = 0;
        for (int i = verified.nextSetBit(0); i >= 0 && meta != null && i < meta.pieceCount();
                i = verified.nextSetBit(i + 1)) {
            bytes += meta.pieceSize(i);
        }
        return bytes;
    }

    private static double kb(long bytesPerSecond) {
        return Math.round(bytesPerSecond * 100.0 / 1024) / 100.0;
    }

    public List<FileStatus> files() {
        return files(verifiedPieces());
    }

    /** Per-file progress from {@code verified} (the live set of a running session, or the stored one). */
    public List<FileStatus> files(BitSet verified) {
        if (meta == null) {
            return List.of();
        }
        List<FileStatus> files = new ArrayList<>();
        for (TorrentFile file : meta.visibleFiles()) {
            files.add(new FileStatus(file.displayPath(), file.length(), isSelected(file),
                    percent(verifiedBytesOf(file, verified), file.length()), priorityOf(file).apiName()));
        }
        return files;
    }

    /** The full selection, every visible file named: what the state file keeps. */
    public Map<String, Boolean> selection() {
        Map<String, Boolean> selection = new java.util.LinkedHashMap<>();
        if (meta != null) {
            for (TorrentFile file : meta.visibleFiles()) {
                selection.put(file.displayPath(), isSelected(file));
            }
        }
        return selection;
    }

    private long verifiedBytesOf(TorrentFile file, BitSet verified) {
        return meta.geometry().bytesIn(verified, file.offset(), file.length());
    }

    /** Bytes of the selected files (the whole torrent when nothing is selected). */
    public long selectedSize() {
        return meta == null ? 0 : selectedBytes(null);
    }

    /** Verified bytes of the selected files (of the whole torrent when nothing is selected). */
    public long selectedVerifiedBytes(BitSet verified) {
        return meta == null ? 0 : selectedBytes(verified);
    }

    /** With {@code verified} null: the selected size; else the verified part of it. */
    private long selectedBytes(BitSet verified) {
        long total = 0;
        boolean any = false;
        for (TorrentFile file : meta.visibleFiles()) {
            if (isSelected(file)) {
                any = true;
                total += verified == null ? file.length() : verifiedBytesOf(file, verified);
            }
        }
        if (any) {
            return total;
        }
        return verified == null ? meta.totalLength() : bytesOf(verified);
    }

    /**
     * Progress as qBittorrent shows it: verified bytes of the selected files over their size (the whole torrent
     * when nothing is selected), so a torrent whose selected files are done reads 100%.
     */
    private double selectedProgress(BitSet verified) {
        if (meta == null) {
            return 0.0;
        }
        long wanted = 0;
        long done = 0;
        for (TorrentFile file : meta.visibleFiles()) {
            if (isSelected(file)) {
                wanted += file.length();
                done += verifiedBytesOf(file, verified);
            }
        }
        return wanted > 0 ? percent(done, wanted) : percent(bytesOf(verified), meta.totalLength());
    }

    /** Percent with two decimals; an empty whole (a zero-length file) has nothing missing: 100. */
    static double percent(long part, long whole) {
        if (whole <= 0) {
            return 100.0;
        }
        return Math.round(part * 10000.0 / whole) / 100.0;
    }
}
