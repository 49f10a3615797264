package me.bittorrent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A chain of real libtorrent DHT nodes on 127.0.0.1 in one python process (peers/lt_dht_chain.py): node i knows
 * only nodes i-1 and i+1, so a lookup from one end must iterate to reach the other. Settings from
 * ../shared/real-peers-on-loopback.md (no IP restrictions, no flood blocking, fast announces).
 */
public final class LibtorrentDhtChain implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream stdin;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();

    private LibtorrentDhtChain(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread out = new Thread(this::readStdout, "lt-dht-chain-out");
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(() -> {
            try (BufferedReader r = process.errorReader(StandardCharsets.UTF_8)) {
                r.lines().forEach(l -> {
                    if (stderr.size() < 40) {
                        stderr.add(l);
                    }
                });
            } catch (IOException ignored) {
                // process ended
            }
        }, "lt-dht-chain-err");
        err.setDaemon(true);
        err.start();
    }

    /** Starts {@code n} nodes and waits until they listen. */
    public static LibtorrentDhtChain start(int n, Duration bound) throws IOException {
        Tools.requireTool("libtorrent");
        Process p = new ProcessBuilder(Tools.PYTHON, "-u", PeerScripts.path("lt_dht_chain.py").toString(),
                Integer.toString(n)).start();
        LibtorrentDhtChain chain = new LibtorrentDhtChain(p);
        chain.await(e -> "ready".equals(e.path("event").asText()), bound);
        return chain;
    }

    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        events.stream().filter(e -> "ready".equals(e.path("event").asText())).findFirst().orElseThrow()
                .path("ports").forEach(p -> ports.add(p.asInt()));
        return ports;
    }

    /** Node i adds 127.0.0.1:port as a DHT node (it pings it; an answer puts it in its table). */
    public void addNode(int i, int port) throws IOException {
        command("node " + i + " " + port);
    }

    /**
     * Node i adds the torrent by info-hash alone (as from a magnet link), so libtorrent announces it on the DHT
     * at node i's listen port. (python3-libtorrent 2.0.8 cannot call dht_announce: its flags type is not bound.)
     */
    public void addTorrent(int i, String infoHashHex) throws IOException {
        command("add " + i + " " + infoHashHex);
    }

    /** Node i seeds {@code torrent} from {@code dir} (data trusted), announcing it only on the DHT. */
    public void seed(int i, java.nio.file.Path torrent, java.nio.file.Path dir) throws IOException {
        command("seed " + i + " " + torrent.toAbsolutePath() + " " + dir.toAbsolutePath());
    }

    /**
     * A libtorrent node outside the chain whose only DHT contact is 127.0.0.1:{@code port} (its bootstrap node):
     * returns its index for the other commands.
     */
    public int lone(int port, Duration bound) throws IOException {
        int before = (int) events.stream().filter(e -> "lone".equals(e.path("event").asText())).count();
        command("lone " + port);
        return await(e -> "lone".equals(e.path("event").asText()), before, bound).path("node").asInt();
    }

    /** The TCP/UDP listen port of node i (a chain node or a lone one). */
    public int port(int i) {
        if (i < ports().size()) {
            return ports().get(i);
        }
        return events.stream().filter(e -> "lone".equals(e.path("event").asText()) && e.path("node").asInt() == i)
                .findFirst().orElseThrow().path("port").asInt();
    }

    /**
     * Node i downloads the torrent knowing only its info-hash (a magnet link without trackers or peers), so
     * metadata and peers come through the DHT; see {@link #finished}.
     */
    public void magnet(int i, String infoHashHex, java.nio.file.Path dir) throws IOException {
        command("magnet " + i + " " + infoHashHex.toLowerCase(java.util.Locale.ROOT) + " " + dir.toAbsolutePath());
    }

    /** Node i downloads {@code torrent} into {@code dir}, with peers from the DHT only; see {@link #finished}. */
    public void leech(int i, java.nio.file.Path torrent, java.nio.file.Path dir) throws IOException {
        command("leech " + i + " " + torrent.toAbsolutePath() + " " + dir.toAbsolutePath());
    }

    /** Node i has every piece of the torrent it leeches with this info-hash. */
    public boolean finished(int i, String infoHashHex) {
        return events.stream().anyMatch(e -> "finished".equals(e.path("event").asText())
                && e.path("node").asInt() == i && infoHashHex.equalsIgnoreCase(e.path("hash").asText()));
    }

    /** Node i runs an iterative get_peers; answers arrive as "peers" events. */
    public void getPeers(int i, String infoHashHex) throws IOException {
        command("get_peers " + i + " " + infoHashHex);
    }

    /** Routing table sizes of every node. */
    public List<Integer> tableSizes(Duration bound) throws IOException {
        int before = (int) events.stream().filter(e -> "stats".equals(e.path("event").asText())).count();
        command("stats");
        JsonNode stats = await(e -> "stats".equals(e.path("event").asText()), before, bound);
        List<Integer> sizes = new ArrayList<>();
        stats.path("nodes").forEach(n -> sizes.add(n.asInt()));
        return sizes;
    }

    /** Every peer address ("ip:port") node i's get_peers lookups have reported so far. */
    public List<String> peersFound(int i, String infoHashHex) {
        List<String> peers = new ArrayList<>();
        for (JsonNode e : events) {
            if ("peers".equals(e.path("event").asText()) && e.path("node").asInt() == i
                    && infoHashHex.equalsIgnoreCase(e.path("hash").asText())) {
                e.path("peers").forEach(p -> peers.add(p.asText()));
            }
        }
        return peers;
    }

    public JsonNode await(Predicate<JsonNode> condition, Duration bound) {
        return await(condition, 0, bound);
    }

    private JsonNode await(Predicate<JsonNode> condition, int skip, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            List<JsonNode> matching = events.stream().filter(condition).toList();
            if (matching.size() > skip) {
                return matching.get(skip);
            }
            if (!process.isAlive()) {
                break;
            }
            try {
                Thread.sleep(20); // polling interval of a bounded wait, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("libtorrent DHT chain: condition not met within " + bound + "; alive="
                + process.isAlive() + " events=" + events + " stderr=" + stderr);
    }

    private synchronized void command(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                try {
                    events.add(JSON.readTree(line));
                } catch (IOException e) {
                    stderr.add("stdout: " + line);
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
