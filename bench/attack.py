"""The attack scenario (issue 11): this service downloads from one honest libtorrent seeder while hostile peers and
hostile trackers attack it, written here in python so they run without the test suite:

- bomb peers (three at once): BitTorrent handshakes followed by bencode bombs in the extension handshake (a string that claims
  2 GB, 100,000 nested lists, 200,000 tokens, a metadata_size of 2 GB), reconnecting as soon as they are dropped;
- a PEX and metadata garbage peer: a valid extension handshake, then ut_pex with 10,000 peers (all 127.x, port 9)
  and with broken bencode, ut_metadata data it was never asked for (total_size 2 GB) and a request flood;
- a liar: claims every piece, answers every request with random bytes and sends blocks nobody asked for, back
  under a new peer id each time it is dropped;
- a half-open flood: 2,000 sockets at a time that connect and never say a word, held 10 s, then again;
- a slow tracker (one byte every 5 s, never a whole answer) in the first tier, and a bomb tracker
  (`5:peers2000000000:`, then `d1:v2000000000:x`) in the second; the honest opentracker is the third tier.

Every attacker is on a loopback address of its own (127.0.0.2 to .5): the service bans a liar by address, and the
honest seeder is 127.0.0.1. Measured over the attack: `GET /status` latency (every 100 ms on one kept-alive
connection), anon RSS before the torrent is added, the highest seen during the attack (sampled every second), and
5 s after it ends; the download's sha256. A control run, the same download with no attacker and only the honest
tracker, gives the memory and time of the download itself."""
import hashlib
import http.client
import os
import random
import socket
import struct
import threading
import time

from many import percentile
from service import Service, result
from swarm import MIB, WORK, Failed, LtProcess, Tracker, bencode, free_port, log, proc_cpu, proc_mem, sha256_of

PIECE = MIB
BOMBS = [b"d1:v2000000000:x", b"d1:md11:ut_metadatai1e6:ut_pexi2ee13:metadata_sizei2000000000ee",
         b"l" * 100_000, b"d1:ml" + b"i1e" * 200_000 + b"ee", b"d1:md11:ut_metadatai1e6:ut_pexi2eee"[:-3]]


class AttackPayload:
    """A file of random bytes (cached in bench/.work/data) and its info dictionary (1 MiB pieces)."""

    def __init__(self, size_mib):
        folder = os.path.join(WORK, "data")
        os.makedirs(folder, exist_ok=True)
        self.name = "attack-%dMiB.bin" % size_mib
        self.data_dir = folder
        self.path = os.path.join(folder, self.name)
        self.size = size_mib * MIB
        if not os.path.exists(self.path) or os.path.getsize(self.path) != self.size:
            log("writing %d MiB of random data to %s (once; cached)" % (size_mib, self.path))
            with open(self.path + ".part", "wb") as f:
                for _ in range(size_mib):
                    f.write(os.urandom(MIB))
            os.rename(self.path + ".part", self.path)
        pieces, digest = [], hashlib.sha256()
        with open(self.path, "rb") as f:
            while True:
                chunk = f.read(PIECE)
                if not chunk:
                    break
                pieces.append(hashlib.sha1(chunk).digest())
                digest.update(chunk)
        self.digest = digest.hexdigest()
        self.pieces = len(pieces)
        self.info = {"name": self.name, "length": self.size, "piece length": PIECE, "pieces": b"".join(pieces)}
        self.info_hash = hashlib.sha1(bencode(self.info)).digest()

    def torrent(self, path, tiers):
        with open(path, "wb") as f:
            f.write(bencode({"announce": tiers[0][0], "announce-list": tiers, "info": self.info}))
        return path

    def verify(self, folder):
        path = os.path.join(folder, self.name)
        return os.path.exists(path) and sha256_of(path) == self.digest


# ---------------------------------------------------------------- hostile trackers

class HostileTracker:
    """An HTTP tracker on 127.0.0.1 that answers every announce with `answer(conn)`; counts the announces."""

    def __init__(self, answer):
        self.answer = answer
        self.stop = threading.Event()
        self.hits = 0
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.url = "http://127.0.0.1:%d/announce" % self.port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.hits += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(10)
            conn.recv(65536)  # the announce request
            self.answer(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.server.close()


def trickle(conn, stop):
    """One byte every 5 s, never a whole answer (issue 11 item 3)."""
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n" + b"d" * 100_000
    for b in reply:
        if stop.wait(5):
            return
        conn.sendall(bytes([b]))


def bomb_reply(conn, stop):
    """A reply whose strings claim 2 GB (issue 11 item 1), the two kinds in turn."""
    body = random.choice([b"d8:intervali1800e5:peers2000000000:" + b"x" * 64, b"d1:v2000000000:x"])
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


# ---------------------------------------------------------------- hostile peers

def message(msg_id, payload=b""):
    return struct.pack(">IB", len(payload) + 1, msg_id) + payload


def extended(ext_id, payload):
    return message(20, bytes([ext_id]) + payload)


class Peer:
    """A raw BitTorrent connection from `source` (a loopback address) to the service."""

    def __init__(self, source, port, info_hash, ext=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
        reserved = bytearray(8)
        if ext:
            reserved[5] |= 0x10
        self.peer_id = b"-XX0001-" + os.urandom(12)
        self.sock.sendall(b"\x13BitTorrent protocol" + bytes(reserved) + info_hash + self.peer_id)
        got = self._exactly(68)
        if got[28:48] != info_hash:
            raise OSError("the service answered another info-hash")
        self.buf = b""

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise OSError("closed by the service")
            data += chunk
        return data

    def read(self):
        """The next message (id, payload); (None, b"") for a keep-alive."""
        length = struct.unpack(">I", self._exactly(4))[0]
        if length == 0:
            return None, b""
        if length > 2 * MIB:
            raise OSError("a message of %d bytes" % length)
        data = self._exactly(length)
        return data[0], data[1:]

    def send(self, data):
        self.sock.sendall(data)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Attacker(threading.Thread):
    """Runs `step()` until stopped; counts what it did and how the service ended its connections."""

    def __init__(self, name, source, port, payload, stop):
        super().__init__(daemon=True, name=name)
        self.source, self.port, self.payload, self.stop = source, port, payload, stop
        self.counts = {}

    def count(self, what, n=1):
        self.counts[what] = self.counts.get(what, 0) + n

    def run(self):
        while not self.stop.is_set():
            try:
                self.step()
            except ConnectionRefusedError:
                self.count("connections refused")
            except (OSError, struct.error):
                self.count("dropped by the service")
            self.stop.wait(0.05)


class BombPeer(Attacker):
    def step(self):
        p = Peer(self.source, self.port, self.payload.info_hash)
        try:
            p.send(extended(0, BOMBS[self.counts.get("connections", 0) % len(BOMBS)]))
            self.count("connections")
            self.count("bombs")
            p.sock.settimeout(1)
            while True:  # until the service hangs up (or 1 s of silence)
                p.read()
        except socket.timeout:
            self.count("kept open 1 s")
        finally:
            p.close()


class PexGarbagePeer(Attacker):
    def step(self):
        p = Peer(self.source, self.port, self.payload.info_hash)
        try:
            self.count("connections")
            p.send(extended(0, bencode({"m": {"ut_metadata": 1, "ut_pex": 2}, "metadata_size": 2_000_000_000})))
            p.sock.settimeout(5)
            ids = None
            while ids is None:  # the service's extension handshake names its ids
                msg_id, data = p.read()
                if msg_id == 20 and data[:1] == b"\x00":
                    ids = data
            pex = self._id(ids, b"ut_pex") or 1
            meta = self._id(ids, b"ut_metadata") or 2
            many = b"".join(socket.inet_aton("127.1.%d.%d" % (i // 250, i % 250 + 1)) + struct.pack(">H", 9)
                            for i in range(10_000))
            for attack in (extended(pex, b"d5:added%d:%se" % (len(many), many)),
                           extended(pex, b"d5:added3:abce"), extended(pex, b"d5:added"),
                           extended(pex, b"d5:added2000000000:"),
                           extended(meta, b"d8:msg_typei1e5:piecei0e10:total_sizei2000000000ee" + os.urandom(16384)),
                           extended(meta, b"d8:msg_typei1e5:piecei99999ee" + os.urandom(100)),
                           b"".join(extended(meta, b"d8:msg_typei0e5:piecei%dee" % i) for i in range(1000))):
                p.send(attack)
                self.count("garbage messages")
            while True:
                p.read()
        except socket.timeout:
            self.count("kept open 5 s")
        finally:
            p.close()

    @staticmethod
    def _id(handshake, name):
        at = handshake.find(b"%d:%si" % (len(name), name))
        if at < 0:
            return None
        start = at + len(name) + len(str(len(name))) + 2
        return int(handshake[start:handshake.index(b"e", start)])


class Liar(Attacker):
    """Claims every piece, answers requests with random bytes, sends blocks nobody asked for."""

    def step(self):
        p = Peer(self.source, self.port, self.payload.info_hash, ext=False)
        try:
            self.count("connections")
            bits = bytearray((self.payload.pieces + 7) // 8)
            for i in range(self.payload.pieces):
                bits[i // 8] |= 0x80 >> (i % 8)
            p.send(message(5, bytes(bits)) + message(1) + message(2))
            p.sock.settimeout(0.5)
            while not self.stop.is_set():
                try:
                    msg_id, data = p.read()
                except socket.timeout:
                    msg_id, data = None, b""
                if msg_id == 6 and len(data) == 12:
                    index, begin, length = struct.unpack(">III", data)
                    p.send(message(7, struct.pack(">II", index, begin) + os.urandom(min(length, 16384))))
                    self.count("bad blocks asked for")
                elif msg_id is None:
                    index = random.randrange(self.payload.pieces)
                    p.send(message(7, struct.pack(">II", index, 0) + os.urandom(16384)))
                    self.count("blocks nobody asked for")
        finally:
            p.close()


class HalfOpenFlood(Attacker):
    """2,000 connections that never handshake, held 10 s, then again."""

    def step(self):
        socks = []
        self.bursts = getattr(self, "bursts", []) + [time.monotonic()]
        try:
            for _ in range(2000):
                s = socket.socket()
                s.setblocking(False)
                s.bind((self.source, 0))
                s.connect_ex(("127.0.0.1", self.port))
                socks.append(s)
            self.count("half-open sockets", len(socks))
            self.stop.wait(10)
        finally:
            for s in socks:
                s.close()


# ---------------------------------------------------------------- the measurement

class StatusSampler(threading.Thread):
    """GET /status every 100 ms on one kept-alive connection, and the anon RSS every second."""

    def __init__(self, svc):
        super().__init__(daemon=True)
        self.svc, self.stop = svc, threading.Event()
        self.latencies, self.anon_max, self.failures = [], 0.0, []
        self.started = time.monotonic()
        self.slow = []  # (s after the start, ms) of calls over 100 ms
        self.timed = []  # (monotonic time at the end, s) of every call

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.svc.http_port, timeout=30)
        last_mem = 0
        while not self.stop.wait(0.1):
            t = time.perf_counter()
            try:
                conn.request("GET", "/status", headers={"Authorization": self.svc.auth})
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    self.failures.append("status %d" % resp.status)
            except (OSError, http.client.HTTPException) as e:
                self.failures.append(str(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.svc.http_port, timeout=30)
            took = time.perf_counter() - t
            self.latencies.append(took)
            self.timed.append((time.monotonic(), took))
            if took > 0.1:
                self.slow.append((time.monotonic() - self.started, took * 1000))
            if time.monotonic() - last_mem >= 1:
                last_mem = time.monotonic()
                self.anon_max = max(self.anon_max, proc_mem(self.svc.proc.pid)[0])
        conn.close()


def run_once(run, variant, cmd, cwd, payload, tracker_port, timeout, window, attack):
    """One service process, one download of `payload`, with or without the attack."""
    svc = Service(variant, cmd, cwd)
    stop = threading.Event()
    trackers, attackers = [], []
    honest = "http://127.0.0.1:%d/announce" % tracker_port
    folder = svc.base
    try:
        svc.wait_ready()
        svc.connect_events()
        anon0, _ = proc_mem(svc.proc.pid)
        tiers = [[honest]]
        if attack:
            trackers = [HostileTracker(trickle), HostileTracker(bomb_reply)]
            tiers = [[trackers[0].url], [trackers[1].url], [honest]]
        torrent = payload.torrent(os.path.join(folder, "attack-%s.torrent" % ("on" if attack else "off")), tiers)
        sampler = StatusSampler(svc)
        sampler.start()
        t0 = time.monotonic()
        tid = svc.upload(torrent)
        svc.post("/start/" + tid)
        if attack:
            args = (svc.peer_port, payload, stop)
            attackers = [BombPeer("bombs-%d" % i, "127.0.0.2", *args) for i in range(3)]
            attackers += [PexGarbagePeer("pex", "127.0.0.3", *args),
                         Liar("liar", "127.0.0.4", *args), HalfOpenFlood("flood", "127.0.0.5", *args)]
            for a in attackers:
                a.start()
        at, figures, source, lag = svc.wait_completed(tid, timeout)
        done = at - t0
        cpu_done = proc_cpu(svc.proc.pid)
        left = window - (time.monotonic() - t0)
        if left > 0:  # the attack goes on for the whole window, after the download too (the control idles)
            stop.wait(left)
        attack_s = time.monotonic() - t0
        cpu_after = (proc_cpu(svc.proc.pid) - cpu_done) / max(0.001, time.monotonic() - at) * 100
        stop.set()
        for a in attackers:
            a.join(15)
        sampler.stop.set()
        sampler.join(30)
        time.sleep(5)  # the connections the attack left close; then the memory it leaves behind
        anon_after, peak = proc_mem(svc.proc.pid)
        status, body = svc.request("GET", "/status/" + tid)
        lat = sampler.latencies
        what = "; ".join("%s: %s" % (a.name, ", ".join("%d %s" % (n, k) for k, n in sorted(a.counts.items())))
                         for a in attackers)
        after = [took for end, took in sampler.timed if end > at]
        if after:
            what += "; after the download (%s alone): %d calls, p50 %.1f ms, p99 %.1f ms, max %.1f ms, service " \
                    "CPU %.1f%% of a core" % ("the attack" if attack else "seeding, idle", len(after),
                                              percentile(after, 50) * 1000, percentile(after, 99) * 1000,
                                              max(after) * 1000, cpu_after)
        for a in attackers:
            if getattr(a, "bursts", None):
                what += "; flood bursts at %s s" % ", ".join("%.1f" % (b - sampler.started) for b in a.bursts)
        if sampler.slow:
            what += "; calls over 100 ms at (s after the start: ms) %s" % ", ".join(
                "%.1f: %.0f" % c for c in sampler.slow[:60])
        if trackers:
            what += "; trackers: slow %d announces, bomb %d" % (trackers[0].hits, trackers[1].hits)
        load = open("/proc/loadavg").read().split()[0]
        note = "done %.1f s after the start (%s); %d status calls over %.0f s, load %s at the end%s%s" % (
            done, "under attack" if attack else "no attack", len(lat), attack_s, load,
            ", %d failed: %s" % (len(sampler.failures), sampler.failures[:3]) if sampler.failures else "",
            "; " + what if what else "")
        what = what.lstrip("; ")
        return result("attack", variant + (" attack" if attack else " control"), run, done,
                      dict(cpu=float("nan"), anon=anon_after, peak=peak), payload.verify(svc.download_dir), note,
                      anon0=anon0, anon_max=max(sampler.anon_max, anon_after), p50=percentile(lat, 50) * 1000,
                      p99=percentile(lat, 99) * 1000, pmax=max(lat) * 1000, calls=len(lat),
                      p99_after=percentile(after, 99) * 1000 if after else float("nan"),
                      status_ok=status == 200)
    finally:
        stop.set()
        for t in trackers:
            t.close()
        svc.close()


def scenario(run, variant, cmd, cwd, size_mib, tracker_port, timeout, window):
    """A control run and an attack run of this service; the seeder and opentracker live for both."""
    payload = AttackPayload(size_mib)
    tracker = Tracker(tracker_port + 1, [payload.info_hash.hex()])
    seeder = None
    try:
        seed_torrent = payload.torrent(os.path.join(WORK, "attack-seed.torrent"),
                                       [["http://127.0.0.1:%d/announce" % (tracker_port + 1)]])
        seeder = LtProcess("seed", seed_torrent, payload.data_dir, ["--seed-mode"], tag="seed-attack")
        seeder.wait_event("ready", 120)
        seeder.wait_event("log:tracker_reply", 60)
        rows = []
        for attack in (False, True):
            try:
                rows.append(run_once(run, variant, cmd, cwd, payload, tracker_port + 1, timeout, window, attack))
            except Failed as e:
                rows.append(dict(scenario="attack", client=variant + (" attack" if attack else " control"),
                                 run=run, error=str(e)))
        return rows
    finally:
        if seeder:
            seeder.close()
        tracker.close()
