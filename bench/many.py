"""The many-torrents scenario: many torrents loaded, some started, no reachable peer (their only trackers are a
closed port on loopback). Measured: idle CPU over a window, anon and peak RSS, and the latency of the client's
"every torrent's status" call (this service's GET /status, qBittorrent's /api/v2/torrents/info).

The harness sleeps through the settle time and the window: it does nothing while the client idles."""
import http.client
import json
import os
import shutil
import subprocess
import time
import urllib.parse

from leechers import QBT_BASE_CONF
from service import Service, result
from swarm import PYTHON, WORK, Failed, free_port, fresh_dir, log, proc_cpu, proc_mem, stop_process, \
    write_dead_torrents

STATUS_RUNNING = ("downloading", "queued", "checking")


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[min(len(ordered), int(rank)) - 1]


def idle_then_status(client, run, pid, settle, window, status_calls=None):
    """Sleeps `settle` s, measures CPU over `window` s and the memory, then times `status_calls()` (which returns
    (latencies in s, body bytes, note))."""
    time.sleep(settle)
    cpu0, t0 = proc_cpu(pid), time.monotonic()
    time.sleep(window)
    idle = (proc_cpu(pid) - cpu0) / (time.monotonic() - t0) * 100
    anon, peak = proc_mem(pid)
    extra, note = dict(idle=idle), ""
    if status_calls:
        lat, size, note = status_calls()
        extra.update(p50=percentile(lat, 50) * 1000, p99=percentile(lat, 99) * 1000, pmax=max(lat) * 1000,
                     body_kib=size / 1024)
    return result("many", client, run, float("nan"), dict(cpu=float("nan"), anon=anon, peak=peak), True, note,
                  **extra)


def timed_gets(port, path, requests, headers=None):
    """`requests` sequential GETs on one kept-alive connection: (latencies in s, the last body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        lat, body = [], b""
        for _ in range(requests):
            t = time.perf_counter()
            conn.request("GET", path, headers=headers or {})
            resp = conn.getresponse()
            body = resp.read()
            lat.append(time.perf_counter() - t)
            if resp.status != 200:
                raise Failed("GET %s answered %d: %s" % (path, resp.status, body[:200]))
        return lat, body
    finally:
        conn.close()


def service(run, variant, cmd, cwd, loaded, started, settle, window, requests):
    """This service: every torrent uploaded, `max_concurrent_downloads` set to `started`, that many started."""
    folder = fresh_dir("many-")
    svc = Service(variant, cmd, cwd)
    try:
        torrents = write_dead_torrents(folder, loaded, dead_port=free_port())
        svc.wait_ready()
        conn = http.client.HTTPConnection("127.0.0.1", svc.http_port, timeout=60)
        t0 = time.monotonic()
        ids = [svc.upload(path, conn) for path, _ in torrents]
        svc.post("/settings", {"max_concurrent_downloads": max(1, started)}, conn)
        for tid in ids[:started]:
            svc.post("/start/" + tid, conn=conn)
        conn.close()
        log("  %s: %d torrents uploaded, %d started in %.1f s; idle for %d + %d s"
            % (variant, loaded, started, time.monotonic() - t0, settle, window))

        def status_calls():
            lat, body = timed_gets(svc.http_port, "/status", requests, {"Authorization": svc.auth})
            states = [s.get("state") for s in json.loads(body).values()]
            running = sum(1 for s in states if s in STATUS_RUNNING)
            return lat, len(body), "%d of %d started torrents running or queued" % (running, started)

        return idle_then_status(variant, run, svc.proc.pid, settle, window, status_calls)
    finally:
        svc.close()
        shutil.rmtree(folder, ignore_errors=True)


def libtorrent(run, loaded, started, settle, window):
    """One libtorrent session (bench/lt_many.py) with the same kind of torrents; libtorrent has no HTTP API."""
    folder = fresh_dir("many-lt-")
    write_dead_torrents(os.path.join(folder, "t"), loaded, dead_port=free_port())
    proc = subprocess.Popen([PYTHON, "-u", os.path.join(os.path.dirname(os.path.abspath(__file__)), "lt_many.py"),
                             os.path.join(folder, "t"), os.path.join(folder, "dl"), str(started)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            stderr=open(os.path.join(WORK, "lt-many.err"), "w"))
    try:
        line = proc.stdout.readline()  # blocks until it has added and started them
        if not line.startswith("ready"):
            raise Failed("lt_many.py said %r, see bench/.work/lt-many.err" % line)
        return idle_then_status("libtorrent", run, proc.pid, settle, window)
    finally:
        try:
            proc.stdin.close()
        except OSError:
            pass
        stop_process(proc, 10)
        shutil.rmtree(folder, ignore_errors=True)


def qbittorrent(run, loaded, started, settle, window, requests):
    """qbittorrent-nox with every torrent added paused (command line), `started` resumed through its Web API
    (queueing off, so all of them run); /api/v2/torrents/info timed like GET /status."""
    if shutil.which("qbittorrent-nox") is None:
        raise Failed("qbittorrent-nox is not installed")
    folder = fresh_dir("many-qbt-")
    torrents = write_dead_torrents(os.path.join(folder, "t"), loaded, dead_port=free_port())
    profile = os.path.join(folder, "profile")
    os.makedirs(os.path.join(profile, "qBittorrent", "config"))
    webui = free_port()
    with open(os.path.join(profile, "qBittorrent", "config", "qBittorrent.conf"), "w") as f:
        f.write(QBT_BASE_CONF.format(peer_port=free_port(), webui_port=webui))
    logf = open(os.path.join(WORK, "qbittorrent-many.log"), "w")
    proc = subprocess.Popen(["qbittorrent-nox", "--profile=" + profile, "--webui-port=%d" % webui,
                             "--save-path=" + os.path.join(folder, "dl"), "--add-paused=true", "--skip-dialog=true"]
                            + [path for path, _ in torrents],
                            stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
    try:
        # Before the measurement only: wait (1 s steps, bounded) until its Web API lists every torrent.
        t0 = time.monotonic()
        count = 0
        while count < loaded:
            if proc.poll() is not None or time.monotonic() - t0 > 180:
                raise Failed("qBittorrent listed %d of %d torrents, see bench/.work/qbittorrent-many.log"
                             % (count, loaded))
            time.sleep(1)
            try:
                _, body = timed_gets(webui, "/api/v2/torrents/info", 1)
                count = len(json.loads(body))
            except (OSError, Failed, ValueError):
                count = 0
        hashes = "|".join(h for _, h in torrents[:started])
        conn = http.client.HTTPConnection("127.0.0.1", webui, timeout=60)
        conn.request("POST", "/api/v2/torrents/resume", body=urllib.parse.urlencode({"hashes": hashes}),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        if resp.status != 200:
            raise Failed("qBittorrent's /api/v2/torrents/resume answered %d" % resp.status)
        log("  qbittorrent: %d torrents added, %d resumed in %.1f s; idle for %d + %d s"
            % (loaded, started, time.monotonic() - t0, settle, window))

        def status_calls():
            lat, body = timed_gets(webui, "/api/v2/torrents/info", requests)
            states = [t.get("state") for t in json.loads(body)]
            running = sum(1 for s in states if not s.startswith("paused"))
            return lat, len(body), "%d of %d resumed torrents not paused" % (running, started)

        return idle_then_status("qbittorrent", run, proc.pid, settle, window, status_calls)
    finally:
        stop_process(proc)
        logf.close()
        shutil.rmtree(folder, ignore_errors=True)
