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
 * 4-byte entries, two per piece write: {@code ~piece} just before the write (the intent), {@code piece} just after
 * it (no fsync: it must survive the process, as the written data itself, not the machine). After a {@code kill -9}
 * it names the only pieces whose data may be on disk without being in the saved verified set, so a restart hashes
 * those and trusts the rest. Its modification time is the time of our last note: a file modified later was changed
 * behind our back, unless the journal ends on an intent (the stop cut that piece's write) and the file's time is
 * within a moment of it (see {@code ResumePlan}).
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

    /**
     * What a journal holds: the pieces written or being written, when the last entry was appended, and the piece
     * whose write was under way when the process stopped ({@code -1}: none; the last entry was a piece written).
     */
    public record Written(BitSet pieces, FileTime lastWrite, int cutOff) {
    }

    /** Records that piece {@code piece} is about to be written (call just before the write). */
    public void writing(int piece) throws IOException {
        append(~piece);
    }

    /** Records that piece {@code piece} was written (call after the write). */
    public void written(int piece) throws IOException {
        append(piece);
    }

    private void append(int value) throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }
        entry.clear();
        entry.putInt(value).flip();
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
        int cutOff = -1;
        ByteBuffer in = ByteBuffer.wrap(bytes);
        while (in.remaining() >= 4) { // a torn last entry (killed mid-append): its write had not begun
            int value = in.getInt();
            int piece = value < 0 ? ~value : value;
            if (piece < pieceCount) {
                pieces.set(piece);
            }
            cutOff = value < 0 && piece < pieceCount ? piece : -1;
        }
        return Optional.of(new Written(pieces, modified, cutOff));
    }

    /** Forgets the journal (after a clean stop saved the verified set, or at removal). */
    public static void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }
}
