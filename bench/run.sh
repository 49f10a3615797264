#!/usr/bin/env bash
# bittorrent-me benchmark on loopback beside python-libtorrent, aria2 and qBittorrent-nox: download (cold and warm),
# seeding, many torrents; medians and the ratios of issues 9 and 10. See bench/README.md.
#   bench/run.sh [-n RUNS] [-s SIZE_MIB] [--scenarios download,seed,many] [-c CLIENTS] [--native RUNNER] ...
#   bench/run.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import libtorrent' 2>/dev/null || missing+=(python3-libtorrent)
command -v opentracker >/dev/null || missing+=(opentracker)
command -v java >/dev/null || missing+=("a JDK 17+")
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]} (Debian: apt-get install python3-libtorrent opentracker)" >&2
  exit 2
fi
for optional in aria2c qbittorrent-nox; do
  command -v "$optional" >/dev/null || echo "bench: note: $optional is not installed; leave it out with -c" >&2
done
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: note: opentracker chroots and drops to user _opentracker, which needs root" >&2
fi
exec /usr/bin/python3 bench/bench.py "$@"
