#!/usr/bin/python3
"""Make a .torrent with libtorrent (python3-libtorrent 2.0), i.e. with another client than ours.

usage: lt_make.py CONTENT OUT.torrent [--piece-size BYTES] [--announce URL ...] [--tier URL,URL ...]
                  [--hybrid] [--private] [--comment TEXT]

CONTENT is a file (single-file torrent) or a folder (multi-file torrent named after the folder).
Default: a plain v1 torrent (create_torrent.v1_only, no padding files); --hybrid makes libtorrent 2's
v1+v2 hybrid with BEP 47 padding files. Each --announce is its own tier; --tier adds one tier of several
URLs. Prints one JSON line: {"torrent": path, "info_hash": 40 hex, "name":..., "pieces": n, "total_size": n}.
"""
import argparse
import json
import os
import sys

import libtorrent as lt


def main():
    p = argparse.ArgumentParser()
    p.add_argument("content")
    p.add_argument("out")
    p.add_argument("--piece-size", type=int, default=0, help="bytes, power of two >= 16 KiB; 0 = automatic")
    p.add_argument("--announce", action="append", default=[])
    p.add_argument("--tier", action="append", default=[], help="comma-separated URLs forming one tier")
    p.add_argument("--hybrid", action="store_true")
    p.add_argument("--private", action="store_true")
    p.add_argument("--comment")
    args = p.parse_args()

    content = os.path.abspath(args.content)
    fs = lt.file_storage()
    lt.add_files(fs, content)
    if fs.num_files() == 0:
        sys.exit("no files under " + content)
    flags = 0 if args.hybrid else lt.create_torrent.v1_only
    ct = lt.create_torrent(fs, args.piece_size, flags=flags)
    tier = 0
    for url in args.announce:
        ct.add_tracker(url, tier)
        tier += 1
    for group in args.tier:
        for url in group.split(","):
            ct.add_tracker(url, tier)
        tier += 1
    if args.private:
        ct.set_priv(True)
    if args.comment:
        ct.set_comment(args.comment)
    ct.set_creator("libtorrent " + lt.__version__)
    lt.set_piece_hashes(ct, os.path.dirname(content))
    data = lt.bencode(ct.generate())
    with open(args.out, "wb") as f:
        f.write(data)
    info = lt.torrent_info(args.out)
    print(json.dumps(dict(torrent=os.path.abspath(args.out), info_hash=str(info.info_hashes().v1),
                          name=info.name(), pieces=info.num_pieces(), total_size=info.total_size())))


if __name__ == "__main__":
    main()
