package me.bittorrent.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logging.Logger;

/**
 * An {@code /events} client that goes away (a closed tab, a dropped phone connection) is normal, yet
 * RESTEasy Reactive logs the failed write as an ERROR with a stack trace ("Exception in SSE server handling").
 * This filter on that one logger turns a client-gone failure into a DEBUG line of ours; any other failure of
 * the stream is still logged as RESTEasy logs it.
 */
@ApplicationScoped
public class ClientGoneLogFilter implements Filter {

    static final String SSE_LOGGER = "org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler";
    private static final Logger LOG = Logger.getLogger(EventsResource.class);

    /** Held so the configured logger (and its filter) stays while the application runs. */
    private java.util.logging.Logger sseLogger;

    void install(@Observes StartupEvent start) {
        sseLogger = java.util.logging.Logger.getLogger(SSE_LOGGER);
        sseLogger.setFilter(this);
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        Throwable gone = clientGone(record.getThrown());
        if (gone == null) {
            return true;
        }
        LOG.debugf("An /events client went away: %s", gone.getMessage() != null ? gone.getMessage()
                : gone.getClass().getSimpleName());
        return false;
    }

    /** The I/O failure that says the peer closed or reset the connection, or null. */
    static Throwable clientGone(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof ClosedChannelException || t instanceof IOException
                    || t.getClass().getName().equals("io.vertx.core.VertxException")
                    && String.valueOf(t.getMessage()).contains("closed")) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
