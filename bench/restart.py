"""The restart scenario (issue 10): a big torrent (6 GiB by default) downloaded from one libtorrent seeder, the
service killed with SIGKILL when about half is verified, then launched again on the same folders. Measured: launch
-> ready, ready -> the torrent downloading again, ready -> its first new piece verified (fetched from the swarm: a
piece neither verified before the kill nor in the journal of pieces written since the save, which are hashed while it
downloads), and how many pieces the restart hashed (the service's "N piece(s) hashed from disk" line). Then a file changed behind its back: killed
again, 16 KiB inside a verified piece overwritten (size unchanged), launched again: the restart must notice (its
log says why it checks every piece), download that piece again, and the finished file must match the payload's
sha256.

The time of "downloading" comes from GET /events, which sends a torrent's status at most twice a second: up to 0.5 s
late (never early); "first new piece" from GET /pieces polled every 50 ms."""
import base64
import json
import os
import re
import shutil
import time

from service import Service, result
from swarm import Failed, log

HASHED = re.compile(r"(\d+) piece\(s\) hashed from disk, (\d+) verified")
FULL_CHECK = re.compile(r"'[^']*': (.+); checking every piece again")
UNSAVED = re.compile(r"was not stopped cleanly: checking the (\d+) piece\(s\) written since the last save and (\d+)")


def _status(svc, tid):
    with svc.cond:
        return dict(svc.last_status.get(tid) or {})


def _wait_status(svc, tid, what, predicate, timeout):
    """Blocks (on /events, no polling) until the torrent's last status satisfies predicate; returns the time."""
    def ok():
        if tid in svc.errors:
            raise Failed("the service reports an error: %s" % svc.errors[tid])
        return predicate(svc.last_status.get(tid) or {})
    svc._wait(what, ok, timeout)
    return time.monotonic()


def _hashed_line(svc, timeout=120):
    """(pieces hashed, verified) from the restart's check line, and the plan's line (why / how many suspects)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = "".join(svc.lines)
        m = HASHED.search(text)
        if m:
            plan = FULL_CHECK.search(text) or UNSAVED.search(text)
            return int(m.group(1)), int(m.group(2)), plan.group(0) if plan else "no plan line"
        if svc.proc.poll() is not None:
            break
        time.sleep(0.2)  # after the measurement: only reads the log the reader thread collected
    raise Failed("no 'hashed from disk' line in the restarted service's log")


def _journal(base, tid):
    """The pieces the service's journal says it was writing or wrote since its last save (state/torrents/<id>.written:
    4-byte big-endian entries, ~piece before a write, piece after it)."""
    path = os.path.join(base, "state", "torrents", tid + ".written")
    if not os.path.exists(path):
        return set()
    data = open(path, "rb").read()
    pieces = set()
    for i in range(0, len(data) - 3, 4):
        v = int.from_bytes(data[i:i + 4], "big", signed=True)
        pieces.add(~v if v < 0 else v)
    return pieces


def _wait_new_piece(svc, tid, known, timeout):
    """Polls GET /pieces (every 50 ms: /events cannot tell a piece fetched from one found whole on disk) until a
    piece outside known is verified; returns the time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, now = _verified(svc, tid)
        if now - known:
            return time.monotonic()
        if tid in svc.errors:
            raise Failed("the service reports an error: %s" % svc.errors[tid])
        time.sleep(0.05)
    raise Failed("no new piece verified within %d s" % timeout)


def _launch(variant, cmd, cwd, base):
    svc = Service(variant, cmd, cwd, base=base)
    ready = svc.wait_ready()
    t_ready = time.monotonic()
    svc.connect_events()
    return svc, ready, t_ready


def service(run, variant, cmd, cwd, payload, timeout):
    svc = Service(variant, cmd, cwd)
    base = svc.base
    rows = []
    try:
        svc.wait_ready()
        svc.connect_events()
        tid = svc.upload(payload.torrent)
        svc.post("/start/" + tid)
        _wait_status(svc, tid, "half of the torrent verified",
                     lambda s: (s.get("progress") or 0) >= 50, timeout)
        at_kill = _status(svc, tid)
        _, verified_at_kill = _verified(svc, tid)
        svc.kill9()
        svc.close(keep_folders=True)
        written = _journal(base, tid)
        log("  %s: killed (-9) with %s of %s pieces verified" % (variant, at_kill.get("downloaded_pieces"),
                                                                 at_kill.get("total_pieces")))

        # 1. the restart after kill -9
        svc, ready, t_ready = _launch(variant + "-restart", cmd, cwd, base)
        t_down = _wait_status(svc, tid, "state downloading", lambda s: s.get("state") == "downloading", timeout)
        # the pieces written since the last save are hashed while the torrent downloads and verify without being
        # fetched: a new piece is one verified now that was neither verified before the kill nor in the journal
        t_piece = _wait_new_piece(svc, tid, verified_at_kill | written, timeout)
        hashed, verified, plan = _hashed_line(svc)
        rows.append(result("restart", variant, run, t_piece - t_ready, dict(cpu=float("nan"), anon=float("nan"),
                           peak=float("nan")), True,
                           "killed at %s/%s pieces; %s; %d hashed, %d verified after the check"
                           % (at_kill.get("downloaded_pieces"), at_kill.get("total_pieces"), plan, hashed, verified),
                           ready=ready, to_downloading=t_down - t_ready, hashed=hashed,
                           pieces=at_kill.get("total_pieces")))
        log("  %s: ready in %.2f s, downloading %.2f s later, a new piece %.2f s later; %d pieces hashed"
            % (variant, ready, t_down - t_ready, t_piece - t_ready, hashed))

        # 2. a file changed behind its back (same size): caught at the next restart, and the download still ends
        # with the payload's exact bytes
        piece_length, verified_pieces = _verified(svc, tid)
        if not verified_pieces:
            raise Failed("no verified piece to change")
        victim = sorted(verified_pieces)[len(verified_pieces) // 2]
        svc.kill9()
        svc.close(keep_folders=True)
        path = os.path.join(base, "downloads", payload.name)
        with open(path, "r+b") as f:
            f.seek(victim * piece_length + 4096)
            f.write(os.urandom(16384))
        svc, ready2, t_ready = _launch(variant + "-changed", cmd, cwd, base)
        t_down = _wait_status(svc, tid, "state downloading after the change",
                              lambda s: s.get("state") in ("downloading", "seeding"), timeout)
        hashed2, verified2, plan2 = _hashed_line(svc)
        # caught: the restart says why it checks every piece, or the changed piece is not verified any more
        caught = bool(FULL_CHECK.search(plan2)) or victim not in _verified(svc, tid)[1]
        t_done = _wait_status(svc, tid, "completion", lambda s: s.get("completed") is True, timeout)
        ok = caught and payload.verify(os.path.join(base, "downloads"))
        rows.append(result("restart", variant + " changed file", run, t_down - t_ready,
                           dict(cpu=float("nan"), anon=float("nan"), peak=float("nan")), ok,
                           "piece %d overwritten (size kept): %s; %d hashed, %d verified; %s; completed %.1f s "
                           "after ready, sha256 %s" % (victim, plan2, hashed2, verified2,
                                                       "caught" if caught else "NOT CAUGHT", t_done - t_ready,
                                                       "ok" if ok else "WRONG"),
                           ready=ready2, to_downloading=t_down - t_ready, hashed=hashed2,
                           pieces=at_kill.get("total_pieces")))
        log("  %s: changed file: %s, %d hashed, %s" % (variant, plan2, hashed2, "caught" if caught else "NOT CAUGHT"))
        return rows
    finally:
        svc.close()
        shutil.rmtree(base, ignore_errors=True)


def _verified(svc, tid):
    """(piece length, the set of verified pieces) from GET /pieces."""
    status, body = svc.request("GET", "/pieces/" + tid)
    if status != 200:
        raise Failed("GET /pieces answered %d" % status)
    pieces = json.loads(body)
    bits = base64.b64decode(pieces["bitfield"])
    return pieces["piece_length"], {i for i in range(pieces["pieces"]) if bits[i >> 3] & (0x80 >> (i & 7))}
