#!/usr/bin/python3
"""Loopback download benchmark: libtorrent vs aria2 vs this service (see bench/README.md).

Started by bench/run.sh. Blocks on process exits and output lines; the only loop that polls is the one
that asks this service's GET /status/{id}, once a second.
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", ".work")
PEERS = os.path.join(ROOT, "src", "test", "resources", "peers")
PYTHON = "/usr/bin/python3"
CLK_TCK = os.sysconf("SC_CLK_TCK")
MB = 1_000_000


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class Failed(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(8 << 20)
            if not chunk:
                return h.hexdigest()
            h.update(chunk)


def proc_cpu_seconds(pid):
    """utime+stime of a live process, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wait_with_rusage(proc, timeout):
    """Blocks until the child exits (a timer kills it after `timeout` s); returns (status, cpu s, peak RSS MiB)."""
    timer = threading.Timer(timeout, lambda: proc.kill())
    timer.start()
    try:
        _, status, ru = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def tcp_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------- the swarm

def ensure_payload(size_mib, tracker_port):
    data_dir = os.path.join(WORK, "data")
    os.makedirs(data_dir, exist_ok=True)
    name = "bench-%dMiB.bin" % size_mib
    data = os.path.join(data_dir, name)
    if not os.path.exists(data + ".sha256"):
        log("writing %d MiB of random data to %s (once; cached)" % (size_mib, data))
        h = hashlib.sha256()
        with open(data + ".part", "wb") as f:
            for _ in range(size_mib):
                chunk = os.urandom(1 << 20)
                h.update(chunk)
                f.write(chunk)
        os.rename(data + ".part", data)
        with open(data + ".sha256", "w") as f:
            f.write(h.hexdigest() + "\n")
    with open(data + ".sha256") as f:
        digest = f.read().strip()
    torrent = os.path.join(WORK, "bench-%dMiB-tracker%d.torrent" % (size_mib, tracker_port))
    if not os.path.exists(torrent):
        log("making %s with libtorrent (v1 only, 1 MiB pieces; once; cached)" % os.path.basename(torrent))
        subprocess.run([PYTHON, os.path.join(PEERS, "lt_make.py"), data, torrent + ".part",
                        "--piece-size", str(1 << 20),
                        "--announce", "http://127.0.0.1:%d/announce" % tracker_port],
                       check=True, stdout=subprocess.DEVNULL)
        os.rename(torrent + ".part", torrent)
    out = subprocess.run([PYTHON, "-c", "import libtorrent as lt,sys; i=lt.torrent_info(sys.argv[1]);"
                          "print(i.info_hashes().v1)", torrent], check=True, capture_output=True, text=True)
    return data_dir, name, digest, torrent, out.stdout.strip()


class Tracker:
    def __init__(self, port, info_hash):
        if shutil.which("opentracker") is None:
            raise Failed("opentracker is not installed (apt-get install opentracker)")
        if tcp_open(port):
            raise Failed("port %d is taken; pick another tracker port with -p" % port)
        # opentracker chroots to this folder and drops to user _opentracker: keep it world-readable
        self.root = tempfile.mkdtemp(prefix="bench-opentracker-")
        os.chmod(self.root, 0o755)
        with open(os.path.join(self.root, "whitelist.txt"), "w") as f:
            f.write(info_hash + "\n")
        os.chmod(os.path.join(self.root, "whitelist.txt"), 0o644)
        conf = os.path.join(self.root, "opentracker.conf")
        with open(conf, "w") as f:
            f.write("listen.tcp 127.0.0.1:%d\nlisten.udp 127.0.0.1:%d\ntracker.rootdir %s\n"
                    "tracker.user _opentracker\naccess.whitelist /whitelist.txt\n" % (port, port, self.root))
        self.log = open(os.path.join(WORK, "opentracker.log"), "w")
        self.proc = subprocess.Popen(["opentracker", "-f", conf], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        time.sleep(0.2)  # start-up grace, then at most one check a second
        for _ in range(10):
            if self.proc.poll() is not None:
                raise Failed("opentracker exited with status %s, see bench/.work/opentracker.log"
                             % self.proc.returncode)
            if tcp_open(port):
                log("opentracker on 127.0.0.1:%d (pid %d)" % (port, self.proc.pid))
                return
            time.sleep(1)
        raise Failed("opentracker did not listen on %d within 10 s" % port)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class LtProcess:
    """lt_peer.py with its JSON lines read by a thread (blocking reads, no polling)."""

    def __init__(self, mode, torrent, save, extra=()):
        self.proc = subprocess.Popen([PYTHON, "-u", os.path.join(PEERS, "lt_peer.py"), mode, torrent, save,
                                      "--port", "0"] + list(extra),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(os.path.join(WORK, "lt-%s.err" % mode), "w"), text=True)
        self.cond = threading.Condition()
        self.events = {}
        self.latest = None
        self.eof = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                j = json.loads(line)
            except ValueError:
                continue
            with self.cond:
                ev = j.get("event")
                if ev == "log":
                    ev = "log:" + j.get("kind", "")
                self.events.setdefault(ev, (time.monotonic(), j))
                if "progress" in j:
                    self.latest = j
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def wait_event(self, name, timeout):
        """Blocks until the event was printed; returns (monotonic time it was read, its JSON)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while name not in self.events:
                if "error" in self.events:
                    raise Failed("libtorrent: " + self.events["error"][1].get("message", "?"))
                if self.eof:
                    raise Failed("libtorrent %s exited before '%s' (status %s)"
                                 % (self.proc.args[3], name, self.proc.poll()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failed("libtorrent %s: no '%s' within %d s; last %s"
                                 % (self.proc.args[3], name, timeout, self.latest))
                self.cond.wait(left)
            return self.events[name]

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------- the clients

def result(client, run, wall, size, cpu, rss, ok, note=""):
    return dict(client=client, run=run, wall=wall, mbps=size / MB / wall if wall else float("nan"),
                cpu=cpu, rss=rss, ok=ok, note=note)


def run_libtorrent(run, torrent, name, size, digest, timeout):
    out = tempfile.mkdtemp(prefix="lt-", dir=WORK)
    try:
        t0 = time.monotonic()
        leech = LtProcess("leech", torrent, out)
        try:
            t1, _ = leech.wait_event("finished", timeout)
        except Failed:
            leech.proc.kill()
            raise
        leech.proc.stdin.close()
        _, cpu, rss = wait_with_rusage(leech.proc, 30)
        ok = sha256_of(os.path.join(out, name)) == digest
        return result("libtorrent", run, t1 - t0, size, cpu, rss, ok)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run_aria2(run, torrent, name, size, digest, timeout):
    if shutil.which("aria2c") is None:
        raise Failed("aria2c is not installed (apt-get install aria2)")
    out = tempfile.mkdtemp(prefix="aria2-", dir=WORK)
    port = free_port()
    try:
        with open(os.path.join(WORK, "aria2.log"), "w") as logf:
            t0 = time.monotonic()
            proc = subprocess.Popen(
                ["aria2c", "--dir=" + out, "--seed-time=0", "--file-allocation=none",
                 "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
                 "--enable-peer-exchange=false", "--listen-port=%d" % port, "--disable-ipv6=true",
                 "--summary-interval=0", "--console-log-level=warn", "--allow-overwrite=true", torrent],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
            status, cpu, rss = wait_with_rusage(proc, timeout)
            wall = time.monotonic() - t0
        if status != 0:
            raise Failed("aria2c exited with status %d, see bench/.work/aria2.log" % status)
        ok = sha256_of(os.path.join(out, name)) == digest
        return result("aria2", run, wall, size, cpu, rss, ok)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def http(method, url, body=None, headers=None, timeout=30):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")




def ensure_service_built(rebuild):
    jar = os.path.join(ROOT, "target", "quarkus-app", "quarkus-run.jar")
    if os.path.exists(jar) and not rebuild:
        log("using the service built at %s (target/quarkus-app; --rebuild to rebuild it)"
            % time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(jar))))
        return jar
    log("building the service (./mvnw -B -q package -DskipTests), log in bench/.work/build.log")
    with open(os.path.join(WORK, "build.log"), "w") as logf:
        status = subprocess.call([os.path.join(ROOT, "mvnw"), "-B", "-q", "package", "-DskipTests"],
                                 cwd=ROOT, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
    if status != 0 or not os.path.exists(jar):
        raise Failed("building the service failed, see bench/.work/build.log")
    return jar


def run_service(run, torrent, name, size, digest, timeout, rebuild=False):
    jar = ensure_service_built(rebuild)
    base = tempfile.mkdtemp(prefix="service-", dir=WORK)
    http_port, peer_port = free_port(), free_port()
    env = dict(os.environ, BT_HOST="127.0.0.1", BT_PORT=str(http_port), BT_PEER_PORT=str(peer_port),
               BT_DOWNLOAD_DIR=os.path.join(base, "downloads"), BT_STATE_DIR=os.path.join(base, "state"))
    logf = open(os.path.join(WORK, "service.log"), "w")
    proc = subprocess.Popen(["java", "-jar", jar], cwd=base, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = "http://127.0.0.1:%d" % http_port
    try:
        # block on its log until Quarkus says it listens; a thread then copies the rest to service.log
        launched = time.monotonic()
        timer = threading.Timer(90, proc.kill)
        timer.start()
        for line in proc.stdout:
            logf.write(line)
            if "Listening on" in line:
                break
        timer.cancel()
        if proc.poll() is not None:
            raise Failed("the service exited during start-up (status %s), see bench/.work/service.log"
                         % proc.returncode)
        startup = time.monotonic() - launched
        threading.Thread(target=lambda: shutil.copyfileobj(proc.stdout, logf), daemon=True).start()

        boundary = uuid.uuid4().hex
        with open(torrent, "rb") as f:
            body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                     "Content-Type: application/x-bittorrent\r\n\r\n" % (boundary, os.path.basename(torrent)))
                    .encode() + f.read() + ("\r\n--%s--\r\n" % boundary).encode())
        status, text = http("POST", url + "/upload", body,
                            {"Content-Type": "multipart/form-data; boundary=" + boundary})
        if status in (404, 405):
            raise Failed("this build of the service has no POST /upload route yet (or target/ is stale: "
                         "--rebuild)")
        if status != 200:
            raise Failed("POST /upload answered %d: %s" % (status, text[:300]))
        torrent_id = json.loads(text)["torrent_id"]

        cpu0 = proc_cpu_seconds(proc.pid)
        t0 = time.monotonic()
        status, text = http("POST", url + "/start/" + torrent_id)
        if status in (404, 405) and http("GET", url + "/status/" + torrent_id)[0] == 200:
            # the torrent is there, so the 404 is about the route
            raise Failed("this build of the service has no POST /start/{id} route yet (engine not merged? "
                         "or target/ is stale: --rebuild)")
        if status >= 300:
            raise Failed("POST /start/%s answered %d: %s" % (torrent_id, status, text[:300]))
        last = None
        while True:  # the one polling loop: once a second
            time.sleep(1)
            status, text = http("GET", url + "/status/" + torrent_id)
            if status != 200:
                raise Failed("GET /status/%s answered %d: %s" % (torrent_id, status, text[:300]))
            last = json.loads(text)
            if last.get("completed") is True:
                break
            if last.get("state") == "error" or last.get("error"):
                raise Failed("the service reports an error: %s" % last.get("error"))
            if proc.poll() is not None:
                raise Failed("the service died (status %s), see bench/.work/service.log" % proc.returncode)
            if time.monotonic() - t0 > timeout:
                raise Failed("not completed within %d s; last status %s" % (timeout, json.dumps(last)[:400]))
        wall = time.monotonic() - t0
        cpu = proc_cpu_seconds(proc.pid) - cpu0
        rss = proc_peak_rss_mib(proc.pid)
        http("POST", url + "/stop/" + torrent_id)
        path = os.path.join(base, "downloads", name)
        ok = os.path.exists(path) and sha256_of(path) == digest
        return result("service", run, wall, size, cpu, rss, ok, "JVM up in %.1f s; 1 s status poll" % startup)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(base, ignore_errors=True)


CLIENTS = {"libtorrent": run_libtorrent, "aria2": run_aria2, "service": run_service}


# ---------------------------------------------------------------- report

def print_table(rows, clients):
    print()
    print("%-11s %4s %9s %8s %8s %10s %6s  %s" % ("client", "run", "wall s", "MB/s", "CPU s", "peak MiB", "sha256",
                                                  "note"))
    for r in rows:
        if r.get("error"):
            print("%-11s %4d  FAILED: %s" % (r["client"], r["run"], r["error"]))
        else:
            print("%-11s %4d %9.2f %8.1f %8.2f %10.0f %6s  %s" % (
                r["client"], r["run"], r["wall"], r["mbps"], r["cpu"], r["rss"], "ok" if r["ok"] else "WRONG",
                r["note"]))
    med = {}
    for c in clients:
        good = [r for r in rows if r["client"] == c and not r.get("error") and r["ok"]]
        if good:
            med[c] = {k: statistics.median(r[k] for r in good) for k in ("wall", "mbps", "cpu", "rss")}
    if not med:
        return
    print()
    print("medians of verified runs")
    print("%-11s %9s %8s %8s %10s" % ("client", "wall s", "MB/s", "CPU s", "peak MiB"))
    for c, m in med.items():
        print("%-11s %9.2f %8.1f %8.2f %10.0f" % (c, m["wall"], m["mbps"], m["cpu"], m["rss"]))
    others = {c: m for c, m in med.items() if c != "service"}
    if "service" in med and others:
        fastest = max(others, key=lambda c: others[c]["mbps"])
        f, s = others[fastest], med["service"]
        print()
        print("this service vs the fastest other client (%s): speed x%.2f, CPU x%.2f, peak RSS x%.2f"
              % (fastest, s["mbps"] / f["mbps"], s["cpu"] / f["cpu"], s["rss"] / f["rss"]))
    elif "service" not in med and "service" in clients:
        print("\n(no verified run of this service: no ratios)")


def main():
    p = argparse.ArgumentParser(prog="bench/run.sh", description=__doc__)
    p.add_argument("-n", "--runs", type=int, default=1)
    p.add_argument("-s", "--size-mib", type=int, default=1024)
    p.add_argument("-p", "--tracker-port", type=int, default=46969)
    p.add_argument("-c", "--clients", default="libtorrent,aria2,service",
                   help="comma-separated, in the order they run each round")
    p.add_argument("-t", "--timeout", type=int, default=600, help="seconds per download")
    p.add_argument("--rebuild", action="store_true", help="rebuild the service's jar before the first run")
    args = p.parse_args()
    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    for c in clients:
        if c not in CLIENTS:
            p.error("unknown client %r (libtorrent, aria2, service)" % c)
    os.makedirs(WORK, exist_ok=True)

    data_dir, name, digest, torrent, info_hash = ensure_payload(args.size_mib, args.tracker_port)
    size = args.size_mib << 20
    tracker = seeder = None
    rows = []
    try:
        tracker = Tracker(args.tracker_port, info_hash)
        seeder = LtProcess("seed", torrent, data_dir, ["--seed-mode"])
        _, ready = seeder.wait_event("ready", 120)
        seeder.wait_event("log:tracker_reply", 60)
        log("libtorrent seeder on 127.0.0.1:%d (pid %d, seed mode) announced %s" % (
            ready["port"], seeder.proc.pid, info_hash))
        for run in range(1, args.runs + 1):
            for c in clients:
                log("run %d: %s downloads %d MiB" % (run, c, args.size_mib))
                seed_cpu0 = proc_cpu_seconds(seeder.proc.pid)
                try:
                    if c == "service":
                        r = run_service(run, torrent, name, size, digest, args.timeout,
                                        rebuild=args.rebuild and run == 1)
                    else:
                        r = CLIENTS[c](run, torrent, name, size, digest, args.timeout)
                    r["note"] = ("seeder CPU %.2f s; " % (proc_cpu_seconds(seeder.proc.pid) - seed_cpu0)) + r["note"]
                    log("run %d: %s %.1f MB/s, %.2f CPU s, %s" % (run, c, r["mbps"], r["cpu"],
                                                                 "sha256 ok" if r["ok"] else "sha256 WRONG"))
                except Failed as e:
                    r = dict(client=c, run=run, error=str(e))
                    log("run %d: %s FAILED: %s" % (run, c, e))
                rows.append(r)
                if seeder.proc.poll() is not None:
                    raise Failed("the libtorrent seeder died (status %s), see bench/.work/lt-seed.err"
                                 % seeder.proc.returncode)
    except Failed as e:
        log("FAILED: %s" % e)
        print_table(rows, clients)
        return 1
    finally:
        if seeder:
            seeder.close()
        if tracker:
            tracker.close()
    print_table(rows, clients)
    return 0 if all(not r.get("error") and r["ok"] for r in rows if r["client"] != "service") else 1


if __name__ == "__main__":
    sys.exit(main())
