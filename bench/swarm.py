"""The loopback swarm of the benchmark: payloads and torrents, opentracker, libtorrent peers, and /proc figures.

Nothing here polls: processes are waited on, output lines are read by threads that block on them, and hooks
(aria2, qBittorrent) write to a FIFO the harness blocks on.
"""
import hashlib
import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", ".work")
PEERS = os.path.join(ROOT, "src", "test", "resources", "peers")
PYTHON = "/usr/bin/python3"  # Debian's, the one with python3-libtorrent
CLK_TCK = os.sysconf("SC_CLK_TCK")
MB = 1_000_000
MIB = 1 << 20


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class Failed(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(8 << 20)
            if not chunk:
                return h.hexdigest()
            h.update(chunk)


def fresh_dir(prefix):
    os.makedirs(WORK, exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix, dir=WORK)


# ---------------------------------------------------------------- /proc figures of a live process

def proc_cpu(pid):
    """utime + stime of a live process (every thread), seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_mem(pid):
    """(anonymous RSS, peak RSS) in MiB, from RssAnon and VmHWM of /proc/PID/status."""
    anon = peak = float("nan")
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                anon = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return anon, peak


def proc_figures(pid):
    """CPU s, anon RSS MiB, peak RSS MiB of a live process, read together."""
    cpu = proc_cpu(pid)
    anon, peak = proc_mem(pid)
    return dict(cpu=cpu, anon=anon, peak=peak)


def stop_process(proc, grace=15):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- payloads and torrents

class Payload:
    """A file of random bytes and a v1 torrent of it made by libtorrent (1 MiB pieces), cached in bench/.work.

    `alias` gives a second torrent with another info-hash over the same bytes: a hard link under another name
    (the name is part of the info dictionary)."""

    def __init__(self, size_mib, tracker_port, alias=None):
        self.size = size_mib * MIB
        self.data_dir = os.path.join(WORK, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        base = "bench-%dMiB" % size_mib
        original = os.path.join(self.data_dir, base + ".bin")
        if not os.path.exists(original + ".sha256"):
            # a new payload: links and torrents made from an older one are stale
            for folder in (self.data_dir, WORK):
                for f in os.listdir(folder):
                    if f.startswith(base + "-") or f.startswith(base + "."):
                        os.unlink(os.path.join(folder, f))
            log("writing %d MiB of random data to %s (once; cached)" % (size_mib, original))
            h = hashlib.sha256()
            with open(original + ".part", "wb") as f:
                for _ in range(size_mib):
                    chunk = os.urandom(MIB)
                    h.update(chunk)
                    f.write(chunk)
                # to the disk now: the kernel would write it back about 30 s later, in the middle of round 2 (seen
                # on a fresh machine: the cold download of that round 1.6x slower, its seeder's CPU 1.75x)
                f.flush()
                os.fsync(f.fileno())
            os.rename(original + ".part", original)
            with open(original + ".sha256", "w") as f:
                f.write(h.hexdigest() + "\n")
        with open(original + ".sha256") as f:
            self.digest = f.read().strip()
        self.name = base + ("-%s" % alias if alias else "") + ".bin"
        self.path = os.path.join(self.data_dir, self.name)
        if not os.path.exists(self.path):
            os.link(original, self.path)
        self.torrent = os.path.join(WORK, "%s-tracker%d.torrent" % (self.name[:-4], tracker_port))
        if not os.path.exists(self.torrent):
            log("making %s with libtorrent (v1 only, 1 MiB pieces; once; cached)" % os.path.basename(self.torrent))
            subprocess.run([PYTHON, os.path.join(PEERS, "lt_make.py"), self.path, self.torrent + ".part",
                            "--piece-size", str(MIB), "--announce", "http://127.0.0.1:%d/announce" % tracker_port],
                           check=True, stdout=subprocess.DEVNULL)
            os.rename(self.torrent + ".part", self.torrent)
        out = subprocess.run([PYTHON, "-c", "import libtorrent as lt,sys; print(lt.torrent_info(sys.argv[1])"
                              ".info_hashes().v1)", self.torrent], check=True, capture_output=True, text=True)
        self.info_hash = out.stdout.strip()

    def verify(self, folder):
        """True when folder holds this payload's file with the right sha256."""
        path = os.path.join(folder, self.name)
        return os.path.exists(path) and sha256_of(path) == self.digest


def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        keys = sorted(k.encode() if isinstance(k, str) else k for k in value)
        items = {(k.encode() if isinstance(k, str) else k): v for k, v in value.items()}
        return b"d" + b"".join(bencode(k) + bencode(items[k]) for k in keys) + b"e"
    raise TypeError(type(value))


def write_dead_torrents(folder, count, dead_port, size=128 * MIB, piece=512 * 1024):
    """`count` distinct single-file torrents whose only trackers (HTTP and UDP) are a closed port on loopback:
    no peer will ever be found. Their data does not exist. Returns (path, info-hash) of each."""
    os.makedirs(folder, exist_ok=True)
    http_url = "http://127.0.0.1:%d/announce" % dead_port
    udp_url = "udp://127.0.0.1:%d/announce" % dead_port
    paths = []
    for i in range(count):
        info = {"name": "many-%04d.bin" % i, "length": size, "piece length": piece,
                "pieces": os.urandom(20 * (size // piece))}
        path = os.path.join(folder, "many-%04d.torrent" % i)
        with open(path, "wb") as f:
            f.write(bencode({"announce": http_url, "announce-list": [[http_url], [udp_url]], "info": info}))
        paths.append((path, hashlib.sha1(bencode(info)).hexdigest()))
    return paths


# ---------------------------------------------------------------- opentracker

class Tracker:
    """opentracker on 127.0.0.1 (HTTP and UDP on one port), tracking only the whitelisted info-hashes."""

    def __init__(self, port, info_hashes):
        if shutil.which("opentracker") is None:
            raise Failed("opentracker is not installed (apt-get install opentracker)")
        if tcp_open(port):
            raise Failed("port %d is taken; pick another tracker port with -p" % port)
        # opentracker chroots to this folder and drops to user _opentracker: keep it world-readable
        self.root = tempfile.mkdtemp(prefix="bench-opentracker-")
        os.chmod(self.root, 0o755)
        with open(os.path.join(self.root, "whitelist.txt"), "w") as f:
            f.write("".join(h + "\n" for h in info_hashes))
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
        stop_process(self.proc, 5)
        shutil.rmtree(self.root, ignore_errors=True)

def jit_cpu(pid):
    """CPU s of the JVM's JIT compiler threads (C1, C2) of a live process; NaN when it has none (native, libtorrent)."""
    total, found = 0.0, False
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, task)) as f:
                raw = f.read()
        except OSError:
            continue  # the thread ended
        if raw[raw.index("(") + 1:].startswith(("C1 CompilerThre", "C2 CompilerThre")):
            fields = raw.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
            found = True
    return total if found else float("nan")


def seeder_cpu(payload):
    """CPU s used so far by the payload's libtorrent seeder of the download rows (NaN without one)."""
    pid = getattr(payload, "seeder_pid", None)
    try:
        return proc_cpu(pid) if pid else float("nan")
    except OSError:
        return float("nan")


# ---------------------------------------------------------------- libtorrent peers

class LtProcess:
    """lt_peer.py with its JSON lines read by a thread (blocking reads, no polling). At the first line of each
    event it also reads the process's /proc figures, so `figures(event)` is what the process had used then."""

    def __init__(self, mode, torrent, save, extra=(), tag=None):
        self.mode = mode
        self.launched = time.monotonic()
        err = open(os.path.join(WORK, "lt-%s.err" % (tag or mode)), "w")
        self.proc = subprocess.Popen([PYTHON, "-u", os.path.join(PEERS, "lt_peer.py"), mode, torrent, save,
                                      "--port", "0"] + list(extra),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
        self.cond = threading.Condition()
        self.events = {}
        self.latest = None
        self.eof = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            try:
                j = json.loads(line)
            except ValueError:
                continue
            ev = j.get("event")
            if ev == "log":
                ev = "log:" + j.get("kind", "")
            figures = None
            if ev == "finished":
                try:
                    figures = proc_figures(self.proc.pid)
                except OSError:
                    pass
            with self.cond:
                self.events.setdefault(ev, (now, j, figures))
                if "progress" in j:
                    self.latest = j
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def wait_event(self, name, timeout):
        """Blocks until the event was printed; returns (monotonic time it was read, its JSON, /proc figures)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while name not in self.events:
                if "error" in self.events:
                    raise Failed("libtorrent: " + self.events["error"][1].get("message", "?"))
                if self.eof:
                    raise Failed("libtorrent %s exited before '%s' (status %s)" % (self.mode, name, self.proc.poll()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failed("libtorrent %s: no '%s' within %d s; last %s" % (self.mode, name, timeout,
                                                                                  self.latest))
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


def start_seeder(payload, tag):
    """A libtorrent seeder of `payload` (high_performance_seed, seed_mode), announced to the tracker."""
    seeder = LtProcess("seed", payload.torrent, payload.data_dir, ["--seed-mode"], tag=tag)
    _, ready, _ = seeder.wait_event("ready", 120)
    seeder.wait_event("log:tracker_reply", 60)
    seeder.port = ready["port"]
    log("libtorrent seeder of %s on 127.0.0.1:%d (pid %d) announced" % (payload.name, seeder.port, seeder.proc.pid))
    return seeder


# ---------------------------------------------------------------- a hook that says "done"

class DoneFifo:
    """A FIFO and a script that writes its arguments to it: given to aria2 and qBittorrent as their
    'download complete' hook. The harness blocks on the FIFO (select with a timeout), never polls."""

    def __init__(self, folder):
        self.path = os.path.join(folder, "done.fifo")
        os.mkfifo(self.path)
        self.script = os.path.join(folder, "done.sh")
        with open(self.script, "w") as f:
            f.write("#!/bin/sh\necho \"$*\" > '%s'\n" % self.path)
        os.chmod(self.script, 0o755)
        # read-write: opening never blocks and the FIFO never reports EOF between writers
        self.fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)

    def wait(self, timeout, alive=lambda: True):
        """Blocks until the hook ran; returns (monotonic time, what it wrote). Checks `alive` once a second
        so a client that died is noticed (a wake-up, not a status query)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failed("no completion within %d s" % timeout)
            readable, _, _ = select.select([self.fd], [], [], min(left, 1.0))
            if readable:
                return time.monotonic(), os.read(self.fd, 4096).decode(errors="replace").strip()
            if not alive():
                raise Failed("the client exited before completing")

    def close(self):
        os.close(self.fd)
