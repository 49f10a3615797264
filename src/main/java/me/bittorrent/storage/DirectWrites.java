package me.bittorrent.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedDeque;

import com.sun.nio.file.ExtendedOpenOption;
import org.jboss.logging.Logger;

/**
 * Writes of verified pieces that bypass the page cache ({@code O_DIRECT}, libtorrent's old {@code disable_os_cache}
 * write mode). A buffered write copies every byte into a fresh page of the page cache, and on this kind of machine
 * that copy is most of a download's CPU (measured: 1.1 to 2.6 CPU-s per GiB buffered, 0.13 to 0.17 direct, and
 * faster too). The kernel reads the data straight from our buffer instead, and nothing of the file lingers in
 * memory.
 *
 * <p>Only what the file system allows: the aligned part of a write (file offset, length and buffer at multiples
 * of the file system's block size) goes direct, the rest (the unaligned tail of a file, a span that starts
 * unaligned in a multi-file torrent) through the ordinary channel. A file system that refuses {@code O_DIRECT}
 * (some network file systems, older tmpfs) turns this off for the store, and so does any failed direct write, which is
 * then done again the ordinary way: a direct write can never lose data a buffered one would have written.
 * Reads, checks and the part file stay buffered; the kernel keeps both views of a file coherent.
 *
 * <p>Not thread-safe, as its {@link PieceStore}. A write borrows an aligned staging buffer off the heap from a
 * small process-wide pool: one per write in progress, a few kept between writes (never one per torrent or per
 * thread), so the memory is bounded by how many pieces are written at the same moment.
 */
final class DirectWrites {

    private static final Logger LOG = Logger.getLogger(DirectWrites.class);
    /**
     * Bytes staged per system call: a piece of 1 MiB is one write. Each write is a request to the disk, and on a
     * virtual machine each request costs an exit to the host (perf of a warm download with 256 KiB writes:
     * {@code virtio_queue_rq}'s notify was 5% of the service's CPU, pwrite 10%).
     */
    static final int CHUNK = 1024 * 1024;
    private static final int MAX_ALIGNMENT = 64 * 1024;
    /** Staging buffers kept between writes, at most {@link #MAX_SPARE}: a write in progress holds one more. */
    private static final ConcurrentLinkedDeque<ByteBuffer> SPARE = new ConcurrentLinkedDeque<>();
    private static final int MAX_SPARE = 2;

    private final String torrentName;
    private boolean disabled;
    private int alignment;
    /** The one file open for direct writes (pieces are mostly written file by file), or none. */
    private int openIndex = -1;
    private FileChannel open;
    private long directBytes;
    /** Of {@link #directBytes}, those copied into a staging buffer first (the source was not aligned off-heap memory). */
    private long stagedBytes;

    /** Where a file is opened (resolved only when the direct channel changes file). */
    @FunctionalInterface
    interface Target {
        Path path() throws IOException;
    }

    DirectWrites(String torrentName, boolean enabled) {
        this.torrentName = torrentName;
        this.disabled = !enabled;
    }

    /** Bytes written direct so far (for tests and logs). */
    long directBytes() {
        return directBytes;
    }

    long stagedBytes() {
        return stagedBytes;
    }

    boolean enabled() {
        return !disabled;
    }

    /**
     * Writes the longest aligned prefix of {@code data} (from 0 to its limit; its position does not move) at
     * {@code fileOffset} of file {@code fileIndex} (at {@code target}, which exists) directly; returns how many
     * bytes it wrote (0 when none could go direct). The caller writes the rest through its ordinary channel. A
     * direct {@code data} at an aligned address is written as it is; any other is copied into a staging buffer.
     */
    int write(int fileIndex, Target target, ByteBuffer data, long fileOffset) {
        if (disabled) {
            return 0;
        }
        FileChannel ch = channel(fileIndex, target);
        if (ch == null || fileOffset % alignment != 0) {
            return 0;
        }
        int len = data.limit();
        int aligned = len - len % alignment;
        if (aligned == 0) {
            return 0;
        }
        boolean asIs = data.isDirect() && data.alignmentOffset(0, alignment) == 0;
        ByteBuffer staging = asIs ? null : takeStaging();
        try {
            if (asIs) {
                PieceStore.writeFully(ch, data.slice(0, aligned), fileOffset);
            } else {
                for (int done = 0; done < aligned; ) {
                    int n = Math.min(staging.capacity(), aligned - done);
                    staging.clear();
                    staging.put(0, data, done, n).limit(n);
                    PieceStore.writeFully(ch, staging, fileOffset + done);
                    done += n;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the caller writes the whole span again through the page cache: nothing is lost
            disable("a direct write failed (" + e.getMessage() + ")");
            return 0;
        } finally {
            if (staging != null) {
                giveStaging(staging);
            }
        }
        directBytes += aligned;
        stagedBytes += asIs ? 0 : aligned;
        return aligned;
    }

    /** Forces what was written direct (the file's size and blocks) to the disk. */
    void flush() throws IOException {
        if (open != null) {
            open.force(false);
        }
    }

    void close() throws IOException {
        FileChannel ch = open;
        open = null;
        openIndex = -1;
        if (ch != null) {
            ch.close();
        }
    }

    private FileChannel channel(int fileIndex, Target target) {
        if (openIndex == fileIndex && open != null) {
            return open;
        }
        try {
            close();
            Path path = target.path();
            if (path == null) {
                return null;
            }
            if (alignment == 0) {
                long block = Files.getFileStore(path).getBlockSize();
                if (block <= 0 || block > MAX_ALIGNMENT || Long.bitCount(block) != 1) {
                    disable("the file system's block size is " + block);
                    return null;
                }
                alignment = (int) block;
            }
            open = FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            openIndex = fileIndex;
            return open;
        } catch (IOException | RuntimeException | LinkageError e) {
            disable("the file system refuses it (" + e.getMessage() + ")");
            return null;
        }
    }

    /** A spare staging buffer, or a new one: {@link #CHUNK} bytes at an address aligned for any block size. */
    private static ByteBuffer takeStaging() {
        ByteBuffer b = SPARE.pollFirst();
        return b != null ? b : ByteBuffer.allocateDirect(CHUNK + MAX_ALIGNMENT).alignedSlice(MAX_ALIGNMENT)
                .limit(CHUNK).slice();
    }

    /** Keeps {@code b} for the next write if fewer than {@link #MAX_SPARE} are kept; else the collector frees it. */
    private static void giveStaging(ByteBuffer b) {
        if (SPARE.size() < MAX_SPARE) {
            SPARE.offerFirst(b);
        }
    }

    private void disable(String why) {
        if (!disabled) {
            disabled = true;
            LOG.debugf("'%s': pieces are written through the page cache: %s", torrentName, why);
        }
        try {
            close();
        } catch (IOException e) {
            LOG.debugf("closing a direct channel failed: %s", e.getMessage());
        }
    }
}
