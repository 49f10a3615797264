package me.bittorrent.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The temporary folder multipart uploads are written to before a resource sees them
 * ({@code quarkus.http.body.uploads-directory}). When it cannot be written the body handler fails deep inside
 * Quarkus (a wrapped file-system exception, or a null upload); {@link ErrorMappers} asks here to say so in words.
 */
@ApplicationScoped
public class UploadFolder {

    @ConfigProperty(name = "quarkus.http.body.uploads-directory", defaultValue = "${java.io.tmpdir}/uploads")
    String directory;

    /** Why uploads cannot be stored now, or empty when the folder is (or can be made) a writable folder. */
    public Optional<String> problem() {
        Path folder = Path.of(directory).toAbsolutePath();
        String reason;
        if (Files.isDirectory(folder)) {
            if (Files.isWritable(folder)) {
                return Optional.empty();
            }
            reason = "permission denied";
        } else if (Files.exists(folder)) {
            reason = "a file of that name is in the way";
        } else {
            try {
                Files.createDirectories(folder);
                return Optional.empty();
            } catch (IOException e) {
                reason = "it cannot be created (" + e.getClass().getSimpleName() + ")";
            }
        }
        return Optional.of("The temporary upload folder " + folder + " is not writable: " + reason
                + ". Set QUARKUS_HTTP_BODY_UPLOADS_DIRECTORY to a writable folder");
    }
}
