package me.bittorrent.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import me.bittorrent.magnet.InvalidMagnetException;
import me.bittorrent.magnet.MagnetLink;
import me.bittorrent.magnet.MagnetParser;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.tracker.PeerAddress;

/** What a magnet link gives the registry: its trackers and peers, the .torrent made from fetched metadata. */
final class MagnetTorrents {

    private MagnetTorrents() {
    }

    /** The stored magnet link, parsed again (it was valid when added), or null. */
    static MagnetLink parse(String uri) {
        try {
            return uri == null ? null : MagnetParser.parse(uri);
        } catch (InvalidMagnetException e) {
            return null;
        }
    }

    /** Every {@code tr} in a tier of its own, so each is asked (as libtorrent does for a magnet's trackers). */
    static List<List<String>> tiers(MagnetLink magnet) {
        List<List<String>> tiers = new ArrayList<>();
        if (magnet != null) {
            magnet.trackers().forEach(tracker -> tiers.add(List.of(tracker)));
        }
        return tiers;
    }

    /** The {@code x.pe} peers. */
    static List<PeerAddress> peers(MagnetLink magnet) {
        return magnet == null ? List.of()
                : magnet.peers().stream().map(p -> new PeerAddress(p.host(), p.port())).toList();
    }

    /**
     * A .torrent around the fetched info dictionary, exactly as fetched (its SHA-1 is the info-hash), with the
     * magnet's trackers as {@code announce} and {@code announce-list} (keys in bencode order).
     */
    static byte[] torrentFile(byte[] info, List<String> trackers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(info.length + 256);
        write(out, "d");
        if (!trackers.isEmpty()) {
            write(out, "8:announce");
            string(out, trackers.get(0));
            write(out, "13:announce-listl");
            for (String tracker : trackers) {
                write(out, "l");
                string(out, tracker);
                write(out, "e");
            }
            write(out, "e");
        }
        write(out, "4:info");
        out.write(info, 0, info.length);
        write(out, "e");
        return out.toByteArray();
    }

    /** BEP 53 {@code so}: the selection by displayed path (every file when the magnet selects none). */
    static Map<String, Boolean> selection(TorrentMeta meta, MagnetLink magnet) {
        Map<String, Boolean> selection = new LinkedHashMap<>();
        List<TorrentFile> files = meta.files();
        for (int i = 0; i < files.size(); i++) {
            TorrentFile file = files.get(i);
            if (!file.padding()) {
                selection.put(file.displayPath(), magnet == null || magnet.selects(i));
            }
        }
        return selection;
    }

    private static void string(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        write(out, bytes.length + ":");
        out.write(bytes, 0, bytes.length);
    }

    private static void write(ByteArrayOutputStream out, String ascii) {
        byte[] bytes = ascii.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes, 0, bytes.length);
    }
}
