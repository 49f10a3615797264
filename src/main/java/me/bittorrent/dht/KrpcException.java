package me.bittorrent.dht;

/** A KRPC packet we drop: not bencode, over a limit, or missing what BEP 5 requires. */
public final class KrpcException extends Exception {

    public KrpcException(String message) {
        super(message, null, false, false); // dropped packets are common: no stack trace to fill
    }
}
