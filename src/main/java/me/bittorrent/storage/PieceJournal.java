package me.bittorrent.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.BitSet;
import java.util.Optional;

/**
 * The pieces written to a torrent's files since its resume data was last saved after a clean stop: a file of
 * 4-byte piece indices, one appended after each piece write (no fsync: it must survive the process, as the
 * written data itself, not the machine). After a {@code kill -9} it names the only pieces whose data may be on
 * disk without being in the saved verified set, so a restart hashes those and trusts the rest, and its
 * modification time is the time of our last write: a file modified later was changed behind our back.
 *
 * <p>Not thread-safe: used from the session's one disk thread (appends) or before the session exists (read).
 */
public final class PieceJournal implements Closeable {

    private final Path path;
    private final ByteBuffer entry = ByteBuffer.allocate(4);
    private FileChannel channel;

    public PieceJournal(Path path) {
        this.path = path;
    }

    /** What a journal holds: the pieces written, and when the last one was appended. */
    public record Written(BitSet pieces, FileTime lastWrite) {
    }

    /** Records that piece {@code piece} was written (call after the write). */
    public void written(int piece) throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }
        entry.clear();
        entry.putInt(piece).flip();
        while (entry.hasRemaining()) {
            channel.write(entry);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** The journal at {@code path}; empty when there is none. Indices outside the torrent are ignored. */
    public static Optional<Written> read(Path path, int pieceCount) throws IOException {
        byte[] bytes;
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(path);
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        BitSet pieces = new BitSet(pieceCount);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        while (in.remaining() >= 4) { // a torn last entry (killed mid-append) is ignored: that piece is downloaded again
            int piece = in.getInt();
            if (piece >= 0 && piece < pieceCount) {
                pieces.set(piece);
            }
        }
        return Optional.of(new Written(pieces, modified));
    }

    /** Forgets the journal (after a clean stop saved the verified set, or at removal). */
    public static void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }
}
