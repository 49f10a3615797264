package me.bittorrent.metainfo;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BEP 12 tracker tiers from 'announce-list', or one tier holding 'announce' when the list gives none. Tracker
 * URLs are optional data: empty, malformed or mistyped entries and repeats are skipped, never a reason to reject.
 * The tiers keep the file's order; shuffling within a tier is the tracker code's job.
 */
final class AnnounceTiers {

    private AnnounceTiers() {
    }

    static List<List<String>> from(Map<String, Object> top) {
        Set<String> seen = new HashSet<>();
        List<List<String>> tiers = new ArrayList<>();
        if (top.get("announce-list") instanceof List<?> list) {
            for (Object tier : list) {
                if (!(tier instanceof List<?> urls)) {
                    continue;
                }
                List<String> kept = new ArrayList<>();
                for (Object url : urls) {
                    String usable = usable(url);
                    if (usable != null && seen.add(usable)) {
                        kept.add(usable);
                    }
                }
                if (!kept.isEmpty()) {
                    tiers.add(kept);
                }
            }
        }
        String announce = usable(top.get("announce"));
        if (tiers.isEmpty() && announce != null) {
            tiers.add(List.of(announce));
        }
        return tiers;
    }

    /** The trimmed URL when it is a string and an absolute URI with a host part, else null. */
    private static String usable(Object value) {
        if (!(value instanceof ByteBuffer bytes)) {
            return null;
        }
        String url = MetainfoParser.text(bytes).trim();
        try {
            URI uri = new URI(url);
            return uri.getScheme() != null && uri.getRawAuthority() != null ? url : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
