package me.bittorrent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.ws.rs.core.Response;
import me.bittorrent.engine.StartingException;
import org.junit.jupiter.api.Test;

/** Right after a start, a call that waited too long for the stored torrents: 503, in words, with Retry-After. */
class StartingAnswerTest {

    @Test
    void aCallBeforeTheTorrentsAreRestoredIsA503ToRetrySoon() {
        Response r = new ErrorMappers().starting(new StartingException("The service is starting: try again"));
        assertEquals(503, r.getStatus());
        assertEquals("1", r.getHeaderString("Retry-After"));
        assertEquals("The service is starting: try again", ((ApiError) r.getEntity()).detail());
        assertEquals("application/json", r.getMediaType().toString());
    }
}
