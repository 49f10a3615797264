package me.bittorrent.dht;

/**
 * Checks a UDP payload before the bencode library decodes it, so a hostile packet cannot make it allocate or
 * recurse: every claimed string length is checked against the bytes left, integers are at most 19 digits,
 * nesting and token counts are capped, and the packet is exactly one dictionary with nothing after it.
 * (metainfo.BencodeScanner does the same for .torrent files with file-sized limits; this one is packet-sized and
 * kept local to the DHT so the two evolve independently.)
 */
final class BoundedBencode {

    static final int MAX_PACKET = 8 * 1024;
    static final int MAX_DEPTH = 8;
    static final int MAX_TOKENS = 1024;

    private final byte[] data;
    private int pos;
    private int tokens;

    private BoundedBencode(byte[] data) {
        this.data = data;
    }

    static void check(byte[] data) throws KrpcException {
        if (data.length == 0 || data.length > MAX_PACKET) {
            throw new KrpcException("packet of " + data.length + " bytes (1.." + MAX_PACKET + " allowed)");
        }
        if (data[0] != 'd') {
            throw new KrpcException("not a bencoded dictionary");
        }
        BoundedBencode b = new BoundedBencode(data);
        b.value(0);
        if (b.pos != data.length) {
            throw new KrpcException("extra bytes after the message");
        }
    }

    private void value(int depth) throws KrpcException {
        if (depth > MAX_DEPTH) {
            throw new KrpcException("nested deeper than " + MAX_DEPTH);
        }
        if (++tokens > MAX_TOKENS) {
            throw new KrpcException("more than " + MAX_TOKENS + " values");
        }
        byte b = at(pos);
        if (b == 'i') {
            pos++;
            int start = pos;
            if (at(pos) == '-') {
                pos++;
            }
            digits(19);
            if (at(pos) != 'e' || pos == start) {
                throw new KrpcException("bad integer");
            }
            pos++;
        } else if (b == 'l' || b == 'd') {
            pos++;
            boolean dict = b == 'd';
            while (at(pos) != 'e') {
                if (dict) {
                    if (at(pos) < '0' || at(pos) > '9') {
                        throw new KrpcException("dictionary key is not a string");
                    }
                    string();
                }
                value(depth + 1);
            }
            pos++;
        } else if (b >= '0' && b <= '9') {
            string();
        } else {
            throw new KrpcException("not bencode at byte " + pos);
        }
    }

    private void string() throws KrpcException {
        if (++tokens > MAX_TOKENS) {
            throw new KrpcException("more than " + MAX_TOKENS + " values");
        }
        long length = digits(5);
        if (at(pos) != ':') {
            throw new KrpcException("bad string length");
        }
        pos++;
        if (length > data.length - pos) {
            throw new KrpcException("string of " + length + " bytes claimed, " + (data.length - pos) + " left");
        }
        pos += (int) length;
    }

    private long digits(int max) throws KrpcException {
        long v = 0;
        int n = 0;
        while (pos < data.length && data[pos] >= '0' && data[pos] <= '9') {
            if (++n > max) {
                throw new KrpcException("number longer than " + max + " digits");
            }
            v = v * 10 + (data[pos++] - '0');
        }
        if (n == 0) {
            throw new KrpcException("missing number");
        }
        return v;
    }

    private byte at(int i) throws KrpcException {
        if (i >= data.length) {
            throw new KrpcException("truncated");
        }
        return data[i];
    }
}
