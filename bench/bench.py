#!/usr/bin/python3
"""bittorrent-me benchmark on loopback, side by side with python-libtorrent, aria2 and qBittorrent-nox, in one
interleaved run (see bench/README.md). Started by bench/run.sh.

Scenarios, each run once per round, rounds interleaved:
  download  every leecher fetches the payload from one libtorrent seeder; this service cold (launched from
            scratch with the README's command) and then warm (the same process, a second torrent)
  seed      this service, then a libtorrent seeder, seeding the payload to a libtorrent leecher
  many      this service, libtorrent and qBittorrent with many torrents loaded and some started, no reachable
            peer: idle CPU, memory, latency of the status call (GET /status; qBittorrent's torrents/info)
  attack    this service downloads from an honest libtorrent seeder while hostile peers and trackers attack it
            (bench/attack.py): GET /status latency, memory, the download's sha256; only when asked for
  restart   (only when named) this service killed with -9 at half of a 6 GiB download and launched again: ready ->
            downloading again, pieces hashed; then a file changed behind its back must be caught
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ beside the sources

import attack  # noqa: E402
import leechers  # noqa: E402
import many  # noqa: E402
import restart  # noqa: E402
import service  # noqa: E402
from report import Report  # noqa: E402
from swarm import ROOT, WORK, Failed, Payload, Tracker, log, start_seeder  # noqa: E402

SERVICES = ("jvm", "native", "trial")  # this service: jvm, its native runner, the jar with --trial-options
CLIENTS = ["libtorrent", "aria2", "qbittorrent", "jvm", "native", "trial"]
SCENARIOS = ["download", "seed", "many"]
EXTRA_SCENARIOS = ["attack", "restart"]  # run only when named: minutes of attack, 6 GiB
DEFAULT_SCENARIOS = SCENARIOS
# option: (default, with --quick)
SIZES = dict(size_mib=(1024, 64), many_loaded=(1000, 50), many_started=(200, 10), settle=(15, 3), window=(30, 5),
             requests=(200, 50), attack_mib=(256, 64), attack_window=(90, 45), restart_mib=(6144, 256))


def ensure_jar(rebuild):
    jar = os.path.join(ROOT, "target", "quarkus-app", "quarkus-run.jar")
    if os.path.exists(jar) and not rebuild:
        log("using the service built at %s (target/quarkus-app; --rebuild to rebuild it)"
            % time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(jar))))
        return
    log("building the service (./mvnw -B -q package -DskipTests), log in bench/.work/build.log")
    with open(os.path.join(WORK, "build.log"), "w") as logf:
        status = subprocess.call([os.path.join(ROOT, "mvnw"), "-B", "-q", "package", "-DskipTests"], cwd=ROOT,
                                 stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
    if status != 0 or not os.path.exists(jar):
        raise Failed("building the service failed, see bench/.work/build.log")


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = open("/proc/loadavg").read().split()[:3]
    return "%s, %s, %d cores, load %s at start" % (platform.node(), model, os.cpu_count(), " ".join(load))


def built(path):
    if not os.path.exists(path):
        return "-"
    return datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def revision():
    """The commit measured (with '+changes' when the work tree differs from it)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def parse_args():
    p = argparse.ArgumentParser(prog="bench/run.sh", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", "--runs", type=int, default=1, help="rounds (default 1); medians over them")
    p.add_argument("-s", "--size-mib", type=int, help="payload size (default 1024)")
    p.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS),
                   help="comma-separated subset of %s (default %s)" % (SCENARIOS, ",".join(DEFAULT_SCENARIOS)))
    p.add_argument("-c", "--clients",
                   help="comma-separated, in the order they run each round (default %s; native only with "
                        "--native, trial only with --trial-options)" % ",".join(CLIENTS))
    p.add_argument("--native", default=os.environ.get("BTME_NATIVE"), metavar="PATH",
                   help="the native runner (e.g. target/bittorrent-me-0.1.0-SNAPSHOT-runner): adds 'native' rows "
                        "beside the JVM's (env BTME_NATIVE)")
    p.add_argument("--trial-options", metavar="OPTIONS",
                   help="JVM options added to the README's for client 'trial' (one string, given with '=': "
                        "--trial-options=\"-XX:A -XX:B\"): the jar as 'jvm' but with them, an A/B of JVM flags in "
                        "one interleaved run")
    p.add_argument("-p", "--tracker-port", type=int, default=46969, help="opentracker's port (in the torrents)")
    p.add_argument("-t", "--timeout", type=int, default=600, help="seconds per download (default 600)")
    p.add_argument("--many-loaded", type=int, help="torrents loaded in 'many' (default 1000)")
    p.add_argument("--many-started", type=int, help="of them started (default 200)")
    p.add_argument("--settle", type=int, help="'many': seconds after the starts before measuring (default 15)")
    p.add_argument("--window", type=int, help="'many': seconds of idle CPU measured (default 30)")
    p.add_argument("--requests", type=int, help="'many': status calls timed (default 200)")
    p.add_argument("--attack-mib", type=int, help="'attack': the honest download's size (default 256)")
    p.add_argument("--attack-window", type=int, help="'attack': seconds the attack lasts at least (default 90)")
    p.add_argument("--restart-mib", type=int, help="'restart': payload size (default 6144)")
    p.add_argument("--seeder-cpus", metavar="CPUS",
                   help="'download' only: run its libtorrent seeders on these CPUs (comma-separated, e.g. 1) and "
                        "everything else on --leecher-cpus: a seeder that does not share the leecher's cores")
    p.add_argument("--leecher-cpus", metavar="CPUS",
                   help="with --seeder-cpus: the CPUs of the leechers, this service and the tracker (e.g. 0)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the service's jar first")
    p.add_argument("--quick", action="store_true",
                   help="a check of the harness, not a measurement: 64 MiB, 50 torrents loaded, 10 started, "
                        "3 + 5 s idle, 50 status calls (options given explicitly still win)")
    args = p.parse_args()
    for attr, (full, quick) in SIZES.items():  # an option given explicitly wins over --quick
        if getattr(args, attr) is None:
            setattr(args, attr, quick if args.quick else full)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if args.clients is None:  # every client that can run: trial only when its options were given
        args.clients = ",".join(c for c in CLIENTS if c != "trial" or args.trial_options)
    args.clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    for s in args.scenarios:
        if s not in SCENARIOS + EXTRA_SCENARIOS:
            p.error("unknown scenario %r (%s)" % (s, ", ".join(SCENARIOS + EXTRA_SCENARIOS)))
    for c in args.clients:
        if c not in CLIENTS:
            p.error("unknown client %r (%s)" % (c, ", ".join(CLIENTS)))
    if args.native:
        args.native = os.path.abspath(args.native)
        if not os.access(args.native, os.X_OK):
            p.error("--native %s: not an executable file" % args.native)
    elif "native" in args.clients:
        args.clients.remove("native")
    if "trial" in args.clients and not args.trial_options:
        p.error("client 'trial' needs --trial-options")
    if bool(args.seeder_cpus) != bool(args.leecher_cpus):
        p.error("--seeder-cpus and --leecher-cpus go together")
    if args.seeder_cpus:
        if args.scenarios != ["download"]:
            p.error("--seeder-cpus: for --scenarios download alone (other scenarios start their own seeders)")
        args.seeder_cpus, args.leecher_cpus = cpu_set(p, args.seeder_cpus), cpu_set(p, args.leecher_cpus)
    return args


def cpu_set(p, text):
    """A set of CPU numbers from "0" or "0,1"; each must be one this process may run on."""
    try:
        cpus = {int(c) for c in text.split(",") if c.strip()}
    except ValueError:
        p.error("CPUs: comma-separated numbers, not %r" % text)
    allowed = os.sched_getaffinity(0)
    if not cpus or not cpus <= allowed:
        p.error("CPUs %s: not among this machine's %s" % (text, ",".join(map(str, sorted(allowed)))))
    return cpus


def service_cmd(variant, args):
    if variant == "trial":
        return service.JVM_CMD[:-2] + args.trial_options.split() + service.JVM_CMD[-2:]
    return service.JVM_CMD if variant == "jvm" else [args.native]


def attempt(rows, scenario, client, run, fn):
    """Runs one measurement; a failure becomes a row saying why and the round goes on."""
    log("run %d: %s, %s" % (run, scenario, client))
    try:
        got = fn()
        for r in got if isinstance(got, list) else [got]:
            rows.append(r)
            if r.get("error"):
                log("  %s FAILED: %s" % (r["client"], r["error"]))
            elif r["scenario"] == "attack":
                log("  %s: done %.1f s, %s, GET /status p50 %.1f ms p99 %.1f ms max %.1f ms over %d calls, anon "
                    "%.0f MiB before, %.0f at most, %.0f after" % (r["client"], r["wall"], "sha256 ok" if r["ok"]
                    else "sha256 WRONG", r["p50"], r["p99"], r["pmax"], r["calls"], r["anon0"], r["anon_max"],
                    r["anon"]))
            elif r["scenario"] == "restart":
                log("  %s: ready -> downloading %.2f s, -> a new piece %s s, %d pieces hashed, %s" % (
                    r["client"], r["to_downloading"], "%.2f" % r["wall"] if "changed" not in r["client"] else "-",
                    r["hashed"], "ok" if r["ok"] else "WRONG"))
            elif r["scenario"] == "many":
                log("  %s: idle %.2f%% of a core, anon %.0f MiB%s" % (r["client"], r["idle"], r["anon"],
                    ", status call p99 %.1f ms" % r["p99"] if "p99" in r else ""))
            else:
                log("  %s: %.2f s, %.2f CPU s%s%s, anon %.0f MiB, %s" % (
                    r["client"], r["wall"], r["cpu"],
                    " (JIT %.2f)" % r["jit"] if r.get("jit", float("nan")) == r.get("jit") else "",
                    ", its seeder %.2f CPU s" % r["seeder_cpu"] if "seeder_cpu" in r else "", r["anon"],
                    "sha256 ok" if r["ok"] else "sha256 WRONG"))
    except Exception as e:  # Failed, or a fault of the harness: either way the other measurements go on
        if not isinstance(e, Failed):
            traceback.print_exc()
            e = "%s: %s" % (type(e).__name__, e)
        log("  %s FAILED: %s" % (client, e))
        names = [client + " cold", client + " warm"] if scenario == "download" and client in SERVICES \
            else [client]
        for name in names:
            rows.append(dict(scenario=scenario, client=name, run=run, error=str(e)))


def main():
    args = parse_args()
    os.makedirs(WORK, exist_ok=True)
    services = [c for c in args.clients if c in SERVICES]
    if "jvm" in services or "trial" in services:
        ensure_jar(args.rebuild)
    started = datetime.datetime.now(datetime.timezone.utc)
    header = ["## bench %s%s" % (started.strftime("%Y-%m-%d %H:%M UTC"),
                                  " (--quick: a check of the harness, not a measurement)" if args.quick else ""), "",
              "Machine: %s. %d round(s), interleaved; scenarios %s; clients %s%s." % (
                  machine(), args.runs, ", ".join(args.scenarios), ", ".join(args.clients),
                  "; payload %d MiB (1 MiB pieces)" % args.size_mib if set(args.scenarios) & {"download", "seed"}
                  else ""),
              "Repository at commit %s. Service: jvm = `%s` (jar built %s)%s; HTTP Basic auth on every call." % (
                  revision(), " ".join(service.JVM_CMD), built(os.path.join(ROOT, service.JVM_CMD[-1])),
                  "; native = `%s` (built %s)" % (args.native, built(args.native)) if args.native else "")
              + ("; trial = `%s`" % " ".join(service_cmd("trial", args)) if "trial" in args.clients else "")]
    if args.seeder_cpus:
        header.append("CPUs: the libtorrent seeders on CPU %s; the leechers, this service and the tracker on CPU %s "
                      "(`--seeder-cpus`, `--leecher-cpus`)." % (",".join(map(str, sorted(args.seeder_cpus))),
                                                               ",".join(map(str, sorted(args.leecher_cpus)))))
    payload = second = tracker = big = None
    seeders = []
    rows = []
    try:
        if args.leecher_cpus:
            os.sched_setaffinity(0, args.leecher_cpus)
        hashes = []
        if "download" in args.scenarios or "seed" in args.scenarios:
            payload = Payload(args.size_mib, args.tracker_port)
            second = Payload(args.size_mib, args.tracker_port, alias="warm")
            hashes += [payload.info_hash, second.info_hash]
        if "restart" in args.scenarios:
            big = Payload(args.restart_mib, args.tracker_port)
            hashes.append(big.info_hash)
        if hashes:
            tracker = Tracker(args.tracker_port, hashes)
        if big:
            seeders.append(start_seeder(big, "seed-restart"))
        if "download" in args.scenarios:
            # a process started from here (and the threads it starts) runs on the CPUs this thread may run on
            if args.seeder_cpus:
                os.sched_setaffinity(0, args.seeder_cpus)
            seeders += [start_seeder(payload, "seed-a"), start_seeder(second, "seed-b")]
            if args.leecher_cpus:
                os.sched_setaffinity(0, args.leecher_cpus)
            # each download row also reports its seeder's CPU during it (a CPU-bound seeder sets the pace)
            payload.seeder_pid, second.seeder_pid = seeders[-2].proc.pid, seeders[-1].proc.pid
        for run in range(1, args.runs + 1):
            if "download" in args.scenarios:
                for c in args.clients:
                    if c in leechers.LEECHERS:
                        attempt(rows, "download", c, run,
                                lambda: leechers.LEECHERS[c](run, payload, args.timeout))
                    else:
                        attempt(rows, "download", c, run, lambda: service.download(
                            run, c, service_cmd(c, args), ROOT, payload, second, args.timeout,
                            then_seed="seed" in args.scenarios))
                    for s in seeders:
                        if s.proc.poll() is not None:
                            raise Failed("a libtorrent seeder died (status %s), see bench/.work/lt-seed-*.err"
                                         % s.proc.returncode)
            if "seed" in args.scenarios:
                if "libtorrent" in args.clients:
                    attempt(rows, "seed", "libtorrent", run,
                            lambda: service.seed_libtorrent(run, payload, args.timeout))
                for c in services:
                    attempt(rows, "seed", c, run, lambda: service.seed_service(
                        run, c, service_cmd(c, args), ROOT, payload, args.timeout))
            if "many" in args.scenarios:
                m = (args.many_loaded, args.many_started, args.settle, args.window)
                for c in args.clients:
                    if c in services:
                        attempt(rows, "many", c, run, lambda: many.service(
                            run, c, service_cmd(c, args), ROOT, *m, args.requests))
                    elif c == "libtorrent":
                        attempt(rows, "many", c, run, lambda: many.libtorrent(run, *m))
                    elif c == "qbittorrent":
                        attempt(rows, "many", c, run, lambda: many.qbittorrent(run, *m, args.requests))
            if "attack" in args.scenarios:
                for c in services:
                    attempt(rows, "attack", c, run, lambda: attack.scenario(
                        run, c, service_cmd(c, args), ROOT, args.attack_mib, args.tracker_port, args.timeout,
                        args.attack_window))
            if "restart" in args.scenarios:
                for c in services:
                    attempt(rows, "restart", c, run, lambda: restart.service(
                        run, c, service_cmd(c, args), ROOT, big, args.timeout))
    except Failed as e:
        log("FAILED: %s" % e)
        rows.append(dict(scenario="harness", client="-", run=0, error=str(e)))
    finally:
        for s in seeders:
            s.close()
        if tracker:
            tracker.close()
    report = Report(rows, args.runs, args.size_mib << 20)
    report.attack_label = "%d MiB from one libtorrent seeder, the attack lasting at least %d s" % (
        args.attack_mib, args.attack_window)
    report.many_label = "%d loaded, %d started, their trackers a closed port on loopback; idle CPU over %d s " \
                        "(after %d s), status call timed %d times" % (args.many_loaded, args.many_started,
                                                                       args.window, args.settle, args.requests)
    report.restart_label = "%d MiB (1 MiB pieces) from one libtorrent seeder" % args.restart_mib
    text = report.markdown(header)
    path = os.path.join(WORK, "results-%s.md" % started.strftime("%Y%m%d-%H%M%S"))
    with open(path, "w") as f:
        f.write(text)
    print()
    print(text)
    log("written to %s" % os.path.relpath(path, ROOT))
    return 0 if all(not r.get("error") and r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
