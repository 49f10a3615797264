package me.bittorrent.bencode;

import me.bittorrent.text.RemoteText;

/** Bytes and keys from the input quoted safely in error messages. */
final class Printable {

    private Printable() {
    }

    static String of(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }

    static String of(String key) {
        return RemoteText.clean(key, 64);
    }
}
