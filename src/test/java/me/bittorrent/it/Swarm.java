package me.bittorrent.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import java.util.List;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.testing.Opentracker;
import me.bittorrent.testing.TorrentBuilder;

/**
 * One real opentracker for a test class, and the torrents announced to it: each new torrent's info-hash is added
 * to the tracker's whitelist (opentracker from Debian only tracks whitelisted hashes).
 */
final class Swarm implements AutoCloseable {

    private final Opentracker tracker;
    private final List<InfoHash> whitelisted = new ArrayList<>();

    private Swarm(Opentracker tracker) {
        this.tracker = tracker;
    }

    static Swarm start() throws IOException, InterruptedException {
        return new Swarm(Opentracker.start());
    }

    Opentracker tracker() {
        return tracker;
    }

    /** A v1 torrent of {@code content} announcing to {@code announceUrl}, whitelisted; written to {@code out}. */
    synchronized Path torrent(Path content, int pieceLength, String announceUrl, Path out)
            throws IOException, InterruptedException {
        TorrentBuilder builder = TorrentBuilder.of(content).pieceLength(pieceLength).announce(announceUrl);
        // the new hash first: Opentracker.whitelist returns once the FIRST hash is accepted (reload done)
        whitelisted.add(0, InfoHash.fromHex(builder.infoHashHex()));
        tracker.whitelist(whitelisted.toArray(InfoHash[]::new));
        return builder.writeTo(out);
    }

    /**
     * Waits until the tracker counts at least {@code leechers} incomplete peers of the torrent (HTTP scrape),
     * i.e. they have announced and a peer announcing now gets their addresses.
     */
    void awaitLeechers(String infoHashHex, int leechers, Duration timeout) throws IOException, InterruptedException {
        awaitScrape(infoHashHex, INCOMPLETE, leechers, timeout, "leechers");
    }

    /** As {@link #awaitLeechers}, for complete peers (seeds). */
    void awaitSeeders(String infoHashHex, int seeders, Duration timeout) throws IOException, InterruptedException {
        awaitScrape(infoHashHex, COMPLETE, seeders, timeout, "seeders");
    }

    private void awaitScrape(String infoHashHex, Pattern field, int atLeast, Duration timeout, String what)
            throws IOException, InterruptedException {
        StringBuilder escaped = new StringBuilder();
        for (byte b : InfoHash.fromHex(infoHashHex).bytes()) {
            escaped.append('%').append(String.format("%02X", b & 0xFF));
        }
        URI scrape = URI.create("http://127.0.0.1:" + tracker.port() + "/scrape?info_hash=" + escaped);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = http.send(HttpRequest.newBuilder(scrape).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1)).body();
            Matcher m = field.matcher(body);
            if (m.find() && Integer.parseInt(m.group(1)) >= atLeast) {
                return;
            }
            ServiceClient.pause(ServiceClient.POLL);
        }
        throw new AssertionError("the tracker did not see " + atLeast + " " + what + " within " + timeout
                + "; scrape: " + body);
    }

    private static final Pattern INCOMPLETE = Pattern.compile("10:incompletei(\\d+)e");
    private static final Pattern COMPLETE = Pattern.compile("8:completei(\\d+)e");

    static String infoHash(Path content, int pieceLength) {
        return TorrentBuilder.of(content).pieceLength(pieceLength).infoHashHex();
    }

    @Override
    public void close() {
        tracker.close();
    }
}
