#!/usr/bin/env bash
# Loopback download benchmark: a 1 GiB torrent from one libtorrent seeder (behind opentracker), fetched in
# turn by a libtorrent leecher, aria2c and this service. See bench/README.md.
#   bench/run.sh [-n RUNS] [-s SIZE_MIB] [-p TRACKER_PORT] [-c libtorrent,aria2,service] [-t TIMEOUT_S] [--rebuild]
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import libtorrent' 2>/dev/null || missing+=(python3-libtorrent)
command -v opentracker >/dev/null || missing+=(opentracker)
command -v aria2c >/dev/null || missing+=(aria2)
command -v java >/dev/null || missing+=("a JDK 17+")
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]} (Debian: apt-get install python3-libtorrent opentracker aria2)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: note: opentracker chroots and drops to user _opentracker, which needs root" >&2
fi
exec /usr/bin/python3 bench/bench.py "$@"
