package me.bittorrent.dht;

import com.dampcake.bencode.Bencode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import me.bittorrent.bencode.BencodeDecoder;
import me.bittorrent.bencode.BencodeException;
import me.bittorrent.bencode.BencodeLimits;

/**
 * The routing table on disk, so a restart rejoins without the bootstrap routers: a bencoded dictionary with our
 * node id ({@code id}) and the nodes in compact form ({@code nodes}), written to a temporary file and moved in
 * place (encoded with dampcake). Reading goes through the bounded {@link BencodeDecoder}, and a damaged file is
 * ignored (the node bootstraps as if it were absent).
 */
public final class RoutingTableFile {

    static final int MAX_BYTES = 64 * 1024;
    /** One dictionary of a few strings; room for keys a later version may add. */
    private static final BencodeLimits LIMITS = new BencodeLimits(MAX_BYTES, 4, 64);

    /** What a file held. */
    public record Saved(NodeId id, List<Contact> nodes) {
    }

    private RoutingTableFile() {
    }

    public static void save(Path file, NodeId id, List<Contact> nodes) throws IOException {
        byte[] compact = new byte[nodes.size() * Contact.COMPACT_LENGTH];
        for (int i = 0; i < nodes.size(); i++) {
            System.arraycopy(nodes.get(i).compact(), 0, compact, i * Contact.COMPACT_LENGTH, Contact.COMPACT_LENGTH);
        }
        Map<String, Object> m = new TreeMap<>();
        m.put("id", ByteBuffer.wrap(id.bytes()));
        m.put("nodes", ByteBuffer.wrap(compact));
        byte[] data = new Bencode(StandardCharsets.ISO_8859_1, true).encode(m);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, data);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The saved table, or empty when the file is absent, too big or damaged. */
    public static Optional<Saved> load(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
                return Optional.empty();
            }
            byte[] data = Files.readAllBytes(file);
            Map<String, Object> m = BencodeDecoder.decodeDictionary(data, LIMITS);
            if (!(m.get("id") instanceof ByteBuffer id) || id.remaining() != NodeId.LENGTH
                    || !(m.get("nodes") instanceof ByteBuffer nodes)
                    || nodes.remaining() % Contact.COMPACT_LENGTH != 0) {
                return Optional.empty();
            }
            byte[] idBytes = new byte[NodeId.LENGTH];
            id.duplicate().get(idBytes);
            byte[] compact = new byte[nodes.remaining()];
            nodes.duplicate().get(compact);
            List<Contact> contacts = new ArrayList<>();
            for (int off = 0; off < compact.length; off += Contact.COMPACT_LENGTH) {
                Contact c = Contact.compact(compact, off);
                if (c != null) {
                    contacts.add(c);
                }
            }
            return Optional.of(new Saved(new NodeId(idBytes), contacts));
        } catch (IOException | BencodeException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
