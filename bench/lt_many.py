#!/usr/bin/python3
"""libtorrent's side of the many-torrents scenario: one session (libtorrent's default settings, on loopback),
every .torrent of TORRENT_DIR added, the first STARTED of them started and the others paused, as a user of a
libtorrent client would have them. Prints "ready" once they are all added, then idles until stdin closes.

usage: lt_many.py TORRENT_DIR SAVE_PATH STARTED
"""
import os
import sys

import libtorrent as lt


def main():
    folder, save, started = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pack = lt.default_settings()
    pack.update({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                 "enable_upnp": False, "enable_natpmp": False, "ssrf_mitigation": False})
    ses = lt.session(pack)
    for i, name in enumerate(sorted(os.listdir(folder))):
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(os.path.join(folder, name))
        params.save_path = save
        # not auto-managed: libtorrent's queue does not pause any of the started ones
        flags = params.flags & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
        if i >= started:
            flags |= lt.torrent_flags.paused
        params.flags = flags
        ses.add_torrent(params)
    print("ready", flush=True)
    sys.stdin.read()  # idle until the harness closes stdin
    os._exit(0)  # skip the teardown (announces 'stopped' to a tracker that is not there)


if __name__ == "__main__":
    main()
