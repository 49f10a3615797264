package me.bittorrent.api.qbittorrent;

import me.bittorrent.testing.Tools;

import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real qbittorrent-nox (Debian's) on loopback with a profile of its own, as the reference for WebAPI shapes.
 * Signs in with the temporary password it prints (4.6.1 and later) or the old default "adminadmin".
 */
final class QbittorrentNox implements AutoCloseable {

    private static final Pattern TEMPORARY = Pattern.compile("temporary password is provided for this session: (\\S+)");

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(5)).build();
    final String base;

    QbittorrentNox(Path profile) throws IOException, InterruptedException {
        Tools.requireTool("qbittorrent-nox");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        base = "http://127.0.0.1:" + port + "/api/v2/";
        Files.createDirectories(profile);
        List<String> command = new ArrayList<>(List.of("qbittorrent-nox", "--profile=" + profile,
                "--webui-port=" + port));
        if (majorVersion() >= 5) {
            command.add("--confirm-legal-notice"); // 5.0 and later refuse to start otherwise
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // versions before 5 ask to accept the legal notice on stdin
        process.getOutputStream().write("y\n".getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
        Thread reader = new Thread(() -> copy(process.getInputStream()), "qbittorrent-nox output");
        reader.setDaemon(true);
        reader.start();
        login();
    }

    /** From "qBittorrent v4.5.2"; 0 when it cannot be told. */
    private static int majorVersion() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("qbittorrent-nox", "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        Matcher m = Pattern.compile("v(\\d+)\\.").matcher(out);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private void login() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = TEMPORARY.matcher(output);
            String password = m.find() ? m.group(1) : "adminadmin";
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "auth/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=" + password)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().equals("Ok.")) {
                    return;
                }
            } catch (IOException notYetListening) {
                // bounded retry below
            }
            if (!process.isAlive()) {
                throw new AssertionError("qbittorrent-nox ended: " + output);
            }
            Thread.sleep(200); // bounded wait for its Web UI to listen
        }
        throw new AssertionError("qbittorrent-nox did not accept a login within 30 s: " + output);
    }

    String get(String method) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + method)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("qbittorrent-nox " + method + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** torrents/add with one .torrent, stopped. */
    void add(byte[] torrent) throws IOException, InterruptedException {
        add(torrent, java.util.Map.of());
    }

    /** torrents/add with one .torrent, stopped, and more form fields (savepath, contentLayout ...). */
    void add(byte[] torrent, java.util.Map<String, String> fields) throws IOException, InterruptedException {
        String boundary = UUID.randomUUID().toString();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"torrents\"; filename=\"t.torrent\""
                + "\r\nContent-Type: application/x-bittorrent\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder more = new StringBuilder();
        fields.forEach((name, value) -> more.append("\r\n--").append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n").append(value));
        byte[] tail = (more + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"paused\"\r\n\r\ntrue\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"stopped\"\r\n\r\ntrue\r\n--" + boundary
                + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + torrent.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(torrent, 0, body, head.length, torrent.length);
        System.arraycopy(tail, 0, body, head.length + torrent.length, tail.length);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "torrents/add"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().equals("Ok.")) {
            throw new AssertionError("qbittorrent-nox refused the torrent: " + r.statusCode() + " " + r.body());
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
