package me.bittorrent.engine.session;

/**
 * What a session needs of the DHT inside the peer protocol (BEP 5): our DHT port, sent in a PORT message to peers
 * whose handshake has the DHT bit (0 = the DHT is off or the torrent is private: no bit, no message); and where a
 * peer's PORT message goes. Implementations are safe from any thread.
 */
public interface DhtLink {

    DhtLink NONE = new DhtLink() {
        @Override
        public int port() {
            return 0;
        }

        @Override
        public void nodeSeen(String host, int port) {
        }
    };

    /** Our DHT node's UDP port, 0 when there is none for this torrent. */
    int port();

    /** A peer at {@code host} runs a DHT node on UDP {@code port}. */
    void nodeSeen(String host, int port);
}
