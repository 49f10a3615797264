"""A libtorrent seeder on loopback for the wire tests.

Creates a random 1 MiB file and a v1 torrent of it (64 KiB pieces), seeds it on 127.0.0.1 and prints three
lines on stdout: the info-hash (hex), the listen port, the file path. Runs until stdin closes, then removes the file.
"""
import os
import shutil
import sys
import tempfile
import time

import libtorrent as lt

workdir = tempfile.mkdtemp(prefix="wire-seeder-")
try:
    path = os.path.join(workdir, "payload.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(1 << 20))

    fs = lt.file_storage()
    lt.add_files(fs, path)
    ct = lt.create_torrent(fs, 16384 * 4, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(ct, workdir)
    info = lt.torrent_info(ct.generate())

    settings = lt.high_performance_seed()
    settings.update({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
    })
    session = lt.session(settings)

    params = lt.add_torrent_params()
    params.ti = info
    params.save_path = workdir
    params.flags = lt.torrent_flags.seed_mode
    session.add_torrent(params)

    deadline = time.time() + 20
    while session.listen_port() == 0 and time.time() < deadline:
        time.sleep(0.05)

    print(str(info.info_hashes().v1), flush=True)
    print(session.listen_port(), flush=True)
    print(path, flush=True)
    sys.stdin.read()  # the test closes stdin (or dies) when done
finally:
    shutil.rmtree(workdir, ignore_errors=True)
