package me.bittorrent.tracker;

/** A peer a tracker told us about: an IP address (or host name, in the dictionary form) and a TCP port. */
public record PeerAddress(String host, int port) {

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
