"""This service under measurement: launched as the README says (or as a native executable), driven over its HTTP
API with HTTP Basic auth, and watched through its own push channels:

- GET /events (server-sent events): a torrent is complete when a `status` event says `completed: true`;
- its console log, read line by line: "'NAME' finished downloading" is written the moment the last piece is
  verified, while /events holds a status for up to 0.5 s (it coalesces). The first of the two is the completion
  time; /events must confirm it. The lag of /events is shown in the note.

The /proc figures (CPU, anon RSS, peak RSS) are read by whichever reader thread sees completion first.
"""
import base64
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import threading
import time
import uuid

from swarm import (WORK, Failed, LtProcess, free_port, fresh_dir, jit_cpu, proc_cpu, proc_figures, proc_mem,
                   seeder_cpu,
                   stop_process)


def _readme_jvm_options():
    """The JVM options of the README's run command (one source: JvmOptionsTest keeps Dockerfile.jvm the same)."""
    readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "README.md")
    with open(readme) as f:
        for line in f:
            m = re.search(r"&& java (.*?) -jar target/quarkus-app/quarkus-run\.jar", line)
            if m:
                return shlex.split(m.group(1))  # an option with a `*` is quoted for the shell
    raise SystemExit("bench: no `java ... -jar target/quarkus-app/quarkus-run.jar` run command in README.md")


# the README's run command, from the repository root
JVM_OPTIONS = _readme_jvm_options()
JVM_CMD = ["java"] + JVM_OPTIONS + ["-jar", "target/quarkus-app/quarkus-run.jar"]
# JVM options a user did not type would change what is measured: they are not passed on
JVM_ENV_OPTIONS = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
USER = "admin"


class Service:
    """One process of this service with fresh folders, ports and password."""

    def __init__(self, variant, cmd, cwd, base=None):
        """`base`: the folders of an earlier process (download and state), reused as they are (restart)."""
        self.variant = variant
        self.base = base or fresh_dir("svc-%s-" % variant)
        self.lines = []  # the console log, line by line
        self.download_dir = os.path.join(self.base, "downloads")
        self.http_port, self.peer_port = free_port(), free_port()
        password = secrets.token_urlsafe(18)
        self.auth = "Basic " + base64.b64encode(("%s:%s" % (USER, password)).encode()).decode()
        env = {k: v for k, v in os.environ.items() if k not in JVM_ENV_OPTIONS}
        env.update(BT_HOST="127.0.0.1", BT_PORT=str(self.http_port), BT_PEER_PORT=str(self.peer_port),
                   BT_DOWNLOAD_DIR=self.download_dir, BT_STATE_DIR=os.path.join(self.base, "state"),
                   BT_USERNAME=USER, BT_PASSWORD=password,
                   BT_DHT_BOOTSTRAP="none")  # the benchmark never reaches a public DHT router
        self.cond = threading.Condition()
        self.listening = False
        self.exited = False
        self.names = {}       # torrent name -> id, for the log clock
        self.first = {}       # id -> (monotonic time, /proc figures, source) of the first completion signal
        self.confirmed = {}   # id -> monotonic time /events said completed
        self.states = {}      # id -> last state seen on /events
        self.errors = {}      # id -> error reported on /events
        self.last_status = {}  # id -> the whole status as /events last described it (status, then deltas)
        self.sse = None
        self.logf = open(os.path.join(WORK, "service-%s.log" % variant), "w")
        self.launched = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read_log, daemon=True).start()

    # -------------------------------------------------------- push channels

    FINISHED = re.compile(r"'(.+)' finished downloading")

    def _read_log(self):
        for line in self.proc.stdout:
            self.logf.write(line)
            self.lines.append(line)
            if not self.listening and "Listening on" in line:
                with self.cond:
                    self.listening = True
                    self.cond.notify_all()
            m = self.FINISHED.search(line)
            if m and m.group(1) in self.names:
                self._completed(self.names[m.group(1)], "log")
        self.logf.flush()
        with self.cond:
            self.exited = True
            self.cond.notify_all()

    def _completed(self, torrent_id, source):
        now = time.monotonic()
        with self.cond:
            if torrent_id in self.first:
                return
        try:
            figures = dict(proc_figures(self.proc.pid), jit=jit_cpu(self.proc.pid))
        except OSError:
            figures = None
        with self.cond:
            self.first.setdefault(torrent_id, (now, figures, source))
            self.cond.notify_all()

    def connect_events(self):
        """Opens GET /events and reads it in a thread."""
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=None)
        conn.request("GET", "/events", headers={"Authorization": self.auth, "Accept": "text/event-stream"})
        resp = conn.getresponse()
        if resp.status != 200:
            raise Failed("GET /events answered %d: %s" % (resp.status, resp.read(300)))
        self.sse = conn
        threading.Thread(target=self._read_events, args=(resp,), daemon=True).start()

    def _read_events(self, resp):
        name, data = None, []
        try:
            for raw in resp:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif line == "":
                    if name == "status" and data:
                        self._on_status(json.loads("\n".join(data)))
                    elif name == "delta" and data:  # only the fields that changed since this connection's last event
                        change = json.loads("\n".join(data))
                        merged = dict(self.last_status.get(change.get("torrent_id"), {}))
                        merged.update(change.get("changes") or {})
                        self._on_status({"torrent_id": change.get("torrent_id"), "status": merged})
                    name, data = None, []
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed by close() (http.client then reads from a None socket) or by the service

    def _on_status(self, change):
        torrent_id, status = change.get("torrent_id"), change.get("status") or {}
        self.last_status[torrent_id] = status
        if status.get("completed") is True:
            self._completed(torrent_id, "events")
        with self.cond:
            self.states[torrent_id] = status.get("state")
            if status.get("completed") is True:
                self.confirmed.setdefault(torrent_id, time.monotonic())
            if status.get("state") == "error" or status.get("error"):
                self.errors[torrent_id] = status.get("error") or "state error"
            self.cond.notify_all()

    def _wait(self, what, predicate, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                if self.exited:
                    raise Failed("the service exited (status %s) while waiting for %s, see bench/.work/service-%s.log"
                                 % (self.proc.poll(), what, self.variant))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failed("%s: not within %d s" % (what, timeout))
                self.cond.wait(left)

    # -------------------------------------------------------- HTTP

    def request(self, method, path, body=None, headers=None, conn=None):
        """(status, body bytes); with `conn`, on that kept-alive connection."""
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}, Authorization=self.auth))
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            if own:
                conn.close()

    def wait_ready(self, timeout=120):
        """Blocks on the log line saying Quarkus listens, then asks /q/health/ready; seconds from launch to UP."""
        self._wait("the service listening", lambda: self.listening, timeout)
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.request("GET", "/q/health/ready")
            if status == 200:
                return time.monotonic() - self.launched
            if time.monotonic() > deadline:
                raise Failed("/q/health/ready still %d after %d s: %s" % (status, timeout, body[:300]))
            time.sleep(0.02)  # only when not ready at once: stored torrents still loading

    def upload(self, torrent, conn=None):
        boundary = uuid.uuid4().hex
        with open(torrent, "rb") as f:
            body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                     "Content-Type: application/x-bittorrent\r\n\r\n" % (boundary, os.path.basename(torrent)))
                    .encode() + f.read() + ("\r\n--%s--\r\n" % boundary).encode())
        status, text = self.request("POST", "/upload", body,
                                    {"Content-Type": "multipart/form-data; boundary=" + boundary}, conn)
        if status != 200:
            raise Failed("POST /upload answered %d: %s" % (status, text[:300]))
        answer = json.loads(text)
        with self.cond:
            self.names[answer["name"]] = answer["torrent_id"]
        return answer["torrent_id"]

    def post(self, path, payload=None, conn=None):
        body = None if payload is None else json.dumps(payload).encode()
        status, text = self.request("POST", path, body, {"Content-Type": "application/json"} if body else {}, conn)
        if status >= 300:
            raise Failed("POST %s answered %d: %s" % (path, status, text[:300]))
        return text

    # -------------------------------------------------------- completion

    def wait_completed(self, torrent_id, timeout):
        """Blocks until /events says the torrent is complete; returns (time of the first signal, its /proc figures,
        its source, how much later /events said so)."""
        def done():
            if torrent_id in self.errors:
                raise Failed("the service reports an error: %s" % self.errors[torrent_id])
            return torrent_id in self.confirmed and torrent_id in self.first
        self._wait("completion of %s" % torrent_id, done, timeout)
        at, figures, source = self.first[torrent_id]
        if figures is None:
            raise Failed("no /proc figures at completion")
        return at, figures, source, self.confirmed[torrent_id] - at

    def wait_state(self, torrent_id, state, timeout):
        def reached():
            if torrent_id in self.errors:
                raise Failed("the service reports an error: %s" % self.errors[torrent_id])
            return self.states.get(torrent_id) == state
        self._wait("state %s of %s" % (state, torrent_id), reached, timeout)

    def close(self, keep_folders=False):
        if self.sse:
            self.sse.close()
        stop_process(self.proc)
        self.logf.flush()
        if not keep_folders:
            shutil.rmtree(self.base, ignore_errors=True)

    def kill9(self):
        """kill -9: no shutdown, nothing saved on the way out."""
        if self.sse:
            self.sse.close()
            self.sse = None
        self.proc.kill()
        self.proc.wait()
        with self.cond:
            self.exited = True
            self.cond.notify_all()


def result(scenario, client, run, wall, figures, ok, note="", **extra):
    return dict(scenario=scenario, client=client, run=run, wall=wall, ok=ok, note=note, **figures, **extra)


def clock_note(source, lag):
    return "done from %s%s" % (source, "" if source == "events" else ", /events %+.0f ms" % (lag * 1000))


# ---------------------------------------------------------------- scenarios

def download(run, variant, cmd, cwd, first, second, timeout, then_seed=False):
    """Cold: launch -> `first` complete (whole process). Warm: then `second` from POST /start -> complete.
    With then_seed, the same process then seeds `first` to a libtorrent leecher (seeding, warm).
    A failure of the cold download fails every row; a failure of a later step is its row only."""
    svc = Service(variant, cmd, cwd)
    try:
        ready = svc.wait_ready()
        svc.connect_events()
        tid = svc.upload(first.torrent)
        seeder0 = seeder_cpu(first)
        svc.post("/start/" + tid)
        at, figures, source, lag = svc.wait_completed(tid, timeout)
        seeder = seeder_cpu(first) - seeder0
        cold = result("download", variant + " cold", run, at - svc.launched, figures, first.verify(svc.download_dir),
                      "ready in %.2f s; %s" % (ready, clock_note(source, lag)), ready=ready, seeder_cpu=seeder)
        try:
            tid = svc.upload(second.torrent)
            cpu0, jit0 = proc_cpu(svc.proc.pid), jit_cpu(svc.proc.pid)
            seeder0 = seeder_cpu(second)
            t0 = time.monotonic()
            svc.post("/start/" + tid)
            at, figures, source, lag = svc.wait_completed(tid, timeout)
            seeder = seeder_cpu(second) - seeder0
            figures = dict(figures, cpu=figures["cpu"] - cpu0, jit=figures["jit"] - jit0)
            warm = result("download", variant + " warm", run, at - t0, figures, second.verify(svc.download_dir),
                          clock_note(source, lag), seeder_cpu=seeder)
        except Failed as e:
            warm = dict(scenario="download", client=variant + " warm", run=run, error=str(e))
        if not then_seed:
            return [cold, warm]
        try:
            seeding = _leech_from(variant + " warm", run, first, svc.proc.pid, svc.peer_port, timeout)
        except Failed as e:
            seeding = dict(scenario="seed", client=variant + " warm", run=run, error=str(e))
        return [cold, warm, seeding]
    finally:
        svc.close()


def seed_libtorrent(run, payload, timeout):
    """A fresh libtorrent seeder (seed mode, no tracker) and a libtorrent leecher that dials it."""
    seeder = LtProcess("seed", payload.torrent, payload.data_dir, ["--seed-mode", "--no-trackers"], tag="seed-bench")
    try:
        _, ready, _ = seeder.wait_event("ready", 120)
        return _leech_from("libtorrent", run, payload, seeder.proc.pid, ready["port"], timeout)
    finally:
        seeder.close()


def seed_service(run, variant, cmd, cwd, payload, timeout):
    """This service seeding the payload (a hard link of it in its download folder, checked at start)."""
    svc = Service(variant, cmd, cwd)
    before = os.stat(payload.path)
    try:
        os.makedirs(svc.download_dir)
        os.link(payload.path, os.path.join(svc.download_dir, payload.name))
        svc.wait_ready()
        svc.connect_events()
        tid = svc.upload(payload.torrent)
        svc.post("/start/" + tid)
        svc.wait_state(tid, "seeding", timeout)
        return _leech_from(variant, run, payload, svc.proc.pid, svc.peer_port, timeout)
    finally:
        svc.close()
        after = os.stat(payload.path)
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            # the link shares the cached payload: a seeder that writes to it spoils every later run
            os.unlink(payload.path + ".sha256")
            raise Failed("the service changed the payload it seeds (a hard link of bench/.work/data/%s); the "
                         "cache is dropped, the next run writes a new one" % payload.name)


def _leech_from(client, run, payload, seeder_pid, seeder_port, timeout):
    out = fresh_dir("seed-leech-")
    cpu0 = proc_cpu(seeder_pid)
    leech = LtProcess("leech", payload.torrent, out, ["--no-trackers", "--peer", "127.0.0.1:%d" % seeder_port],
                      tag="seed-leech")
    try:
        done, _, _ = leech.wait_event("finished", timeout)
        cpu = proc_cpu(seeder_pid) - cpu0
        anon, peak = proc_mem(seeder_pid)
        leech.close()
        return result("seed", client, run, done - leech.launched, dict(cpu=cpu, anon=anon, peak=peak),
                      payload.verify(out))
    finally:
        if leech.proc.poll() is None:
            leech.proc.kill()
            leech.proc.wait()
        shutil.rmtree(out, ignore_errors=True)
