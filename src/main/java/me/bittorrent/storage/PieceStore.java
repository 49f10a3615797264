package me.bittorrent.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import org.jboss.logging.Logger;

/**
 * A torrent's pieces on disk: writes verified pieces into the files, reads blocks back, re-hashes.
 *
 * <h2>Threading</h2>
 * Every method blocks on disk I/O and must run on a worker thread. The store is NOT thread-safe: the engine calls
 * it from one thread at a time per torrent (e.g. an ordered {@code executeBlocking} or a one-thread
 * WorkerExecutor), which also gives the happens-before between calls. No locks inside.
 *
 * <h2>Where bytes live</h2>
 * <ul>
 *   <li>Single-file torrent: {@code <downloadDir>/<name>}; multi-file: {@code <downloadDir>/<name>/<path...>}.
 *       Every path is checked to stay inside downloadDir (see {@link SafeFolder}).</li>
 *   <li>BEP 47 padding files are never created; their bytes are skipped on write and read back as zeros.</li>
 *   <li>A selected file's bytes go to its own file (created as needed).</li>
 *   <li>An unselected file is never created. Its bytes (those of a piece it shares with a selected file) go to
 *       its real file if that file already exists (it was selected once), otherwise to the hidden part file
 *       {@code <downloadDir>/.<infohash-hex>.parts}. The part file is sparse and indexed by the torrent stream:
 *       the byte at stream offset X is stored at part-file offset X, so its layout never depends on the
 *       selection. Its apparent size can be large; the disk blocks used are only those written (on file systems
 *       with sparse files; others fill the holes with zeros).</li>
 * </ul>
 *
 * <h2>Changing the selection</h2>
 * When a file becomes selected and does not exist yet, {@link #setSelection} copies the bytes of its first and
 * last piece from the part file into it: the engine only downloads pieces that touch a selected file, so those
 * boundary pieces are the only ones whose bytes of an unselected file can be in the part file. A file that
 * becomes unselected keeps its bytes where they are (its real file). The engine should still re-check pieces
 * wholly inside a newly selected file if it ever downloaded pieces for files nobody selected.
 */
public final class PieceStore implements Closeable {

    private static final Logger LOG = Logger.getLogger(PieceStore.class);
    /** Open files kept per torrent; beyond this the least recently used is closed (torrents can hold 10 000s of files). */
    private static final int MAX_OPEN_FILES = 128;
    private static final OpenOption[] READ = {StandardOpenOption.READ};
    private static final OpenOption[] WRITE = {StandardOpenOption.READ, StandardOpenOption.WRITE};
    private static final OpenOption[] CREATE = {StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE};
    private static final OpenOption[] CREATE_SPARSE = {StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE, StandardOpenOption.SPARSE};

    private final TorrentMeta meta;
    private final PieceLayout layout;
    private final SafeFolder folder;
    private final boolean preallocate;
    /** Lexical path of each file, null for padding files. */
    private final Path[] paths;
    private final Path partPath;
    private boolean[] selected;
    /** Set by the first write: from then on selected files are created (empty ones) and preallocated. */
    private boolean prepared;
    /** One whole piece, reused by checkPiece/checkAll/setSelection (no per-call big allocation). */
    private byte[] scratch;
    private FileChannel part;
    private boolean partWritable;
    /** Pieces hashed from disk by this store (checks), for tests and logs. */
    private int hashed;
    /** The aligned part of each piece write bypasses the page cache where the file system allows it. */
    private final DirectWrites direct;

    private record OpenFile(FileChannel channel, boolean writable) {
    }

    private final LinkedHashMap<Integer, OpenFile> open = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, OpenFile> eldest) {
            if (size() > MAX_OPEN_FILES) {
                closeQuietly(eldest.getValue().channel());
                return true;
            }
            return false;
        }
    };

    /**
     * Checks every path (IllegalArgumentException when one would leave downloadDir); touches no disk.
     *
     * @param selected one flag per {@code meta.files()} index (padding entries are ignored)
     */
    public PieceStore(TorrentMeta meta, Path downloadDir, boolean[] selected, boolean preallocate) {
        this.meta = meta;
        this.layout = new PieceLayout(meta);
        this.folder = new SafeFolder(downloadDir);
        this.preallocate = preallocate;
        this.selected = checkedSelection(selected);
        List<TorrentFile> files = meta.files();
        this.paths = new Path[files.size()];
        for (int i = 0; i < files.size(); i++) {
            TorrentFile f = files.get(i);
            if (f.padding()) {
                continue;
            }
            List<String> elements = new ArrayList<>();
            if (meta.multiFile()) {
                elements.add(meta.name());
            }
            elements.addAll(f.path());
            paths[i] = folder.resolve(elements);
        }
        this.partPath = folder.resolve(List.of("." + meta.infoHash().hex() + ".parts"));
        this.direct = new DirectWrites(meta.name(), true);
    }

    public PieceLayout layout() {
        return layout;
    }

    /** Where file {@code fileIndex} lives (or would live) on disk. Padding files have no place: IllegalArgumentException. */
    public Path pathOf(int fileIndex) {
        Path p = paths[fileIndex];
        if (p == null) {
            throw new IllegalArgumentException("file " + fileIndex + " is a padding file and is never stored");
        }
        return p;
    }

    /** The hidden file holding bytes of unselected files that share a piece with selected ones. */
    public Path partFilePath() {
        return partPath;
    }

    /** Stores a whole, already verified piece: {@code data[offset, offset + pieceSize(index))}. */
    public void writePiece(int index, byte[] data, int offset) throws IOException {
        int size = checkedPieceSize(index);
        Objects.checkFromIndexSize(offset, size, data.length);
        writePiece(index, ByteBuffer.wrap(data, offset, size).slice());
    }

    /**
     * Stores a whole, already verified piece: {@code data} from 0 to its limit ({@code pieceSize(index)} bytes).
     * A direct buffer aligned to the file system's block goes to the disk as it is; any other is staged.
     */
    public void writePiece(int index, ByteBuffer data) throws IOException {
        int size = checkedPieceSize(index);
        if (data.limit() != size) {
            throw new IllegalArgumentException("piece " + index + " has " + size + " bytes, not " + data.limit());
        }
        prepareOnce();
        for (FileSpan s : layout.spans(index, 0, size)) {
            TorrentFile f = meta.files().get(s.fileIndex());
            if (f.padding()) {
                continue;
            }
            ByteBuffer span = data.slice(s.pieceOffset(), s.length());
            FileChannel ch = selected[s.fileIndex()] ? channel(s.fileIndex(), CREATE) : channel(s.fileIndex(), WRITE);
            if (ch != null) {
                int i = s.fileIndex();
                int done = direct.enabled()
                        ? direct.write(i, () -> folder.openable(paths[i], false), span, s.fileOffset())
                        : 0;
                if (done < s.length()) {
                    writeFully(ch, span.position(done), s.fileOffset() + done);
                }
            } else {
                writeFully(partChannel(true), span, f.offset() + s.fileOffset());
            }
        }
    }

    /**
     * Reads {@code length} bytes of {@code piece} from {@code begin} into {@code dst[dstOffset...]}.
     *
     * @throws MissingDataException when a file is absent or too short
     */
    public void readBlock(int piece, int begin, int length, byte[] dst, int dstOffset) throws IOException {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        readBlock(piece, begin, ByteBuffer.wrap(dst, dstOffset, length));
    }

    /**
     * Reads {@code dst.remaining()} bytes of {@code piece} from {@code begin} into {@code dst}, then advances its
     * position past them. A direct {@code dst} is read into by the kernel itself; a heap one costs the JDK a copy
     * through a temporary direct buffer (uploads read into pooled direct buffers for that reason).
     *
     * @throws MissingDataException when a file is absent or too short
     */
    public void readBlock(int piece, int begin, ByteBuffer dst) throws IOException {
        checkedPieceSize(piece);
        int start = dst.position();
        int length = dst.remaining();
        for (FileSpan s : layout.spans(piece, begin, length)) {
            int at = start + s.pieceOffset() - begin;
            readSpan(s, dst.duplicate().limit(at + s.length()).position(at));
        }
        dst.position(start + length);
    }

    /** Re-hashes piece {@code index} from disk; false when it does not match or its data is missing. */
    public boolean checkPiece(int index) throws IOException {
        int size = checkedPieceSize(index);
        byte[] buf = scratch();
        try {
            readBlock(index, 0, size, buf, 0);
        } catch (MissingDataException e) {
            return false;
        }
        hashed++;
        return meta.pieceHashEquals(index, Sha1.digest(buf, 0, size));
    }

    /** Bytes of pieces written past the page cache so far ({@link DirectWrites}). */
    public long directBytes() {
        return direct.directBytes();
    }

    /** How many pieces this store has hashed from disk so far. */
    public int hashedPieces() {
        return hashed;
    }

    /**
     * The check after an unclean stop: the pieces of {@code saved} (the last saved verified set) are trusted
     * once every piece of {@code sample} (some of them) still matches its hash; of the others, only
     * {@code suspects} (those written since that save) are hashed. A sample that fails means the files were
     * changed behind our back: every piece is checked ({@link #checkAll}).
     */
    public BitSet checkAfterUncleanStop(BitSet saved, BitSet suspects, BitSet sample) throws IOException {
        for (int p = sample.nextSetBit(0); p >= 0; p = sample.nextSetBit(p + 1)) {
            if (!checkPiece(p)) {
                LOG.infof("'%s': piece %d saved as verified no longer matches its hash: checking every piece",
                        meta.name(), p);
                return checkAll();
            }
        }
        BitSet good = (BitSet) saved.clone();
        for (int p = suspects.nextSetBit(0); p >= 0; p = suspects.nextSetBit(p + 1)) {
            if (!good.get(p) && checkPiece(p)) {
                good.set(p);
            }
        }
        return good;
    }

    /** Hashes {@code pieces} from disk; those of them that are complete and correct. */
    public BitSet check(BitSet pieces) throws IOException {
        BitSet good = new BitSet(meta.pieceCount());
        for (int p = pieces.nextSetBit(0); p >= 0; p = pieces.nextSetBit(p + 1)) {
            if (checkPiece(p)) {
                good.set(p);
            }
        }
        return good;
    }

    /** Re-hashes every piece from disk; the set of pieces that are complete and correct. */
    public BitSet checkAll() throws IOException {
        BitSet good = new BitSet(meta.pieceCount());
        for (int i = 0; i < meta.pieceCount(); i++) {
            if (checkPiece(i)) {
                good.set(i);
            }
        }
        return good;
    }

    /** Changes which files are wanted; see the class comment for what happens to bytes already stored. */
    public void setSelection(boolean[] newSelection) throws IOException {
        boolean[] next = checkedSelection(newSelection);
        for (int i = 0; i < next.length; i++) {
            if (next[i] && !selected[i] && paths[i] != null) {
                moveOutOfPartFile(i);
            }
        }
        boolean[] before = selected;
        selected = next;
        if (prepared) {
            for (int i = 0; i < next.length; i++) {
                if (next[i] && !before[i]) {
                    prepare(i);
                }
            }
        }
    }

    /** Size and modification time of every non-padding file, size -1 when absent. */
    public List<FileFingerprint> fingerprints() throws IOException {
        List<FileFingerprint> out = new ArrayList<>();
        for (int i = 0; i < paths.length; i++) {
            if (paths[i] == null) {
                continue;
            }
            try {
                BasicFileAttributes a = Files.readAttributes(paths[i], BasicFileAttributes.class);
                out.add(a.isRegularFile()
                        ? new FileFingerprint(i, a.size(), a.lastModifiedTime().toMillis())
                        : new FileFingerprint(i, -1, -1));
            } catch (NoSuchFileException e) {
                out.add(new FileFingerprint(i, -1, -1));
            }
        }
        return out;
    }

    /** Forces written data of every open file to the disk (pause/stop; not done per piece). */
    public void flush() throws IOException {
        direct.flush();
        for (OpenFile f : open.values()) {
            if (f.writable()) {
                f.channel().force(false);
            }
        }
        if (part != null && partWritable) {
            part.force(false);
        }
    }

    /**
     * Deletes this torrent's files, its part file and the folders under {@code <downloadDir>/<name>} left empty.
     * Nothing else: not downloadDir, not files a user added, nothing reached through a link leading outside.
     */
    public void deleteFiles() throws IOException {
        close();
        TreeSet<Path> folders = new TreeSet<>(Comparator.comparingInt(Path::getNameCount).reversed()
                .thenComparing(Comparator.naturalOrder()));
        Path top = meta.multiFile() ? folder.root().resolve(meta.name()) : null;
        for (Path p : paths) {
            if (p == null) {
                continue;
            }
            deleteEntry(p);
            for (Path d = p.getParent(); top != null && d.startsWith(top); d = d.getParent()) {
                folders.add(d);
            }
        }
        deleteEntry(partPath);
        for (Path d : folders) {
            // Another torrent sharing this top folder may be removed at the same moment: a folder it already
            // deleted, or one it still has files in, is not an error.
            try {
                if (folder.isPlainFolder(d)) {
                    try (var entries = Files.list(d)) {
                        if (entries.findAny().isPresent()) {
                            continue;
                        }
                    }
                    Files.delete(d);
                }
            } catch (java.nio.file.NoSuchFileException | java.nio.file.DirectoryNotEmptyException e) {
                // gone already, or not ours alone
            }
        }
    }

    /** Closes the open files. The store opens them again if used later. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        try {
            direct.close();
        } catch (IOException e) {
            first = e;
        }
        for (OpenFile f : open.values()) {
            try {
                f.channel().close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (part != null) {
            try {
                part.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
            part = null;
        }
        if (first != null) {
            throw first;
        }
    }

    // ---- internals ----

    /** Fills {@code buf} (exactly the span) from the span's file. */
    private void readSpan(FileSpan s, ByteBuffer buf) throws IOException {
        TorrentFile f = meta.files().get(s.fileIndex());
        if (f.padding()) {
            while (buf.hasRemaining()) {
                buf.put((byte) 0);
            }
            return;
        }
        FileChannel ch = channel(s.fileIndex(), READ);
        if (ch != null) {
            readFully(ch, buf, s.fileOffset(), f);
        } else if (!selected[s.fileIndex()] && partChannel(false) != null) {
            readFully(part, buf, f.offset() + s.fileOffset(), f);
        } else {
            throw new MissingDataException(f.displayPath() + " is missing");
        }
    }

    /**
     * The open channel of file {@code i}, opened with at least the given mode. Null when the file does not exist
     * and the mode does not create it.
     */
    private FileChannel channel(int i, OpenOption[] mode) throws IOException {
        OpenFile of = open.get(i);
        if (of != null && (of.writable() || mode == READ)) {
            return of.channel();
        }
        if (of != null) {
            open.remove(i);
            of.channel().close();
        }
        boolean create = mode == CREATE;
        Path target = folder.openable(paths[i], create);
        if (target == null || (!create && !Files.isRegularFile(target))) {
            return null;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(target, mode);
        } catch (NoSuchFileException e) {
            return null;
        }
        open.put(i, new OpenFile(ch, mode != READ));
        return ch;
    }

    private FileChannel partChannel(boolean write) throws IOException {
        if (part != null && (partWritable || !write)) {
            return part;
        }
        if (part != null) {
            part.close();
            part = null;
        }
        Path target = folder.openable(partPath, write);
        if (target == null || (!write && !Files.isRegularFile(target))) {
            return null;
        }
        part = FileChannel.open(target, write ? CREATE_SPARSE : READ);
        partWritable = write;
        return part;
    }

    /** Copies file i's bytes of its first and last piece from the part file into a new real file. */
    private void moveOutOfPartFile(int i) throws IOException {
        TorrentFile f = meta.files().get(i);
        if (f.length() == 0 || channel(i, READ) != null || partChannel(false) == null) {
            return;
        }
        long partSize = part.size();
        long pl = meta.pieceLength();
        long fileEnd = f.offset() + f.length();
        long firstEnd = Math.min(fileEnd, (layout.firstPiece(i) + 1) * pl);
        long lastStart = Math.max(firstEnd, (long) layout.lastPiece(i) * pl);
        copyFromPart(i, f.offset(), Math.min(firstEnd, partSize));
        copyFromPart(i, lastStart, Math.min(fileEnd, partSize));
    }

    private void copyFromPart(int i, long from, long to) throws IOException {
        if (from >= to) {
            return;
        }
        TorrentFile f = meta.files().get(i);
        byte[] buf = scratch();
        FileChannel dst = channel(i, CREATE);
        FileChannel src = partChannel(false);
        for (long pos = from; pos < to; ) {
            int n = (int) Math.min(buf.length, to - pos);
            readFully(src, ByteBuffer.wrap(buf, 0, n), pos, f);
            writeFully(dst, ByteBuffer.wrap(buf, 0, n), pos - f.offset());
            pos += n;
        }
        LOG.debugf("moved %d bytes of %s out of the part file", to - from, f.displayPath());
    }

    private void prepareOnce() throws IOException {
        if (!prepared) {
            prepared = true;
            for (int i = 0; i < selected.length; i++) {
                if (selected[i]) {
                    prepare(i);
                }
            }
        }
    }

    /**
     * Creates a selected empty file, and with preallocate gives a file its full size by writing its last byte
     * (a zero): sparse on most file systems, so it reserves the size, not the blocks.
     */
    private void prepare(int i) throws IOException {
        TorrentFile f = meta.files().get(i);
        if (f.padding() || (f.length() > 0 && !preallocate)) {
            return;
        }
        FileChannel ch = channel(i, CREATE);
        if (f.length() > 0 && ch.size() < f.length()) {
            writeFully(ch, ByteBuffer.allocate(1), f.length() - 1);
        }
    }

    private byte[] scratch() {
        if (scratch == null) {
            scratch = new byte[meta.pieceLength()];
        }
        return scratch;
    }

    private int checkedPieceSize(int index) {
        if (index < 0 || index >= meta.pieceCount()) {
            throw new IllegalArgumentException("no piece " + index + " in a torrent of " + meta.pieceCount());
        }
        return meta.pieceSize(index);
    }

    private boolean[] checkedSelection(boolean[] s) {
        if (s.length != meta.files().size()) {
            throw new IllegalArgumentException("selection has " + s.length + " flags for " + meta.files().size() + " files");
        }
        return s.clone();
    }

    static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            position += ch.write(buf, position);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, TorrentFile f) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position);
            if (n < 0) {
                throw new MissingDataException(f.displayPath() + " is shorter than the torrent says");
            }
            position += n;
        }
    }

    private void deleteEntry(Path p) throws IOException {
        Path parent;
        try {
            parent = folder.realParent(p, false);
        } catch (IOException refused) {
            LOG.warnf("not deleting %s: %s", p, refused.getMessage());
            return;
        }
        if (parent == null) {
            return;
        }
        Path entry = parent.resolve(p.getFileName().toString());
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            LOG.warnf("not deleting %s: it is a folder, the torrent has a file there", entry);
            return;
        }
        Files.deleteIfExists(entry); // a link is removed itself, never its target
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debugf("closing a file failed: %s", e.getMessage());
        }
    }
}
