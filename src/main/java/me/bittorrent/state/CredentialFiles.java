package me.bittorrent.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The sign-in files of the state folder (BLOCKING: call at start-up or from a worker thread):
 * <pre>
 *   auth/credentials.json   {@link StoredCredentials}
 *   auth/session.key        32 random bytes that sign the session cookies, so sessions survive a restart
 * </pre>
 * A folder of their own: the torrent repository clears leftover temp files of the state folder while the service
 * starts, at the moment these files may be written.
 * Both are replaced atomically ({@link AtomicFiles}) and readable by the owner only (mode 600). Callers
 * serialise their writes (one writer: the auth layer's Credentials bean, under its lock).
 */
@ApplicationScoped
public class CredentialFiles {

    static final int KEY_BYTES = 32;

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    @Inject
    public CredentialFiles(@ConfigProperty(name = "bt.state-dir") Path stateDir) {
        this.dir = stateDir.toAbsolutePath().normalize().resolve("auth");
    }

    public Path credentialsFile() {
        return dir.resolve("credentials.json");
    }

    public Path sessionKeyFile() {
        return dir.resolve("session.key");
    }

    /** The saved credentials, {@link StoredCredentials#NONE} when there is no file; a damaged file is an error. */
    public StoredCredentials load() throws IOException {
        try {
            return json.readValue(Files.readAllBytes(credentialsFile()), StoredCredentials.class);
        } catch (NoSuchFileException e) {
            return StoredCredentials.NONE;
        }
    }

    public void save(StoredCredentials credentials) throws IOException {
        AtomicFiles.writePrivate(credentialsFile(), json.writeValueAsBytes(credentials));
    }

    /** The session signing key, made (and saved) on first use. A key file of the wrong size is replaced. */
    public byte[] loadOrCreateSessionKey() throws IOException {
        Path file = sessionKeyFile();
        try {
            byte[] key = Files.readAllBytes(file);
            if (key.length == KEY_BYTES) {
                return key;
            }
        } catch (NoSuchFileException e) {
            // first start
        }
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        AtomicFiles.writePrivate(file, key);
        return key;
    }
}
