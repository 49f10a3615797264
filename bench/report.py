"""The bench's report: one markdown text (tables per scenario, the ratios the issues name, every run), printed
and written to bench/.work/results-<date>.md."""
import math
import statistics

from swarm import MB

DOWNLOAD_ORDER = ["libtorrent", "aria2", "qbittorrent", "jvm cold", "jvm warm", "trial cold", "trial warm",
                  "native cold", "native warm"]


def good(rows, scenario, client):
    return [r for r in rows if r["scenario"] == scenario and r["client"] == client and not r.get("error") and r["ok"]]


def median(rows, key):
    values = [r[key] for r in rows if key in r and r[key] is not None and not math.isnan(r[key])]
    return statistics.median(values) if values else float("nan")


def fmt(value, digits=2):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "%.*f" % (digits, value)


def table(header, lines, text_columns=(0,)):
    """A markdown table; numbers right-aligned, the columns in text_columns left-aligned."""
    align = ["---" if i in text_columns or i - len(header) in text_columns else "---:" for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return out


class Report:
    def __init__(self, rows, runs, size):
        self.rows, self.runs, self.size = rows, runs, size
        self.med = {}  # (scenario, client) -> {key: median}
        for r in rows:
            key = (r["scenario"], r["client"])
            if key not in self.med:
                ok = good(rows, *key)
                self.med[key] = dict(n=len(ok), **{k: median(ok, k) for k in
                                                   ("wall", "cpu", "anon", "peak", "ready", "idle", "p50", "p99",
                                                    "pmax", "body_kib", "anon0", "anon_max", "p99_after",
                                                    "to_downloading", "hashed", "seeder_cpu", "jit")})

    def clients(self, scenario, order=()):
        seen = [c for (s, c) in self.med if s == scenario]
        return sorted(seen, key=lambda c: (order.index(c) if c in order else len(order), c))

    def count(self, scenario, client):
        total = sum(1 for r in self.rows if r["scenario"] == scenario and r["client"] == client)
        return "%d/%d" % (self.med[(scenario, client)]["n"], total)

    def markdown(self, header_lines):
        out = list(header_lines)
        size_gib = self.size / (1 << 30)
        if self.clients("download"):
            out += ["", "### Download: %s from one libtorrent seeder (medians of verified runs)" % self._size(), ""]
            lines = []
            for c in self.clients("download", DOWNLOAD_ORDER):
                m = self.med[("download", c)]
                lines.append([c, self.count("download", c), fmt(m["wall"]), fmt(self.size / MB / m["wall"], 0),
                              fmt(m["cpu"]), fmt(m["cpu"] / size_gib), fmt(m["jit"]), fmt(m["seeder_cpu"]),
                              fmt(m["anon"], 0), fmt(m["peak"], 0), fmt(m["ready"])])
            out += table(["leecher", "runs ok", "done s", "MB/s", "CPU s", "CPU s/GiB", "of it JIT s",
                          "seeder CPU s", "anon RSS MiB", "peak RSS MiB", "start -> ready s"], lines)
            out += ["", "done s: launch -> complete (warm: `POST /start` -> complete, the service already running "
                        "after the cold download). CPU s: the whole process at completion (warm: during that "
                        "download only); of it JIT s: the JVM's C1 and C2 compiler threads. seeder CPU s: the "
                        "libtorrent seeder's during that download (launch or `POST /start` -> complete). RSS: RssAnon "
                        "and VmHWM at completion."]
        if self.clients("seed"):
            out += ["", "### Seeding %s to a python-libtorrent leecher" % self._size(), ""]
            lines = []
            for c in self.clients("seed", ["libtorrent", "jvm", "jvm warm", "native", "native warm"]):
                m = self.med[("seed", c)]
                lines.append([c, self.count("seed", c), fmt(m["wall"]), fmt(self.size / MB / m["wall"], 0),
                              fmt(m["cpu"]), fmt(m["anon"], 0), fmt(m["peak"], 0)])
            out += table(["seeder", "runs ok", "leecher done s", "MB/s", "seeder CPU s", "seeder anon RSS MiB",
                          "seeder peak RSS MiB"], lines)
            out += ["", "leecher done s: the leecher's launch -> done; seeder CPU s: during it. jvm, native: a fresh "
                        "process that checked the files at start; warm: the process of the download rows, after "
                        "its two downloads."]
        if self.clients("many"):
            out += ["", "### Many torrents: %s" % self.many_label, ""]
            lines = []
            for c in self.clients("many", ["jvm", "native", "libtorrent", "qbittorrent"]):
                m = self.med[("many", c)]
                lines.append([c, self.count("many", c), fmt(m["idle"]), fmt(m["anon"], 0), fmt(m["peak"], 0),
                              fmt(m["p50"], 1), fmt(m["p99"], 1), fmt(m["pmax"], 1), fmt(m["body_kib"], 0)])
            out += table(["client", "runs ok", "idle CPU % of a core", "anon RSS MiB", "peak RSS MiB",
                          "status call p50 ms", "p99 ms", "max ms", "body KiB"], lines)
            out += ["", "Status call: this service's `GET /status`, qBittorrent's `/api/v2/torrents/info` (every "
                        "torrent), sequential on one kept-alive connection; libtorrent has no HTTP API."]
        if self.clients("attack"):
            out += ["", "### Under attack: %s" % self.attack_label, ""]
            lines = []
            for c in self.clients("attack", ["jvm control", "jvm attack", "native control", "native attack"]):
                m = self.med[("attack", c)]
                lines.append([c, self.count("attack", c), fmt(m["wall"], 1), fmt(m["p50"], 1), fmt(m["p99"], 1),
                              fmt(m["pmax"], 1), fmt(m["p99_after"], 1), fmt(m["anon0"], 0), fmt(m["anon_max"], 0), fmt(m["anon"], 0),
                              fmt(m["peak"], 0)])
            out += table(["run", "runs ok (sha256)", "done s", "GET /status p50 ms", "p99 ms", "max ms",
                          "p99 ms after the download", "anon MiB before", "anon MiB at most", "anon MiB 5 s after", "peak RSS MiB"], lines)
            out += ["", "control: the same download, no attacker, the honest tracker only. attack: bomb peers, a "
                        "PEX/metadata garbage peer, a liar, 2,000 half-open sockets at a time, a slow tracker and a "
                        "bomb tracker (tiers 1 and 2; the honest one is tier 3), see bench/attack.py. done s: "
                        "`POST /start` -> complete. GET /status every 100 ms during the run."]
        if self.clients("restart"):
            out += ["", "### Restart after kill -9: %s" % self.restart_label, ""]
            lines = []
            for c in self.clients("restart"):
                m = self.med[("restart", c)]
                lines.append([c, self.count("restart", c), fmt(m["ready"]), fmt(m["to_downloading"]),
                              fmt(m["wall"]) if "changed" not in c else "", fmt(m["hashed"], 0)])
            out += table(["service", "runs ok", "launch -> ready s", "ready -> downloading s",
                          "ready -> a new piece verified s", "pieces hashed at the restart"], lines)
            out += ["", "Killed with SIGKILL at half, launched again on the same folders (the torrent resumes by "
                        "itself). `changed file`: killed again, 16 KiB of a verified piece overwritten (size kept), "
                        "launched again; the note says how the restart noticed, and the finished file is "
                        "sha256-checked. Times from `/events` (up to 0.5 s late)."]
        out += ["", "### Ratios and targets (issues 9, 10 and 11)", ""]
        out += table(["check", "measured", "target", ""], self.checks(), (0, -1))
        out += ["", "### Every run", ""]
        lines = []
        for r in self.rows:
            if r.get("error"):
                lines.append([r["scenario"], r["client"], str(r["run"]), "FAILED: " + r["error"].replace("|", "/"),
                              "", "", "", "", ""])
                continue
            first = fmt(r["wall"]) if r["scenario"] != "many" else "idle %s%%" % fmt(r.get("idle"))
            if r["scenario"] == "attack":
                first += ", p99 %s ms" % fmt(r.get("p99"), 1)
            lines.append([r["scenario"], r["client"], str(r["run"]), first, fmt(r["cpu"]), fmt(r["anon"], 0),
                          fmt(r["peak"], 0), "ok" if r["ok"] else "WRONG", r.get("note", "")])
        out += table(["scenario", "client", "run", "s", "CPU s", "anon MiB", "peak MiB", "sha256", "note"], lines,
                     (0, 1, -2, -1))
        return "\n".join(out) + "\n"

    def _size(self):
        return "%d MiB" % (self.size >> 20) if self.size % (1 << 30) else "%d GiB" % (self.size >> 30)

    def _get(self, scenario, client, key):
        m = self.med.get((scenario, client))
        return m[key] if m and m["n"] else float("nan")

    def checks(self):
        lines = []

        def ratio(label, a, b, target):
            value = a / b if b and not math.isnan(a) and not math.isnan(b) else float("nan")
            add(label, value, "x", target)

        def add(label, value, unit, target):
            if math.isnan(value):
                return  # not measured in this run
            digits = {"x": 2, "s": 2, "%": 2, "ms": 1, "MiB": 1}[unit]
            verdict = "" if target is None else ("pass" if value <= target else "FAIL")
            lines.append([label, "%s %s" % (fmt(value, digits), unit),
                          "" if target is None else "<= %s %s" % (target, unit), verdict])

        g = self._get
        lt_wall, lt_cpu = g("download", "libtorrent", "wall"), g("download", "libtorrent", "cpu")
        ratio("jvm warm done / libtorrent done (issue 10)", g("download", "jvm warm", "wall"), lt_wall, 0.8)
        ratio("jvm warm CPU / libtorrent CPU (issue 10)", g("download", "jvm warm", "cpu"), lt_cpu, 0.8)
        ratio("jvm warm: its seeder's CPU / libtorrent's seeder's CPU", g("download", "jvm warm", "seeder_cpu"),
              g("download", "libtorrent", "seeder_cpu"), None)
        ratio("trial warm done / libtorrent done", g("download", "trial warm", "wall"), lt_wall, None)
        ratio("trial warm CPU / libtorrent CPU", g("download", "trial warm", "cpu"), lt_cpu, None)
        ratio("jvm cold done / libtorrent done", g("download", "jvm cold", "wall"), lt_wall, None)
        ratio("jvm cold CPU / libtorrent CPU", g("download", "jvm cold", "cpu"), lt_cpu, None)
        add("jvm cold anon RSS at completion (issue 10)", g("download", "jvm cold", "anon"), "MiB", 150)
        add("jvm cold peak RSS (issue 10)", g("download", "jvm cold", "peak"), "MiB", 200)
        ratio("jvm seeding: leecher done / with libtorrent seeder (issue 10)", g("seed", "jvm", "wall"),
              g("seed", "libtorrent", "wall"), 1.0)
        ratio("jvm seeding: seeder CPU / libtorrent seeder CPU (issue 10)", g("seed", "jvm", "cpu"),
              g("seed", "libtorrent", "cpu"), 1.0)
        ratio("jvm warm seeding: leecher done / with libtorrent seeder (issue 10)", g("seed", "jvm warm", "wall"),
              g("seed", "libtorrent", "wall"), 1.0)
        ratio("jvm warm seeding: seeder CPU / libtorrent seeder CPU (issue 10)", g("seed", "jvm warm", "cpu"),
              g("seed", "libtorrent", "cpu"), 1.0)
        add("jvm many: idle CPU % of a core (issue 10)", g("many", "jvm", "idle"), "%", 1)
        add("jvm many: anon RSS (issue 10)", g("many", "jvm", "anon"), "MiB", 150)
        add("jvm many: GET /status p99 (issue 10)", g("many", "jvm", "p99"), "ms", 20)
        add("jvm under attack: GET /status p99 (issue 11)", g("attack", "jvm attack", "p99"), "ms", 100)
        add("jvm under attack, after the download: GET /status p99", g("attack", "jvm attack", "p99_after"), "ms",
            100)
        add("jvm under attack: anon RSS 5 s after, minus the control's (issue 11)", g("attack", "jvm attack", "anon")
            - g("attack", "jvm control", "anon"), "MiB", None)
        add("native under attack: GET /status p99 (issue 11)", g("attack", "native attack", "p99"), "ms", 100)
        add("jvm restart after kill -9 at half: ready -> a new piece verified (issue 10)",
            g("restart", "jvm", "wall"), "s", 3)
        add("native start -> ready (issue 9)", g("download", "native cold", "ready"), "s", 0.2)
        add("native cold anon RSS at completion (issue 9)", g("download", "native cold", "anon"), "MiB", 100)
        add("native warm anon RSS at completion (issue 9)", g("download", "native warm", "anon"), "MiB", 100)
        ratio("native warm CPU / jvm warm CPU, per GiB (issue 9)", g("download", "native warm", "cpu"),
              g("download", "jvm warm", "cpu"), 1.2)
        ratio("native cold CPU (whole process) / jvm warm CPU", g("download", "native cold", "cpu"),
              g("download", "jvm warm", "cpu"), None)
        ratio("native warm done / libtorrent done", g("download", "native warm", "wall"), lt_wall, None)
        ratio("native seeding: leecher done / with libtorrent seeder", g("seed", "native", "wall"),
              g("seed", "libtorrent", "wall"), 1.0)
        ratio("native seeding: seeder CPU / libtorrent seeder CPU", g("seed", "native", "cpu"),
              g("seed", "libtorrent", "cpu"), 1.0)
        add("native many: idle CPU % of a core", g("many", "native", "idle"), "%", 1)
        add("native many: anon RSS", g("many", "native", "anon"), "MiB", 150)
        add("native many: GET /status p99", g("many", "native", "p99"), "ms", 20)
        return lines
