#!/usr/bin/python3
"""A chain of libtorrent DHT nodes on 127.0.0.1 for interop tests (each node knows only its neighbours).

usage: lt_dht_chain.py N
Prints JSON lines on stdout: {"event":"ready","ports":[...]} once every node listens, then answers commands read
from stdin, one per line:
  node I PORT          node I adds 127.0.0.1:PORT to its DHT (add_dht_node)
  add I HEX            node I adds the torrent HEX by info-hash only (as from a magnet link): libtorrent then
                       announces it on the DHT at its listen port (the python binding's dht_announce is unusable)
  seed I TORRENT DIR   node I seeds the .torrent file TORRENT from DIR (seed mode: the data is trusted), found
                       by others only through the DHT (it announces there; no tracker is asked)
  lone PORT            a new node outside the chain whose only DHT contact is 127.0.0.1:PORT (its bootstrap node);
                       prints {"event":"lone","node":I,"port":P}; I works in the commands here like a chain node's
  magnet I HEX DIR     node I downloads the torrent HEX knowing only its info-hash (a magnet link without trackers
                       or peers: metadata and peers through the DHT); "finished" as for leech
  leech I TORRENT DIR  node I downloads TORRENT into DIR, finding peers through the DHT; prints
                       {"event":"finished","node":I,"hash":HEX} when it has every piece
  get_peers I HEX      node I looks HEX up; prints {"event":"peers","node":I,"hash":HEX,"peers":["ip:port",...]}
                       for each dht_get_peers_reply_alert
  stats                prints {"event":"stats","nodes":[n0, n1, ...]} (routing table sizes)
Exits when stdin closes.
"""
import json
import os
import select
import sys
import tempfile
import time

import libtorrent as lt


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def make_session(bootstrap=""):
    s = lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": bootstrap,
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "allow_multiple_connections_per_ip": True,
        # TCP only between peers: a uTP attempt at a TCP-only client costs seconds before the fallback
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "dht_block_ratelimit": 1000000,
        "dht_block_timeout": 1,
        "dht_upload_rate_limit": 1000000,
        "dht_announce_interval": 5,
        "alert_mask": lt.alert.category_t.dht_notification | lt.alert.category_t.status_notification
        | lt.alert.category_t.error_notification | lt.alert.category_t.dht_operation_notification,
    })
    return s


def main():
    n = int(sys.argv[1])
    sessions = [make_session() for _ in range(n)]
    deadline = time.time() + 30
    while any(s.listen_port() == 0 for s in sessions) and time.time() < deadline:
        time.sleep(0.02)
    ports = [s.listen_port() for s in sessions]
    for i in range(n - 1):
        sessions[i].add_dht_node(("127.0.0.1", ports[i + 1]))
        sessions[i + 1].add_dht_node(("127.0.0.1", ports[i]))
    out({"event": "ready", "ports": ports})
    stats = {}
    leeching = set()
    pending = b""
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 0.05)
        lines = []
        if ready:
            chunk = os.read(sys.stdin.fileno(), 65536)
            if not chunk:
                return
            # every whole line that arrived, not one: select() cannot see a line left in a read buffer (two
            # commands written together left the second unanswered until the next one came)
            *lines, pending = (pending + chunk).split(b"\n")
        for raw in lines:
            cmd = raw.decode().split()
            if not cmd:
                continue
            if cmd[0] == "node":
                sessions[int(cmd[1])].add_dht_node(("127.0.0.1", int(cmd[2])))
            elif cmd[0] == "lone":
                contact = ("127.0.0.1", int(cmd[1]))
                s = make_session("127.0.0.1:%d" % contact[1])
                deadline = time.time() + 30
                while s.listen_port() == 0 and time.time() < deadline:
                    time.sleep(0.02)
                s.add_dht_node(contact)
                sessions.append(s)
                # say how long it took: a clean-clone run once saw no answer to this command within 30 s
                out({"event": "lone", "node": len(sessions) - 1, "port": s.listen_port(),
                     "seconds": round(time.time() - deadline + 30, 3)})
            elif cmd[0] == "magnet":
                atp = lt.add_torrent_params()
                atp.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(cmd[2])))
                atp.save_path = cmd[3]
                leeching.add((int(cmd[1]), cmd[2].lower()))
                sessions[int(cmd[1])].add_torrent(atp)
            elif cmd[0] == "add":
                atp = lt.add_torrent_params()
                atp.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(cmd[2])))
                atp.save_path = tempfile.mkdtemp(prefix="lt-dht-chain-")
                sessions[int(cmd[1])].add_torrent(atp)
            elif cmd[0] in ("seed", "leech"):
                atp = lt.add_torrent_params()
                atp.ti = lt.torrent_info(cmd[2])
                atp.save_path = cmd[3]
                if cmd[0] == "seed":
                    atp.flags |= lt.torrent_flags.seed_mode
                else:
                    leeching.add((int(cmd[1]), str(atp.ti.info_hashes().v1)))
                atp.trackers = []
                sessions[int(cmd[1])].add_torrent(atp)
            elif cmd[0] == "get_peers":
                sessions[int(cmd[1])].dht_get_peers(lt.sha1_hash(bytes.fromhex(cmd[2])))
            elif cmd[0] == "stats":
                stats = {}
                for s in sessions[:n]:
                    s.post_dht_stats()
        for i, s in enumerate(sessions):
            for a in s.pop_alerts():
                if isinstance(a, lt.dht_get_peers_reply_alert):
                    peers = ["%s:%d" % (p[0], p[1]) for p in a.peers()]
                    out({"event": "peers", "node": i, "hash": str(a.info_hash), "peers": peers})
                elif isinstance(a, lt.torrent_finished_alert):
                    h = str(a.handle.info_hashes().v1)
                    if (i, h) in leeching:
                        out({"event": "finished", "node": i, "hash": h})
                elif isinstance(a, lt.dht_stats_alert):
                    stats[i] = sum(b["num_nodes"] for b in a.routing_table)
                    if len(stats) == n:
                        out({"event": "stats", "nodes": [stats[j] for j in range(n)]})


if __name__ == "__main__":
    main()
