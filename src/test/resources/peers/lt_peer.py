#!/usr/bin/python3
"""A real libtorrent (python3-libtorrent 2.0) peer on loopback, driven by tests and the benchmark.

usage: lt_peer.py {seed,leech} TORRENT SAVE_PATH [--port N] [--peer HOST:PORT ...]
                  [--download-limit BYTES_PER_S] [--upload-limit BYTES_PER_S] [--seed-mode]
                  [--no-trackers] [--recheck-on-finish]

Prints one JSON object per line on stdout (flushed), the "event" key says which:
  {"event":"ready","port":P,"info_hash":"40 hex","state":...,"progress":...}  listening, files checked
  {"event":"progress","state":...,"progress":0..1,"download_rate":B/s,"upload_rate":B/s,"num_peers":n,
   "num_seeds":n,"total_done":bytes,"total_download":bytes,"total_upload":bytes,"hash_failures":n}  ~1/s
  {"event":"finished", ...same fields as progress...}  a leech has every piece, each one verified by
                                                       libtorrent's SHA-1 check (and re-checked from disk
                                                       with --recheck-on-finish)
  {"event":"log","kind":...,"message":...}             tracker replies/errors, hash failures, bans, errors
  {"event":"error","message":...}                      fatal; the process exits with status 2
--peer addresses are dialled once ready, and again every 5 s until each one has been connected once.
It exits when stdin closes (or on SIGTERM/SIGINT). Diagnostics go to stderr.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

import libtorrent as lt

STATES = {
    lt.torrent_status.checking_files: "checking",
    lt.torrent_status.downloading_metadata: "downloading_metadata",
    lt.torrent_status.downloading: "downloading",
    lt.torrent_status.finished: "finished",
    lt.torrent_status.seeding: "seeding",
    lt.torrent_status.checking_resume_data: "checking_resume_data",
}


def emit(event, **fields):
    fields = dict(event=event, **fields)
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def parse_args():
    p = argparse.ArgumentParser(description="libtorrent peer on 127.0.0.1 (JSON lines on stdout)")
    p.add_argument("mode", choices=["seed", "leech"])
    p.add_argument("torrent")
    p.add_argument("save_path")
    p.add_argument("--port", type=int, default=0, help="listen port on 127.0.0.1; 0 picks a free one")
    p.add_argument("--peer", action="append", default=[], metavar="HOST:PORT",
                   help="also dial this peer directly (repeatable)")
    p.add_argument("--download-limit", type=int, default=0, help="bytes/s, 0 = unlimited")
    p.add_argument("--upload-limit", type=int, default=0, help="bytes/s, 0 = unlimited")
    p.add_argument("--seed-mode", action="store_true",
                   help="seed: trust the data on disk without hashing it first (it must be correct)")
    p.add_argument("--no-trackers", action="store_true", help="do not announce to the torrent's trackers")
    p.add_argument("--lsd", action="store_true",
                   help="local service discovery (BEP 14) on the listen interface (127.0.0.1: the loopback only)")
    p.add_argument("--recheck-on-finish", action="store_true",
                   help="leech: re-hash every piece from disk before reporting finished")
    args = p.parse_args()
    for peer in args.peer:
        host, _, port = peer.rpartition(":")
        if not host or not port.isdigit():
            p.error("--peer wants HOST:PORT, got %r" % peer)
    return args


def settings_for(args):
    pack = lt.high_performance_seed() if args.mode == "seed" else lt.default_settings()
    pack.update({
        "listen_interfaces": "127.0.0.1:%d" % args.port,
        "outgoing_interfaces": "",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        # TCP only: the client under test speaks TCP, and uTP on loopback only muddies measurements.
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_tcp": True,
        "enable_incoming_tcp": True,
        # every peer of a loopback swarm is 127.0.0.1
        "allow_multiple_connections_per_ip": True,
        # the tracker is on 127.0.0.1 too; never refuse to talk to it
        "ssrf_mitigation": False,
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "stop_tracker_timeout": 1,
        "alert_mask": (lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
                       | lt.alert.category_t.tracker_notification | lt.alert.category_t.storage_notification
                       | lt.alert.category_t.peer_notification),
    })
    if args.lsd:
        pack["enable_lsd"] = True
    return pack


def status_fields(st):
    return dict(state=STATES.get(st.state, str(st.state)), progress=round(st.progress, 6),
                download_rate=st.download_payload_rate, upload_rate=st.upload_payload_rate,
                num_peers=st.num_peers, num_seeds=st.num_seeds, total_done=st.total_done,
                total_download=st.total_payload_download, total_upload=st.total_payload_upload,
                total_wanted=st.total_wanted)


def main():
    args = parse_args()
    stop = threading.Event()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    magnet = args.torrent.startswith("magnet:")
    if magnet:
        # a magnet link: the metadata comes from the peers (ut_metadata)
        info = None
        params = lt.parse_magnet_uri(args.torrent)
    else:
        info = lt.torrent_info(args.torrent)
        params = lt.add_torrent_params()
        params.ti = info
    ses = lt.session(settings_for(args))
    params.save_path = args.save_path
    flags = params.flags & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    if args.mode == "seed" and args.seed_mode:
        flags |= lt.torrent_flags.seed_mode
    params.flags = flags
    if args.no_trackers:
        params.trackers = []
        params.flags |= lt.torrent_flags.override_trackers
    handle = ses.add_torrent(params)
    if args.download_limit:
        handle.set_download_limit(args.download_limit)
    if args.upload_limit:
        handle.set_upload_limit(args.upload_limit)

    if magnet:
        info_hash = str(params.info_hashes.v1)
    else:
        info_hash = str(info.info_hashes().v1) if hasattr(info, "info_hashes") else str(info.info_hash())
    port = 0
    ready = False
    finished = False
    next_dial = 0.0
    met = set()
    hash_failures = 0
    rechecking = False
    next_progress = 0.0

    while not stop.is_set():
        ses.wait_for_alert(250 if not ready else 1000)
        for a in ses.pop_alerts():
            if isinstance(a, lt.listen_succeeded_alert) and a.socket_type == lt.socket_type_t.tcp:
                port = a.port
            elif isinstance(a, lt.listen_failed_alert):
                emit("error", message="cannot listen: " + a.message())
                return 2
            elif isinstance(a, lt.hash_failed_alert):
                hash_failures += 1
                emit("log", kind="hash_failed", message=a.message())
            elif isinstance(a, (lt.tracker_error_alert, lt.tracker_warning_alert, lt.tracker_reply_alert,
                                lt.peer_ban_alert, lt.file_error_alert, lt.torrent_error_alert)):
                emit("log", kind=type(a).__name__.replace("_alert", ""), message=a.message())
            elif isinstance(a, lt.torrent_finished_alert) and ready and not rechecking:
                if args.mode == "leech" and args.recheck_on_finish:
                    rechecking = True
                    handle.force_recheck()
                elif args.mode == "leech" and not finished:
                    finished = True
                    emit("finished", hash_failures=hash_failures, **status_fields(handle.status()))

        st = handle.status()
        if not ready:
            if port == 0:
                port = ses.listen_port()
            if port and st.state not in (lt.torrent_status.checking_files,
                                         lt.torrent_status.checking_resume_data):
                if args.mode == "seed" and not st.is_seeding:
                    emit("error", message="seed data is incomplete or wrong: %.4f of the torrent verified in %s"
                         % (st.progress, args.save_path))
                    return 2
                ready = True
                emit("ready", port=port, info_hash=info_hash, name=info.name() if info else st.name, **status_fields(st))
                if args.mode == "leech" and st.is_seeding and not finished:
                    finished = True  # the data was already all there
                    emit("finished", hash_failures=hash_failures, **status_fields(st))
        if ready and args.peer and time.monotonic() >= next_dial:
            # dial the given peers; again every 5 s until each one has been connected once (it may not have
            # been listening yet), never after that (a peer that hung up on purpose stays away)
            next_dial = time.monotonic() + 5.0
            met.update((pi.ip[0], pi.ip[1]) for pi in handle.get_peer_info())
            for peer in args.peer:
                host, _, p = peer.rpartition(":")
                if (host, int(p)) not in met:
                    handle.connect_peer((host, int(p)))
        if rechecking and not finished and st.state not in (lt.torrent_status.checking_files,
                                                            lt.torrent_status.checking_resume_data):
            if st.is_seeding:
                finished = True
                emit("finished", hash_failures=hash_failures, rechecked=True, **status_fields(st))
            else:
                rechecking = False  # the recheck found damage; libtorrent downloads it again
                emit("log", kind="recheck_failed", message="recheck found %.4f verified" % st.progress)
        now = time.monotonic()
        if ready and now >= next_progress:
            next_progress = now + 1.0
            emit("progress", hash_failures=hash_failures, **status_fields(st))

    ses.pause()
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except SystemExit as e:  # argparse errors
        code = e.code if isinstance(e.code, int) else 2
    except BaseException as e:  # report it on the JSON channel, then leave without a traceback dance
        import traceback
        traceback.print_exc()
        emit("error", message="%s: %s" % (type(e).__name__, e))
        code = 2
    sys.stdout.flush()
    sys.stderr.flush()
    # skip libtorrent's teardown (it may wait on a tracker that is already gone)
    os._exit(code)
