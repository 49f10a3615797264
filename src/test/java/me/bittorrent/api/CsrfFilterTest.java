package me.bittorrent.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsrfFilterTest {

    @Test
    void stateChangingRequests() {
        assertTrue(CsrfFilter.changesState("POST", "/upload"));
        assertTrue(CsrfFilter.changesState("DELETE", "/anything"));
        assertTrue(CsrfFilter.changesState("GET", "/remove/abc"));
        assertTrue(CsrfFilter.changesState("GET", "/start/abc"));
        assertFalse(CsrfFilter.changesState("GET", "/status/abc"));
        assertFalse(CsrfFilter.changesState("GET", "/removed-things"));
        assertFalse(CsrfFilter.changesState("HEAD", "/remove/abc"));
    }

    @Test
    void originAndRefererMustNameThisHost() {
        assertNull(CsrfFilter.crossSiteReason("localhost:5001", null, null, null));
        assertNull(CsrfFilter.crossSiteReason("localhost:5001", "http://localhost:5001", null, "same-origin"));
        assertNull(CsrfFilter.crossSiteReason("LocalHost:5001", "http://localhost:5001", null, null));
        assertNull(CsrfFilter.crossSiteReason("example.org", "http://example.org", null, null));
        assertNull(CsrfFilter.crossSiteReason("localhost:5001", null, "http://localhost:5001/docs", "none"));
        assertNotNull(CsrfFilter.crossSiteReason("localhost:5001", "http://localhost:5002", null, null));
        assertNotNull(CsrfFilter.crossSiteReason("localhost:5001", "http://evil.example", null, null));
        assertNotNull(CsrfFilter.crossSiteReason("localhost:5001", "null", null, null));
        assertNotNull(CsrfFilter.crossSiteReason("localhost:5001", null, "http://evil.example/x", null));
        assertNotNull(CsrfFilter.crossSiteReason("localhost:5001", null, null, "cross-site"));
        assertNotNull(CsrfFilter.crossSiteReason(null, "http://localhost:5001", null, null));
        // the Origin decides when both are sent
        assertNotNull(CsrfFilter.crossSiteReason("localhost:5001", "http://evil.example", "http://localhost:5001/", null));
    }
}
