"""Third-party leechers: python-libtorrent, aria2c, qbittorrent-nox. Each downloads the payload once into a
fresh folder with a fresh listen port, and reports launch -> done with its /proc figures at completion.

Completion is pushed: libtorrent's `finished` line, aria2's --on-bt-download-complete hook, qBittorrent's
'run external program on torrent finished' hook (both hooks write to a FIFO the harness blocks on)."""
import os
import shutil
import subprocess
import time

from swarm import WORK, DoneFifo, Failed, LtProcess, free_port, fresh_dir, proc_figures, seeder_cpu, stop_process


def row(scenario, client, run, wall, figures, ok, note="", **extra):
    return dict(scenario=scenario, client=client, run=run, wall=wall, ok=ok, note=note, **figures, **extra)


def libtorrent(run, payload, timeout):
    out = fresh_dir("lt-")
    seeder0 = seeder_cpu(payload)
    leech = LtProcess("leech", payload.torrent, out)
    try:
        done, _, figures = leech.wait_event("finished", timeout)
        seeder = seeder_cpu(payload) - seeder0
        if figures is None:
            raise Failed("libtorrent exited at completion, no /proc figures")
        leech.close()
        return row("download", "libtorrent", run, done - leech.launched, figures, payload.verify(out),
                   seeder_cpu=seeder)
    finally:
        if leech.proc.poll() is None:
            leech.proc.kill()
            leech.proc.wait()
        shutil.rmtree(out, ignore_errors=True)


def aria2(run, payload, timeout):
    if shutil.which("aria2c") is None:
        raise Failed("aria2c is not installed (apt-get install aria2)")
    out = fresh_dir("aria2-")
    hook = DoneFifo(out)
    try:
        with open(os.path.join(WORK, "aria2.log"), "w") as logf:
            launched = time.monotonic()
            # it seeds after completion (ratio 0 = no ratio limit, 60 min) so that it is alive when the hook runs
            proc = subprocess.Popen(
                ["aria2c", "--dir=" + os.path.join(out, "dl"), "--seed-time=60", "--seed-ratio=0.0",
                 "--on-bt-download-complete=" + hook.script, "--file-allocation=none",
                 "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
                 "--enable-peer-exchange=false", "--listen-port=%d" % free_port(), "--disable-ipv6=true",
                 "--summary-interval=0", "--console-log-level=warn", "--allow-overwrite=true", payload.torrent],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
        try:
            done, _ = hook.wait(timeout, alive=lambda: proc.poll() is None)
            figures = proc_figures(proc.pid)
        finally:
            stop_process(proc)
        return row("download", "aria2", run, done - launched, figures, payload.verify(os.path.join(out, "dl")))
    finally:
        hook.close()
        shutil.rmtree(out, ignore_errors=True)


# a fresh qBittorrent profile: legal notice accepted, loopback only, TCP only, no DHT/LSD/PeX/UPnP, no queueing
QBT_BASE_CONF = """[LegalNotice]
Accepted=true

[BitTorrent]
Session\\DHTEnabled=false
Session\\LSDEnabled=false
Session\\PeXEnabled=false
Session\\Port={peer_port}
Session\\Interface=lo
Session\\InterfaceName=lo
Session\\BTProtocol=TCP
Session\\MultiConnectionsPerIp=true
Session\\SSRFMitigation=false
Session\\QueueingSystemEnabled=false
Session\\Preallocation=false

[Network]
PortForwardingEnabled=false

[Preferences]
General\\Locale=en
WebUI\\Address=127.0.0.1
WebUI\\Port={webui_port}
WebUI\\LocalHostAuth=false
"""

# ...with its "run external program on torrent finished" hook
QBT_CONF = QBT_BASE_CONF + """
[AutoRun]
enabled=true
program={hook} %I
"""


def qbittorrent(run, payload, timeout):
    if shutil.which("qbittorrent-nox") is None:
        raise Failed("qbittorrent-nox is not installed (apt-get install qbittorrent-nox)")
    out = fresh_dir("qbt-")
    hook = DoneFifo(out)
    profile = os.path.join(out, "profile")
    conf_dir = os.path.join(profile, "qBittorrent", "config")
    os.makedirs(conf_dir)
    webui_port, peer_port = free_port(), free_port()
    with open(os.path.join(conf_dir, "qBittorrent.conf"), "w") as f:
        f.write(QBT_CONF.format(hook=hook.script, peer_port=peer_port, webui_port=webui_port))
    try:
        with open(os.path.join(WORK, "qbittorrent.log"), "w") as logf:
            launched = time.monotonic()
            proc = subprocess.Popen(
                ["qbittorrent-nox", "--profile=" + profile, "--webui-port=%d" % webui_port,
                 "--torrenting-port=%d" % peer_port, "--save-path=" + os.path.join(out, "dl"),
                 "--skip-dialog=true", payload.torrent],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
        try:
            done, said = hook.wait(timeout, alive=lambda: proc.poll() is None)
            figures = proc_figures(proc.pid)
        finally:
            stop_process(proc)
        if said and said != payload.info_hash:
            raise Failed("qBittorrent's hook named %r, not %s" % (said, payload.info_hash))
        return row("download", "qbittorrent", run, done - launched, figures, payload.verify(os.path.join(out, "dl")))
    finally:
        hook.close()
        shutil.rmtree(out, ignore_errors=True)


LEECHERS = {"libtorrent": libtorrent, "aria2": aria2, "qbittorrent": qbittorrent}
