package me.bittorrent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The python scripts under src/test/resources/peers/, as files a process can run. */
final class PeerScripts {

    private PeerScripts() {
    }

    static Path path(String name) {
        URL url = PeerScripts.class.getResource("/peers/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource peers/" + name + " is not on the classpath");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            // inside a jar: copy it out once per JVM
            Path copy = Files.createTempDirectory("bt-peers-").resolve(name);
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            copy.toFile().deleteOnExit();
            copy.getParent().toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
