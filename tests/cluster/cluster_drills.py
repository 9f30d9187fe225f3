#!/usr/bin/env python3
"""Failure drills for an RTSP Streamer cluster spread over network namespaces (docs/deploy.md).

Every node (coordinator, origin, edges, viewers) runs in its own `ip netns` with one veth into a
bridge that this script creates; addresses 10.77.0.0/24 exist only inside those namespaces. An
iptables ACCEPT rule lets the bridge forward despite Docker's FORWARD DROP policy. Everything
(processes, namespaces, veths, bridge, rule) is removed at the end, also on failure and Ctrl-C;
leftovers of a run that was killed are removed by the next run.

  cluster_drills.py --bin=build/bin --drill=spread|edge_failure|origin_restart|coordinator_outage|
                    degraded_link|partition|all [--table=FILE]

Exit status: 0 passed, 1 failed, 77 skipped (prints SKIPPED: reason) when this machine cannot
make namespaces, veths, bridges, tc or iptables rules.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "rsd"  # namespaces rsd<pid>-<node>, bridge rsd<pid>br, veths rsd<pid>v<i>
SUBNET = "10.77.0"
COORD, ORIGIN = f"{SUBNET}.1", f"{SUBNET}.2"
STREAM = "cam1"
# Small video so that 30 decoding clients, an encoder and 3 edges fit 2 shared cores.
SOURCE = "test://pattern?size=320x180&fps=15&bitrate=300k&gop=15"
BITRATE_BPS = 300_000
GOP_S = 1.0  # gop=15 at 15 fps
CLIENT_RECONNECT_MAX_S = 3.0  # the client channel's reconnect cap (cluster/credentials.cpp)
RESULTS = []  # rows of the table: drill, measure, value, bound, ok


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def sh(*argv, check=True, quiet=True):
    r = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.strip() or r.stdout.strip()}")
    return r


def record(drill, measure, value, bound, ok, unit="s"):
    RESULTS.append((drill, measure, value, bound, ok, unit))
    fmt = (lambda v: f"{v:.2f} {unit}" if isinstance(v, float) else f"{v} {unit}".strip())
    print(f"  [{'ok' if ok else 'FAIL'}] {drill}: {measure} = {fmt(value)} (bound {bound})", flush=True)
    return ok


def p95(values):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def log_time(line):
    """Unix seconds of a log line stamped 2026-11-30T10:37:13.325Z."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z", line)
    if not m:
        return None
    return datetime.fromisoformat(m.group(1) + "+00:00").timestamp()


def cleanup_stale():
    """Removes namespaces, links and rules of earlier runs whose process is gone."""
    out = sh("ip", "netns", "list", check=False).stdout
    dead = set()
    for line in out.splitlines():
        m = re.match(rf"{PREFIX}(\d+)-", line.split()[0] if line.split() else "")
        if m and not os.path.exists(f"/proc/{m.group(1)}"):
            dead.add(m.group(1))
            sh("ip", "netns", "del", line.split()[0], check=False)
    links = sh("ip", "-o", "link", "show", check=False).stdout
    for m in re.finditer(rf"\d+: ({PREFIX}(\d+)(?:br|v\d+))[@:]", links):
        if not os.path.exists(f"/proc/{m.group(2)}"):
            dead.add(m.group(2))
            sh("ip", "link", "del", m.group(1), check=False)
    rules = sh("iptables", "-S", "FORWARD", check=False).stdout
    for m in re.finditer(rf"-A FORWARD -i ({PREFIX}(\d+)br) -o \S+ -j ACCEPT", rules):
        if not os.path.exists(f"/proc/{m.group(2)}"):
            sh("iptables", "-D", "FORWARD", "-i", m.group(1), "-o", m.group(1), "-j", "ACCEPT", check=False)


class Cluster:
    def __init__(self, bin_dir, workdir):
        self.bin = os.path.abspath(bin_dir)
        self.dir = workdir
        self.tag = f"{PREFIX}{os.getpid()}"
        self.bridge = f"{self.tag}br"
        self.nodes = {}  # name -> (netns, ip, host veth)
        self.procs = []  # (name, Popen, log path)
        self.rule = False
        self.logs = {}

    # -- network --------------------------------------------------------------------------
    def up(self):
        try:
            sh("ip", "link", "add", self.bridge, "type", "bridge")
        except RuntimeError as e:
            raise Skip(f"cannot create a bridge ({e})")
        sh("ip", "link", "set", self.bridge, "up")
        # Docker sets the FORWARD policy to DROP and bridged frames pass through iptables
        # (br_netfilter); allow our bridge explicitly, removed in down().
        try:
            sh("iptables", "-I", "FORWARD", "1", "-i", self.bridge, "-o", self.bridge, "-j", "ACCEPT")
            self.rule = True
        except RuntimeError as e:
            raise Skip(f"cannot add an iptables FORWARD rule ({e})")

    def add_node(self, name, ip):
        ns = f"{self.tag}-{name}"
        veth = f"{self.tag}v{len(self.nodes)}"
        try:
            sh("ip", "netns", "add", ns)
        except RuntimeError as e:
            raise Skip(f"cannot create a network namespace ({e})")
        self.nodes[name] = (ns, ip, veth)
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}p")
        sh("ip", "link", "set", f"{veth}p", "netns", ns)
        sh("ip", "link", "set", veth, "master", self.bridge, "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", f"{veth}p", "name", "eth0")
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{ip}/24", "dev", "eth0")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")

    def ns_exec(self, node, *argv, check=True):
        return sh("ip", "netns", "exec", self.nodes[node][0], *argv, check=check)

    def down(self):
        for _, p, _ in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                    p.terminate()
                except ProcessLookupError:
                    pass
        deadline = time.time() + 3
        for _, p, _ in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for ns, _, veth in self.nodes.values():
            sh("ip", "link", "del", veth, check=False)
            sh("ip", "netns", "del", ns, check=False)
        sh("ip", "link", "del", self.bridge, check=False)
        if self.rule:
            sh("iptables", "-D", "FORWARD", "-i", self.bridge, "-o", self.bridge, "-j", "ACCEPT", check=False)
            self.rule = False

    # -- processes ------------------------------------------------------------------------
    def start(self, node, name, argv, stdout_path=None):
        log = os.path.join(self.dir, f"{name}.log")
        err = open(log, "ab")
        out = open(stdout_path, "ab") if stdout_path else err
        p = subprocess.Popen(["ip", "netns", "exec", self.nodes[node][0], *argv],
                             stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.procs.append((name, p, log))
        return p

    def program(self, name):
        return os.path.join(self.bin, name)

    def start_coordinator(self):
        return self.start("coord", f"coordinator-{time.time():.0f}", [
            self.program("rtsp-coordinator"), f"--listen={COORD}:50051", f"--http={COORD}:9090",
            "--warmup=1s"])

    def start_origin(self):
        return self.start("origin", f"origin-{time.time():.3f}", [
            self.program("rtsp-origin"), f"--source={SOURCE}", f"--stream={STREAM}",
            "--publish=tcp://0.0.0.0:5556", f"--advertise=tcp://{ORIGIN}:5556",
            f"--coordinator={COORD}:50051", "--name=origin-1"])

    def start_edge(self, i, capacity):
        ip = self.nodes[f"edge{i}"][1]
        return self.start(f"edge{i}", f"edge{i}", [
            self.program("rtsp-edge"), f"--coordinator={COORD}:50051", "--rtsp=0.0.0.0:8554",
            f"--advertise=rtsp://{ip}:8554", f"--name=edge-{i}", f"--capacity_readers={capacity}",
            "--http=0.0.0.0:9101", f"--preload={STREAM}", "--io_threads=1"])

    def start_client(self, name, extra=(), url=None):
        argv = [self.program("rtsp-client"), "--headless", "--hwdec=none", "--decoder_threads=1",
                "--connect_retries=40", *extra]
        argv += [url] if url else [f"--coordinator={COORD}:50051", f"--stream={STREAM}"]
        out = os.path.join(self.dir, f"{name}.jsonl")
        p = self.start("viewers", name, argv, stdout_path=out)
        return Client(name, p, out, os.path.join(self.dir, f"{name}.log"))

    def start_probe(self, name, url):
        j = os.path.join(self.dir, f"{name}.json")
        h = os.path.join(self.dir, f"{name}.h264")
        p = self.start("viewers", name, [sys.executable, os.path.join(HERE, "rtp_probe.py"), url,
                                         f"--json={j}", f"--h264={h}"])
        return Probe(name, p, j, h)

    def edge_metrics(self, i):
        """Sums of the edge's Prometheus samples by metric name."""
        r = self.ns_exec("viewers", "curl", "-s", "--max-time", "2",
                         f"http://{self.nodes[f'edge{i}'][1]}:9101/metrics", check=False)
        out = {}
        for line in r.stdout.splitlines():
            m = re.match(r"([a-z_]+)(?:\{[^}]*\})? ([0-9.eE+-]+)$", line)
            if m:
                out[m.group(1)] = out.get(m.group(1), 0.0) + float(m.group(2))
        return out

    def cluster_view(self):
        r = self.ns_exec("viewers", "curl", "-s", "--max-time", "1", f"http://{COORD}:9090/api/cluster",
                         check=False)
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def edges_state(self):
        """{edge name: (state, readers)} as the coordinator sees them, or None when it is down."""
        v = self.cluster_view()
        if v is None:
            return None
        out = {}
        for n in v.get("nodes", []):
            ident = n.get("identity", {})
            if ident.get("role") in ("ROLE_EDGE", 2) or ident.get("name", "").startswith("edge"):
                out[ident.get("name")] = (n.get("state"), int(n.get("last_report", {}).get("readers", 0)))
        return out

    def wait_ready(self, edges, timeout=20):
        """Waits until the coordinator has every edge READY and each edge serves the stream."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            st = self.edges_state() or {}
            if all(st.get(f"edge-{i}", ("",))[0] == "NODE_STATE_READY" for i in edges):
                ok = True
                for i in edges:
                    r = self.ns_exec("viewers", "ffprobe", "-v", "quiet", "-rtsp_transport", "tcp",
                                     "-timeout", "2000000", "-show_entries", "stream=codec_name",
                                     f"rtsp://{self.nodes[f'edge{i}'][1]}:8554/{STREAM}", check=False)
                    ok = ok and r.returncode == 0
                if ok:
                    return
            time.sleep(0.3)
        raise Failed(f"cluster not ready after {timeout} s: {self.edges_state()}; logs in {self.dir}")


class Client:
    def __init__(self, name, proc, jsonl, log):
        self.name, self.proc, self.jsonl, self.log = name, proc, jsonl, log

    def seconds(self):
        rows = []
        try:
            with open(self.jsonl) as f:
                for line in f:
                    try:
                        d = json.loads(line)
                    except ValueError:
                        continue
                    if not d.get("summary"):
                        rows.append(d)
        except FileNotFoundError:
            pass
        return rows

    def events(self):
        """[(unix_s, kind, edge)] for 'connected to' and 'first frame from' log lines."""
        out = []
        try:
            with open(self.log, errors="replace") as f:
                for line in f:
                    m = re.search(r"(connected to|first frame from) (\S+)", line)
                    if not m:
                        continue
                    t = log_time(line)
                    w = re.search(r"wall_us=(\d+)", line)
                    if w:
                        t = int(w.group(1)) / 1e6
                    out.append((t, "frame" if m.group(1).startswith("first") else "connected", m.group(2)))
        except FileNotFoundError:
            pass
        return out

    def asked_at(self):
        """Unix time of the first request to the coordinator (the client's first log line)."""
        try:
            with open(self.log, errors="replace") as f:
                for line in f:
                    if "asking coordinator" in line or "playing rtsp" in line:
                        return log_time(line)
        except FileNotFoundError:
            pass
        return self.proc_start

    def edge(self):
        ev = [e for e in self.events() if e[1] == "frame"]
        return ev[-1][2] if ev else None

    def first_frame_after(self, t, other_than=None):
        for when, kind, edge in self.events():
            if kind == "frame" and when >= t and edge != other_than:
                return when
        return None


class Probe:
    def __init__(self, name, proc, json_path, h264):
        self.name, self.proc, self.json_path, self.h264 = name, proc, json_path, h264
        self.data = None

    def finish(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=5)
        with open(self.json_path) as f:
            self.data = json.load(f)
        return self.data

    def decode_errors(self):
        r = sh("ffmpeg", "-v", "error", "-f", "h264", "-i", self.h264, "-f", "null", "-", check=False)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        return len(lines), lines[:5]


def start_cluster(c, edges):
    c.up()
    c.add_node("coord", COORD)
    c.add_node("origin", ORIGIN)
    for i in edges:
        c.add_node(f"edge{i}", f"{SUBNET}.{10 + i}")
    c.add_node("viewers", f"{SUBNET}.100")
    c.start_coordinator()
    c.start_origin()
    for i, cap in edges.items():
        c.start_edge(i, cap)
    c.wait_ready(list(edges))


def still_playing(client, t0, t1, min_fps=5):
    """Seconds of client reports in [t0, t1] (relative to process start) with too few frames."""
    bad = []
    for r in client.seconds():
        if t0 <= r["t"] <= t1 and r["fps"] < min_fps:
            bad.append(r["t"])
    return bad


def client_start_time(client):
    return client.proc_start


def launch(c, name, **kw):
    cl = c.start_client(name, **kw)
    cl.proc_start = time.time()
    return cl


def report_times(client, since):
    """JSON second reports converted to unix time: [(unix_s, row)]."""
    return [(client.proc_start + r["t"], r) for r in client.seconds() if client.proc_start + r["t"] >= since]


# ---- drills ---------------------------------------------------------------------------------

def drill_spread(c):
    caps = {1: 20, 2: 10, 3: 10}
    start_cluster(c, caps)
    n = 30
    clients = []
    t0 = time.time()
    for k in range(n):
        clients.append(launch(c, f"spread-{k}", extra=["--duration=40s"]))
        time.sleep(0.15)
    deadline = time.time() + 20
    while time.time() < deadline and sum(1 for cl in clients if cl.edge()) < n:
        time.sleep(0.5)
    playing = [cl for cl in clients if cl.edge()]
    ttff = [cl.first_frame_after(cl.proc_start) - cl.asked_at() for cl in playing]
    launch_ttff = [cl.first_frame_after(cl.proc_start) - cl.proc_start for cl in playing]
    record("1 spread", "clients playing", len(playing), f"= {n}", len(playing) == n, "")
    record("1 spread", "ask coordinator -> first frame p95", p95(ttff), "<= 1 s", p95(ttff) <= 1.0)
    record("1 spread", "process launch -> first frame p95 (info: process start-up on a loaded box)",
           p95(launch_ttff), "info", True)
    time.sleep(2)  # one report interval or more, so the coordinator's view is current
    st = c.edges_state() or {}
    total_cap = sum(caps.values())
    ok = True
    for i, cap in caps.items():
        by_client = sum(1 for cl in playing if cl.edge() == f"edge-{i}")
        share = n * cap / total_cap
        reported = st.get(f"edge-{i}", ("", -1))[1]
        good = abs(by_client - share) <= 0.1 * share + 1e-9
        ok &= record("1 spread", f"edge-{i} readers (cap {cap}, share {share:.1f}; coordinator sees {reported})",
                     by_client, f"{share * 0.9:.2f}..{share * 1.1:.2f}", good, "")
    return ok


def drill_edge_failure(c):
    start_cluster(c, {1: 100, 2: 100, 3: 100})
    clients = [launch(c, f"ef-{k}") for k in range(12)]
    for cl in clients:
        time.sleep(0.1)
    time.sleep(5)
    ok = True
    for sig, edge_i in ((signal.SIGKILL, 1), (signal.SIGSTOP, 2)):
        victim = next(p for name, p, _ in c.procs if name == f"edge{edge_i}")
        on_victim = [cl for cl in clients if cl.edge() == f"edge-{edge_i}"]
        if not on_victim:
            raise Failed(f"no client on edge-{edge_i} before the drill: {[cl.edge() for cl in clients]}")
        t_fail = time.time()
        os.kill(victim.pid, sig)
        deadline = t_fail + 8
        rec = {}
        while time.time() < deadline and len(rec) < len(on_victim):
            for cl in on_victim:
                if cl.name not in rec:
                    t = cl.first_frame_after(t_fail, other_than=f"edge-{edge_i}")
                    if t:
                        rec[cl.name] = t - t_fail
            time.sleep(0.2)
        times = list(rec.values())
        label = "SIGKILL" if sig == signal.SIGKILL else "SIGSTOP"
        ok &= record("2 edge failure", f"{label} edge-{edge_i}: clients recovered", len(times),
                     f"= {len(on_victim)}", len(times) == len(on_victim), "")
        if times:
            ok &= record("2 edge failure", f"{label} edge-{edge_i}: play again p95 (max {max(times):.2f} s, n={len(times)})",
                         p95(times), "<= 2 s", p95(times) <= 2.0)
        time.sleep(2)
    victim = next(p for name, p, _ in c.procs if name == "edge2")
    os.kill(victim.pid, signal.SIGCONT)
    return ok


def drill_origin_restart(c):
    start_cluster(c, {1: 100, 2: 100})
    probes = {i: c.start_probe(f"probe-edge{i}", f"rtsp://{SUBNET}.{10 + i}:8554/{STREAM}") for i in (1, 2)}
    # Clients tolerate the 3 s outage instead of failing over (every edge is starved alike).
    clients = [launch(c, f"or-{k}", extra=["--stall_timeout=10s"]) for k in range(4)]
    time.sleep(4)
    origin = next(p for name, p, _ in c.procs if name.startswith("origin"))
    readers_before = c.edges_state()
    os.kill(origin.pid, signal.SIGKILL)
    origin.wait()
    time.sleep(3)
    t_launch = time.time()
    c.start_origin()
    time.sleep(5)
    readers_after = c.edges_state()
    # The origin is back when it has bound its publish socket (its "started:" line); the
    # process start-up before that (shared libraries, encoder probing) is the machine's.
    t_back = t_launch
    with open(c.procs[-1][2], errors="replace") as f:
        for line in f:
            if "started:" in line and "bound" in line:
                t_back = log_time(line)
                break
    record("3 origin restart", "origin process launch -> bound and publishing (info)", t_back - t_launch, "info", True)
    ok = True
    for i, pr in probes.items():
        d = pr.finish()
        frames = d["frames"]
        after = [f for f in frames if f[0] >= t_back]
        ok &= record("3 origin restart", f"edge-{i} reader still connected", "yes" if d["disconnected"] is None else d["disconnected"],
                     "connected", d["disconnected"] is None, "")
        if not after:
            ok &= record("3 origin restart", f"edge-{i} receives again", "never", "<= 2 s", False, "")
            continue
        ok &= record("3 origin restart", f"edge-{i} receives again after the origin restart", after[0][0] - t_back,
                     "<= 2 s", after[0][0] - t_back <= 2.0)
        # RTP continuity: one SSRC, no sequence gap, timestamps never go back and the jump over
        # the outage matches the wall-clock gap (90 kHz clock).
        worst = 0.0
        backwards = 0
        for a, b in zip(frames, frames[1:]):
            dts = ((b[1] - a[1]) & 0xFFFFFFFF)
            if dts > 0x7FFFFFFF:
                backwards += 1
                continue
            worst = max(worst, abs(dts / 90000.0 - (b[0] - a[0])))
        # The jump follows the media (capture) time; arrival differs from it by the age of the
        # first frame after the return: an edge that reconnects late starts with the catch-up
        # GOP, frames captured up to one GOP earlier, in a burst. A reset or a jump backwards
        # is far outside this bound.
        bound = GOP_S + 0.5
        cont = len(d["ssrcs"]) == 1 and d["seq_gaps"] == 0 and backwards == 0 and worst < bound
        ok &= record("3 origin restart", f"edge-{i} RTP continuity (ssrc {len(d['ssrcs'])}, seq gaps {d['seq_gaps']}, "
                     f"ts backwards {backwards}; worst |dts - dwall|)", worst, f"< {bound:g} s", cont)
    for name in ("edge-1", "edge-2"):
        b = (readers_before or {}).get(name, ("", 0))[1]
        a = (readers_after or {}).get(name, ("", 0))[1]
        ok &= record("3 origin restart", f"{name} readers before/after", f"{b}/{a}", "after >= before", a >= b, "")
    recon = sum(max((r["reconnects"] for r in cl.seconds()), default=0) for cl in clients)
    ok &= record("3 origin restart", "client reconnects (stall_timeout 10s)", recon, "= 0", recon == 0, "")
    return ok


def drill_coordinator_outage(c):
    start_cluster(c, {1: 100, 2: 100})
    playing = [launch(c, f"co-{k}") for k in range(6)]
    time.sleep(5)
    coord = next(p for name, p, _ in c.procs if name.startswith("coordinator"))
    t_kill = time.time()
    os.kill(coord.pid, signal.SIGKILL)
    coord.wait()
    time.sleep(7)
    waiting = [launch(c, f"co-wait-{k}") for k in range(3)]  # ask while the coordinator is down
    time.sleep(3)
    t_back = time.time()
    c.start_coordinator()
    fresh = [launch(c, f"co-new-{k}") for k in range(3)]
    deadline = time.time() + 10
    while time.time() < deadline and not all(cl.first_frame_after(t_back) for cl in fresh + waiting):
        time.sleep(0.5)
    time.sleep(1)
    ok = True
    gaps = 0
    for cl in playing:
        rows = report_times(cl, t_kill)
        gaps += sum(1 for t, r in rows if t <= t_back + 1 and r["fps"] < 5)
        recon = max((r["reconnects"] for _, r in rows), default=0)
        gaps += recon
    ok &= record("4 coordinator outage", "playing clients: seconds below 5 fps + reconnects during 10 s outage",
                 gaps, "= 0", gaps == 0, "")
    for group, label in ((fresh, "started at its return"), (waiting, "waiting during the outage")):
        t = [cl.first_frame_after(t_back) for cl in group]
        served = [x - t_back for x in t if x]
        gave_up = [cl.name for cl in group if not cl.first_frame_after(t_back) and cl.proc.poll() is not None]
        ok &= record("4 coordinator outage", f"new clients {label} served within 10 s"
                     + (f" (exited: {', '.join(gave_up)}; see their logs)" if gave_up else ""),
                     len(served), f"= {len(group)}", len(served) == len(group), "")
        if served:
            # A client started after the return connects at once. One that waited connects at its
            # channel's next reconnect attempt: at most 1.2 x the 3 s reconnect cap later
            # (cluster::reconnect_schedule; spreading these is what keeps a restart from
            # becoming a storm), plus start-up, assignment, RTSP set-up and first frame.
            bound = 2.0 if group is fresh else 1.2 * CLIENT_RECONNECT_MAX_S + 1.5
            ok &= record("4 coordinator outage", f"new clients {label}: first frame after return p95", p95(served),
                         f"<= {bound:g} s", p95(served) <= bound)
    return ok


def drill_degraded_link(c):
    start_cluster(c, {1: 100, 2: 100})
    probes = {i: c.start_probe(f"probe-edge{i}", f"rtsp://{SUBNET}.{10 + i}:8554/{STREAM}") for i in (1, 2)}
    direct = {i: [launch(c, f"dl-edge{i}-{k}", url=f"rtsp://{SUBNET}.{10 + i}:8554/{STREAM}",
                         extra=["--stall_timeout=5s"]) for k in range(2)] for i in (1, 2)}
    time.sleep(4)
    veth = c.nodes["edge1"][2]
    rate = BITRATE_BPS // 10
    ok = True
    # Phase 1: the link into edge-1 (origin -> edge) at a tenth of the stream's bit rate.
    t_throttle = time.time()
    sh("tc", "qdisc", "add", "dev", veth, "root", "tbf", "rate", f"{rate}bit", "burst", "1600", "latency", "500ms")
    time.sleep(8)
    sh("tc", "qdisc", "del", "dev", veth, "root", check=False)
    t_heal = time.time()
    thr_fps = [r["fps"] for cl in direct[1] for t, r in report_times(cl, t_throttle + 1) if t <= t_heal]
    record("5 degraded link", "edge-1 client fps while throttled (median, info: frames skipped to keyframes)",
           statistics.median(thr_fps) if thr_fps else 0.0, "info", True, "fps")
    rec = wait_fresh(direct[1], t_heal, 10)
    ok &= record("5 degraded link", f"edge-1 readers fresh again after the {rate // 1000} kb/s throttle", rec,
                 "<= 5 s", rec is not None and rec <= 5.0)
    # Phase 2: 2 % random loss on the origin's packets into edge-1.
    rule = ["INPUT", "-s", ORIGIN, "-m", "statistic", "--mode", "random", "--probability", "0.02", "-j", "DROP"]
    c.ns_exec("edge1", "iptables", "-A", *rule)
    t_loss = time.time()
    time.sleep(8)
    c.ns_exec("edge1", "iptables", "-D", *rule, check=False)
    t_loss_end = time.time()
    rec2 = wait_fresh(direct[1], t_loss_end, 10)
    ok &= record("5 degraded link", "edge-1 readers fresh after 2 % loss ends", rec2, "<= 5 s",
                 rec2 is not None and rec2 <= 5.0)
    loss_fps = [r["fps"] for cl in direct[1] for t, r in report_times(cl, t_loss + 1) if t <= t_loss_end]
    record("5 degraded link", "edge-1 client fps during 2 % loss (median, info)",
           statistics.median(loss_fps) if loss_fps else 0.0, "info", True, "fps")
    time.sleep(2)
    for i, pr in probes.items():
        d = pr.finish()
        errors, sample = pr.decode_errors()
        good = errors == 0 and d["disconnected"] is None and d["seq_gaps"] == 0
        ok &= record("5 degraded link", f"edge-{i} reader: ffmpeg decode errors of the received stream (RTP seq gaps "
                     f"{d['seq_gaps']}, frames {len(d['frames'])})" + (f" {sample}" if sample else ""), errors, "= 0", good, "")
    m1, m2 = c.edge_metrics(1), c.edge_metrics(2)
    record("5 degraded link", "edge-1 origin gaps / frames lost / frames held back to the next keyframe (info)",
           f"{m1.get('rs_edge_origin_gaps_total', -1):.0f}/{m1.get('rs_edge_origin_lost_frames_total', -1):.0f}/"
           f"{m1.get('rs_edge_origin_dropped_frames_total', -1):.0f}", "info", True, "")
    g2 = m2.get("rs_edge_origin_gaps_total", -1)
    ok &= record("5 degraded link", "edge-2 origin gaps (unaffected edge)", f"{g2:.0f}", "= 0", g2 == 0, "")
    others_slow = sum(1 for cl in direct[2] for t, r in report_times(cl, t_throttle) if t <= t_loss_end and r["fps"] < 10)
    others_recon = sum(max((r["reconnects"] for r in cl.seconds()), default=0) for cl in direct[2])
    ok &= record("5 degraded link", "edge-2 clients: seconds below 10 fps + reconnects", others_slow + others_recon,
                 "= 0", others_slow + others_recon == 0, "")
    drops = sum(drops_between(cl, t_throttle, t_loss_end) for cl in direct[2])
    record("5 degraded link", "edge-2 clients: frames the client missed (info; CPU hiccups on a shared box count)",
           drops, "info", True, "")
    return ok


def drops_between(client, t0, t1):
    """Growth of the client's cumulative drop counter between two unix times."""
    rows = [(t, r["drops"]) for t, r in report_times(client, 0)]
    before = max((d for t, d in rows if t <= t0), default=0)
    during = max((d for t, d in rows if t <= t1 + 1), default=0)
    return during - before


def wait_fresh(clients, since, timeout):
    """Seconds after `since` until every client reports a second with fps >= 10 and latency
    p95 < 1 s (frames arrive on time again), or None."""
    deadline = since + timeout
    while time.time() < deadline:
        worst = 0.0
        for cl in clients:
            good = [t for t, r in report_times(cl, since) if r["fps"] >= 10 and r["latency_ms"]["p95"] is not None
                    and r["latency_ms"]["p95"] < 1000]
            if not good:
                worst = None
                break
            # the second report covers the second before it
            worst = max(worst, good[0] - since)  # end of the first good second: an upper bound
        if worst is not None:
            return max(0.0, worst)
        time.sleep(0.5)
    return None


def drill_partition(c):
    start_cluster(c, {1: 100, 2: 100})
    url1 = f"rtsp://{SUBNET}.11:8554/{STREAM}"
    readers = [launch(c, f"pa-edge1-{k}", url=url1) for k in range(2)]
    time.sleep(4)
    rules = [["OUTPUT", "-d", COORD, "-j", "DROP"], ["INPUT", "-s", COORD, "-j", "DROP"]]
    t_cut = time.time()
    for r in rules:
        c.ns_exec("edge1", "iptables", "-A", *r)
    detected = None
    while time.time() < t_cut + 10:
        st = (c.edges_state() or {}).get("edge-1", ("GONE",))[0]
        if st != "NODE_STATE_READY":
            detected = time.time() - t_cut
            break
        time.sleep(0.1)
    ok = record("6 partition", "coordinator stops placing on edge-1 after", detected if detected is not None else -1.0,
                "<= 3 s", detected is not None and detected <= 3.0)
    new = [launch(c, f"pa-new-{k}") for k in range(6)]
    time.sleep(5)
    on1 = sum(1 for cl in new if cl.edge() == "edge-1")
    on2 = sum(1 for cl in new if cl.edge() == "edge-2")
    ok &= record("6 partition", "new clients placed on partitioned edge-1 (on edge-2)", f"{on1} ({on2})", "0 (6)",
                 on1 == 0 and on2 == len(new), "")
    t_heal = time.time()
    for r in rules:
        c.ns_exec("edge1", "iptables", "-D", *r, check=False)
    rejoin = None
    while time.time() < t_heal + 30:
        if (c.edges_state() or {}).get("edge-1", ("",))[0] == "NODE_STATE_READY":
            rejoin = time.time() - t_heal
            break
        time.sleep(0.1)
    ok &= record("6 partition", "edge-1 READY again after the partition heals", rejoin if rejoin is not None else -1.0,
                 "<= 15 s", rejoin is not None and rejoin <= 15.0)
    bad = sum(1 for cl in readers for t, r in report_times(cl, t_cut) if t <= t_heal and r["fps"] < 5)
    recon = sum(max((r["reconnects"] for r in cl.seconds()), default=0) for cl in readers)
    ok &= record("6 partition", "edge-1 readers: seconds < 5 fps + reconnects while partitioned", bad + recon, "= 0",
                 bad + recon == 0, "")
    after = [launch(c, f"pa-after-{k}") for k in range(4)]
    time.sleep(4)
    back = sum(1 for cl in after if cl.edge() == "edge-1")
    ok &= record("6 partition", "new clients placed on edge-1 after it rejoined (of 4)", back, ">= 1", back >= 1, "")
    return ok


DRILLS = {
    "spread": drill_spread,
    "edge_failure": drill_edge_failure,
    "origin_restart": drill_origin_restart,
    "coordinator_outage": drill_coordinator_outage,
    "degraded_link": drill_degraded_link,
    "partition": drill_partition,
}


def preflight(bin_dir):
    if os.geteuid() != 0:
        raise Skip("needs root for ip netns, veth, bridge, tc and iptables (running as uid %d)" % os.geteuid())
    for tool in ("ip", "tc", "iptables", "curl", "ffmpeg", "ffprobe"):
        if sh("sh", "-c", f"command -v {tool}", check=False).returncode != 0:
            raise Skip(f"{tool} is not installed (scripts/install-deps installs it)")
    for prog in ("rtsp-coordinator", "rtsp-origin", "rtsp-edge", "rtsp-client"):
        if not os.access(os.path.join(bin_dir, prog), os.X_OK):
            raise Skip(f"{os.path.join(bin_dir, prog)} is not built")
    probe = f"{PREFIX}{os.getpid()}-pre"
    r = sh("ip", "netns", "add", probe, check=False)
    if r.returncode != 0:
        raise Skip(f"cannot create a network namespace: {r.stderr.strip()}")
    try:
        r = sh("ip", "netns", "exec", probe, "iptables", "-A", "INPUT", "-m", "statistic", "--mode", "random",
               "--probability", "0.02", "-j", "DROP", check=False)
        if r.returncode != 0:
            raise Skip(f"iptables -m statistic does not work here: {r.stderr.strip()}")
        r = sh("ip", "netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "1mbit",
               "burst", "1600", "latency", "100ms", check=False)
        if r.returncode != 0:
            raise Skip(f"tc tbf does not work here: {r.stderr.strip()}")
    finally:
        sh("ip", "netns", "del", probe, check=False)


def print_table(path=None):
    lines = ["", f"{'drill':<22} {'measure':<88} {'measured':>12}  {'bound':<14} result",
             "-" * 146]
    for drill, measure, value, bound, ok, unit in RESULTS:
        v = f"{value:.2f} {unit}" if isinstance(value, float) else f"{value} {unit}".strip()
        lines.append(f"{drill:<22} {measure[:88]:<88} {v:>12}  {bound:<14} {'ok' if ok else 'FAIL'}")
    text = "\n".join(lines)
    print(text, flush=True)
    if path:
        with open(path, "a") as f:
            f.write(text + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--drill", default="all", choices=["all", *DRILLS])
    ap.add_argument("--table", default="")
    ap.add_argument("--keep_logs", action="store_true")
    args = ap.parse_args()
    try:
        preflight(args.bin)
    except Skip as e:
        print(f"SKIPPED: {e}", flush=True)
        return SKIP
    cleanup_stale()
    names = list(DRILLS) if args.drill == "all" else [args.drill]
    failed = []
    for name in names:
        workdir = tempfile.mkdtemp(prefix=f"rs-drill-{name}.")
        print(f"== drill {name} (logs in {workdir})", flush=True)
        c = Cluster(args.bin, workdir)
        interrupted = []

        def on_term(signum, _frame):
            interrupted.append(signum)
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_term)
        t0 = time.time()
        first_row = len(RESULTS)
        try:
            DRILLS[name](c)
            if not all(row[4] for row in RESULTS[first_row:]) or len(RESULTS) == first_row:
                failed.append(name)
        except Skip as e:
            c.down()
            print(f"SKIPPED: {e}", flush=True)
            return SKIP
        except Failed as e:
            print(f"  FAIL: {e}", flush=True)
            failed.append(name)
        except KeyboardInterrupt:
            print("  interrupted", flush=True)
            failed.append(name)
            break
        finally:
            c.down()
            print(f"  ({time.time() - t0:.1f} s)", flush=True)
    print_table(args.table)
    if failed:
        print(f"FAILED drills: {', '.join(failed)}")
        return 1
    print("all drills passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
