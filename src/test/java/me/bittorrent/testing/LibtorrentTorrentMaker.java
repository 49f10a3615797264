package me.bittorrent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes .torrent files with libtorrent (peers/lt_make.py), i.e. with another client than ours: proof that
 * our parser reads what the rest of the world writes.
 *
 * <pre>
 * MadeTorrent t = LibtorrentTorrentMaker.make(contentDir, tmp.resolve("x.torrent"), 256 * 1024,
 *         "http://127.0.0.1:" + trackerPort + "/announce");
 * </pre>
 */
public final class LibtorrentTorrentMaker {

    /** The written torrent, its v1 info-hash (40 lower-case hex), name, piece count and payload size. */
    public record MadeTorrent(Path torrent, String infoHash, String name, int pieces, long totalSize) {
    }

    private LibtorrentTorrentMaker() {
    }

    /** A plain v1 torrent (no padding files); each announce URL is its own tier. pieceSize 0 = automatic. */
    public static MadeTorrent make(Path content, Path out, int pieceSize, String... announceUrls)
            throws IOException {
        List<String> extra = new ArrayList<>();
        for (String url : announceUrls) {
            extra.add("--announce");
            extra.add(url);
        }
        return make(content, out, pieceSize, extra);
    }

    /**
     * Full control: {@code extraArgs} are lt_make.py options, e.g. {@code --hybrid} (v1+v2 with BEP 47
     * padding files), {@code --private}, {@code --tier URL,URL}, {@code --comment TEXT}.
     */
    public static MadeTorrent make(Path content, Path out, int pieceSize, List<String> extraArgs)
            throws IOException {
        Tools.requireTool("libtorrent");
        List<String> cmd = new ArrayList<>(List.of(Tools.PYTHON, PeerScripts.path("lt_make.py").toString(),
                content.toString(), out.toString(), "--piece-size", Integer.toString(pieceSize)));
        cmd.addAll(extraArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("lt_make.py failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while making a torrent", e);
        }
        String last = output.strip();
        last = last.substring(last.lastIndexOf('\n') + 1);
        JsonNode json = new ObjectMapper().readTree(last);
        return new MadeTorrent(Path.of(json.get("torrent").asText()), json.get("info_hash").asText(),
                json.get("name").asText(), json.get("pieces").asInt(), json.get("total_size").asLong());
    }
}
