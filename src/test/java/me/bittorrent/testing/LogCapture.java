package me.bittorrent.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The log records of one logger (a class's, or "" for all) at or above a level, while open:
 * <pre>{@code
 * try (LogCapture log = LogCapture.of(TorrentSession.class, Level.INFO)) {
 *     ...
 *     assertTrue(log.anyContains("banned"), log.messages().toString());
 * }
 * }</pre>
 * JBoss Logging (the app's logger) goes through java.util.logging, so its records arrive here too. The name is the
 * logger's: the session's units (Swarm, PeerMessages ...) log as TorrentSession.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler;

    private LogCapture(Logger logger, Level level) {
        this.logger = logger;
        this.handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= level.intValue()) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
    }

    /** Every logger's records (the root logger's handlers see them all). */
    public static LogCapture all(Level level) {
        return new LogCapture(Logger.getLogger(""), level);
    }

    public static LogCapture of(Class<?> type, Level level) {
        return new LogCapture(Logger.getLogger(type.getName()), level);
    }

    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The messages as written (parameters filled in when the record carries them). */
    public List<String> messages() {
        return records.stream().map(LogCapture::text).toList();
    }

    /** The records that carry a stack trace (a Throwable), as "logger: message". */
    public List<String> withStackTraces() {
        return records.stream().filter(r -> r.getThrown() != null)
                .map(r -> r.getLoggerName() + ": " + text(r) + " (" + r.getThrown() + ")").toList();
    }

    /** Whether some record at or above the level says {@code text}. */
    public boolean anyContains(String text) {
        return messages().stream().anyMatch(m -> m.contains(text));
    }

    private static String text(LogRecord r) {
        Object[] parameters = r.getParameters();
        if (parameters == null || parameters.length == 0 || r.getMessage() == null) {
            return String.valueOf(r.getMessage());
        }
        try {
            return String.format(r.getMessage(), parameters); // JBoss Logging's printf style (infof, warnf)
        } catch (java.util.IllegalFormatException e) {
            return java.text.MessageFormat.format(r.getMessage(), parameters);
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
