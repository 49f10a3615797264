package me.bittorrent.testing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives every @QuarkusTest boot its own fresh state and download folders under target/test-data, so runs never see
 * each other's torrents. Global (applies to every @QuarkusTest without adding a boot).
 */
@QuarkusTestResource(FreshFolders.class)
public class FreshFolders implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            Path base = Files.createDirectories(Path.of("target", "test-data"));
            Path run = Files.createTempDirectory(base.toAbsolutePath(), "run-");
            return Map.of(
                    "bt.state-dir", run.resolve("state").toString(),
                    "bt.download-dir", run.resolve("downloads").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // kept for inspection; target/ is cleaned by the build
    }
}
