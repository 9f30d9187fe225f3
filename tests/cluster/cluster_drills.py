#!/usr/bin/env python3
"""Failure drills for an RTSP Streamer cluster spread over network namespaces (docs/deploy.md),
measured at the viewer's seat: real `rtsp-client` viewers decoding frames (their JSON lines and
events), an `ffmpeg -c copy` recording through each fault, and plain readers on each edge.

Every node (coordinator, origin, camera, edges, viewers) runs in its own `ip netns` with one veth
into a bridge that this script creates; addresses 10.77.0.0/24 exist only inside those
namespaces. An iptables ACCEPT rule lets the bridge forward despite Docker's FORWARD DROP policy.
Everything (processes, namespaces, veths, bridge, rule) is removed at the end, also on failure
and Ctrl-C; leftovers of a run that was killed are removed by the next run. Each figure is
printed with the machine's load while it was measured (a 2-core box that is overloaded hides or
fakes results).

  cluster_drills.py --bin=build/bin --drill=spread|edge_failure|origin_restart|camera_loss|
                    coordinator_outage|degraded_link|partition|all [--table=FILE]

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
import time
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import procs  # noqa: E402  (tests/support: scratch folders)

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "rsd"  # namespaces rsd<pid>-<node>, bridge rsd<pid>br, veths rsd<pid>v<i>
SUBNET = "10.77.0"
COORD, ORIGIN, CAMERA = f"{SUBNET}.1", f"{SUBNET}.2", f"{SUBNET}.3"
STREAM = "cam1"
# Small video so that a dozen decoding viewers, an encoder and 3 edges fit 2 shared cores.
SOURCE = "test://pattern?size=320x180&fps=15&bitrate=300k&gop=15"
BITRATE_BPS = 300_000
GOP_S = 1.0  # gop=15 at 15 fps
CLIENT_RECONNECT_MAX_S = 3.0  # the client channel's reconnect cap (cluster/credentials.cpp)
VIEWERS = 12  # decoding viewers per drill: more would measure the box, not the cluster
RESULTS = []  # rows of the table: drill, measure, value, bound, ok, unit, machine load


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def sh(*argv, check=True, quiet=True):
    r = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.strip() or r.stdout.strip()}")
    return r


class CpuMeter:
    """Share of the machine's CPU time that was busy since the last reset (all cores)."""

    def __init__(self):
        self.reset()

    @staticmethod
    def _read():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle

    def reset(self):
        self.start = self._read()

    def text(self):
        total, idle = self._read()
        dt, di = total - self.start[0], idle - self.start[1]
        busy = 100.0 * (dt - di) / dt if dt > 0 else 0.0
        return f"cpu {busy:.0f}%, load1 {os.getloadavg()[0]:.1f}"


METER = CpuMeter()


def time_scale():
    """RS_TIME_SCALE (>= 1): how many times slower than a normal build this run may be; `make asan`
    and `make tsan` set it (tests/support/time_scale.hpp)."""
    try:
        return max(1.0, float(os.environ.get("RS_TIME_SCALE", "1")))
    except ValueError:
        return 1.0


def stretched(value, bound, ok, unit):
    """A time bound ("< N s", "<= N s") stretched by RS_TIME_SCALE, and whether `value` is within
    it; any other bound as it was."""
    m = re.fullmatch(r"(<=?) ([\d.]+) s", bound)
    scale = time_scale()
    if scale == 1.0 or unit != "s" or not m or not isinstance(value, (int, float)):
        return bound, ok
    limit = float(m.group(2)) * scale
    within = value <= limit if m.group(1) == "<=" else value < limit
    return f"{m.group(1)} {limit:g} s (x{scale:g})", within


def record(drill, measure, value, bound, ok, unit="s"):
    bound, ok = stretched(value, bound, ok, unit)
    load = METER.text()
    RESULTS.append((drill, measure, value, bound, ok, unit, load))
    fmt = (lambda v: f"{v:.2f} {unit}" if isinstance(v, float) else f"{v} {unit}".strip())
    print(f"  [{'ok' if ok else 'FAIL'}] {drill}: {measure} = {fmt(value)} (bound {bound}; {load})",
          flush=True)
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

    def start_origin(self, source=SOURCE, extra=()):
        return self.start("origin", f"origin-{time.time():.3f}", [
            self.program("rtsp-origin"), f"--source={source}", f"--stream={STREAM}",
            "--publish=tcp://0.0.0.0:5556", f"--advertise=tcp://{ORIGIN}:5556",
            f"--coordinator={COORD}:50051", "--name=origin-1", *extra])

    def start_camera(self, clip):
        """gst-rtsp-server serving `clip` at rtsp://CAMERA:8554/cam (tests/support/camera_server.py,
        run with the system Python that has GStreamer's bindings)."""
        p = self.start("camera", f"camera-{time.time():.3f}", [
            "/usr/bin/python3", os.path.join(HERE, "..", "support", "camera_server.py"), "--port=8554",
            "--address=0.0.0.0",
            f"--file={clip}", "--video=h264"], stdout_path=os.path.join(self.dir, "camera.out"))
        deadline = time.time() + 10 * time_scale()
        while time.time() < deadline:
            with open(os.path.join(self.dir, "camera.out"), errors="replace") as f:
                if f.read().count("READY") >= sum(1 for n, _, _ in self.procs if n.startswith("camera")):
                    return p
            if p.poll() is not None:
                raise Failed(f"the camera stand-in exited; see {self.dir}")
            time.sleep(0.1)
        raise Failed(f"the camera stand-in did not start; see {self.dir}")

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
        return Viewer(name, p, out, os.path.join(self.dir, f"{name}.log"))

    def start_recorder(self, name, url):
        """ffmpeg -c copy of `url` into an MP4, the way an NVR records (stopped with SIGINT)."""
        path = os.path.join(self.dir, f"{name}.mp4")
        p = self.start("viewers", name, ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
                                         "-rtsp_transport", "tcp", "-i", url, "-c", "copy", "-f", "mp4",
                                         "-y", path])
        return Recorder(name, p, path, os.path.join(self.dir, f"{name}.log"))

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


class Viewer:
    """One rtsp-client: its JSON lines (seconds, events, summary) and its log."""

    def __init__(self, name, proc, jsonl, log):
        self.name, self.proc, self.jsonl, self.log = name, proc, jsonl, log
        self.proc_start = time.time()

    def lines(self):
        out = []
        try:
            with open(self.jsonl) as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        continue
        except FileNotFoundError:
            pass
        return out

    def seconds(self):
        return [d for d in self.lines() if "fps" in d and "event" not in d and not d.get("summary")]

    def events(self, kind):
        """[(unix_s, event)] of one kind ("source_offline", "source_back", "failover")."""
        return [(d["wall_us"] / 1e6, d) for d in self.lines() if d.get("event") == kind]

    def log_events(self):
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
        ev = [e for e in self.log_events() if e[1] == "frame"]
        return ev[-1][2] if ev else None

    def edges_played_after(self, t):
        return {e[2] for e in self.log_events() if e[1] == "frame" and e[0] >= t}

    def first_frame_after(self, t, other_than=None):
        for when, kind, edge in self.log_events():
            if kind == "frame" and when >= t and edge != other_than:
                return when
        return None

    def decodes_again_after(self, t):
        """When frames came back after `t`: the first source_back event or new session's frame."""
        times = [w for w, _ in self.events("source_back") if w >= t]
        f = self.first_frame_after(t)
        if f:
            times.append(f)
        return min(times) if times else None

    def report_times(self, since=0):
        """JSON second reports converted to unix time: [(unix_s, row)]."""
        return [(self.proc_start + r["t"], r) for r in self.seconds() if self.proc_start + r["t"] >= since]

    def counter_at(self, name, t):
        """A cumulative counter of the second lines at unix time `t` (the last line before it)."""
        v = 0
        for when, r in self.report_times():
            if when <= t:
                v = r.get(name, 0)
        return v

    def max_gap_ms(self, t0, t1):
        """The longest freeze between decoded frames in the seconds reported in [t0, t1]."""
        return max((r.get("max_frame_gap_ms", 0.0) for t, r in self.report_times(t0) if t <= t1), default=0.0)


class Recorder:
    """An `ffmpeg -c copy` MP4 recording: are its DTS strictly increasing, and did the muxer warn?"""

    def __init__(self, name, proc, path, log):
        self.name, self.proc, self.path, self.log = name, proc, path, log

    def finish(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # ffmpeg finishes the file on SIGINT
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        r = sh("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts",
               "-of", "csv=p=0", self.path, check=False)
        dts = [int(x) for x in r.stdout.split() if x.strip().lstrip("-").isdigit()]
        bad = sum(1 for a, b in zip(dts, dts[1:]) if b <= a)
        warnings = []
        try:
            with open(self.log, errors="replace") as f:
                warnings = [l.strip() for l in f if re.search(r"dts|monoton|timestamp", l, re.I)]
        except FileNotFoundError:
            pass
        # FFmpeg 5.1's RTSP input leaves the second packet of every recording without a
        # timestamp, whatever the server (gst-rtsp-server gives the same two lines;
        # docs/interop.md): the muxer's note on it at the very start is not about the fault.
        start = [r"Timestamps are unset in a packet", r"Non-monotonous DTS .*previous: 0, current: 0;"]
        for pattern in start:
            hit = next((w for w in warnings[:2] if re.search(pattern, w)), None)
            if hit:
                warnings.remove(hit)
        return len(dts), bad, warnings


def record_dts(drill, rec):
    n, bad, warnings = rec.finish()
    ok = n > 0 and bad == 0 and not warnings
    return record(drill, f"ffmpeg -c copy recording through the fault: non-increasing DTS of {n} packets"
                  + (f"; muxer: {warnings[0][:60]}" if warnings else "; no muxer warning"),
                  bad if n else "no packets", "= 0", ok, "")


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

    def first_frame_after(self, t):
        for f in self.data["frames"]:
            if f[0] >= t:
                return f[0]
        return None

    def decode_errors(self):
        r = sh("ffmpeg", "-v", "error", "-f", "h264", "-i", self.h264, "-f", "null", "-", check=False)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        return len(lines), lines[:5]


def start_cluster(c, edges, source=SOURCE, origin_extra=(), camera_clip=None):
    c.up()
    c.add_node("coord", COORD)
    c.add_node("origin", ORIGIN)
    if camera_clip:
        c.add_node("camera", CAMERA)
    for i in edges:
        c.add_node(f"edge{i}", f"{SUBNET}.{10 + i}")
    c.add_node("viewers", f"{SUBNET}.100")
    c.start_coordinator()
    if camera_clip:
        c.start_camera(camera_clip)
    c.start_origin(source, origin_extra)
    for i, cap in edges.items():
        c.start_edge(i, cap)
    c.wait_ready(list(edges))


def launch(c, name, **kw):
    return c.start_client(name, **kw)


def launch_viewers(c, prefix, n=VIEWERS, **kw):
    viewers = []
    for k in range(n):
        viewers.append(launch(c, f"{prefix}-{k}", **kw))
        time.sleep(0.1)
    return viewers


def wait_playing(viewers, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline and not all(v.edge() for v in viewers):
        time.sleep(0.3)
    missing = [v.name for v in viewers if not v.edge()]
    if missing:
        raise Failed(f"viewers not playing after {timeout} s: {missing}")


def edge_url(i):
    return f"rtsp://{SUBNET}.{10 + i}:8554/{STREAM}"


# ---- drills ---------------------------------------------------------------------------------

def drill_spread(c):
    """30 clients on 3 uneven edges: a dozen decode, the rest only receive (load, not CPU)."""
    caps = {1: 20, 2: 10, 3: 10}
    start_cluster(c, caps)
    n = 30
    clients = []
    for k in range(n):
        extra = ["--duration=40s"] + ([] if k < VIEWERS else ["--decode=false"])
        clients.append(launch(c, f"spread-{k}", extra=extra))
        time.sleep(0.15)
    deadline = time.time() + 20 * time_scale()
    while time.time() < deadline and sum(1 for cl in clients if cl.edge()) < n:
        time.sleep(0.5)
    playing = [cl for cl in clients if cl.edge()]
    ttff = [cl.first_frame_after(cl.proc_start) - cl.asked_at() for cl in playing]
    launch_ttff = [cl.first_frame_after(cl.proc_start) - cl.proc_start for cl in playing]
    record("1 spread", f"clients playing ({VIEWERS} decoding)", len(playing), f"= {n}", len(playing) == n, "")
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
    viewers = launch_viewers(c, "ef")
    wait_playing(viewers)
    rec = c.start_recorder("rec-edge3", edge_url(3))  # a survivor: records through both faults
    time.sleep(3)
    ok = True
    for sig, edge_i in ((signal.SIGKILL, 1), (signal.SIGSTOP, 2)):
        victim = next(p for name, p, _ in c.procs if name == f"edge{edge_i}")
        on_victim = [v for v in viewers if v.edge() == f"edge-{edge_i}"]
        if not on_victim:
            raise Failed(f"no viewer on edge-{edge_i} before the drill: {[v.edge() for v in viewers]}")
        METER.reset()
        t_fail = time.time()
        os.kill(victim.pid, sig)
        deadline = t_fail + 8
        rec_times = {}
        while time.time() < deadline and len(rec_times) < len(on_victim):
            for v in on_victim:
                if v.name not in rec_times:
                    t = v.first_frame_after(t_fail, other_than=f"edge-{edge_i}")
                    if t:
                        rec_times[v.name] = t - t_fail
            time.sleep(0.2)
        times = list(rec_times.values())
        label = "SIGKILL" if sig == signal.SIGKILL else "SIGSTOP"
        ok &= record("2 edge failure", f"{label} edge-{edge_i}: its viewers playing on another edge", len(times),
                     f"= {len(on_victim)}", len(times) == len(on_victim), "")
        if times:
            ok &= record("2 edge failure", f"{label} edge-{edge_i}: playing again p95 (max {max(times):.2f} s, "
                         f"n={len(times)})", p95(times), "<= 2 s", p95(times) <= 2.0)
        others = [v for v in viewers if v not in on_victim and v.edge() != f"edge-{3 - edge_i}"]
        time.sleep(2)
        gaps = max((v.max_gap_ms(t_fail, time.time()) for v in others), default=0.0)
        ok &= record("2 edge failure", f"{label}: longest freeze of viewers on unaffected edges", gaps / 1000.0,
                     "< 0.5 s", gaps < 500)
    victim = next(p for name, p, _ in c.procs if name == "edge2")
    os.kill(victim.pid, signal.SIGCONT)
    ok &= record_dts("2 edge failure", rec)
    return ok


def upstream_outage(c, drill, kill_and_restart, outage_s=3.0):
    """Viewers through an upstream outage (origin or camera): they stay on their edges, show the
    source offline, and decode again as soon as their edge has frames."""
    probes = {i: c.start_probe(f"probe-edge{i}", edge_url(i)) for i in (1, 2, 3)}
    viewers = launch_viewers(c, drill.split()[1][:2])
    wait_playing(viewers)
    rec = c.start_recorder("rec-edge1", edge_url(1))
    time.sleep(3)
    edges_before = {v.name: v.edge() for v in viewers}
    assigns_before = {v.name: v.counter_at("assign_requests", time.time() + 1) for v in viewers}
    METER.reset()
    t_fault, t_restart, t_ready = kill_and_restart(outage_s)
    time.sleep(6)
    ok = True
    edge_back = {}
    for i, pr in probes.items():
        pr.finish()
        edge_back[f"edge-{i}"] = pr.first_frame_after(t_restart)
        record(drill, f"edge-{i} has frames again after the restart (plain reader)",
               (edge_back[f"edge-{i}"] - t_restart) if edge_back[f"edge-{i}"] else -1.0, "info", True)
    after_edge, after_restart, offline_after, changes, assigns = [], [], [], 0, []
    for v in viewers:
        back = v.decodes_again_after(t_restart)
        eb = edge_back.get(edges_before[v.name])
        if back is None or eb is None:
            after_edge.append(float("inf"))
            after_restart.append(float("inf"))
        else:
            after_edge.append(max(0.0, back - eb))
            after_restart.append(back - t_restart)
        offline = [w for w, _ in v.events("source_offline") if w >= t_fault]
        offline_after.append(offline[0] - t_fault if offline else float("inf"))
        changes += len([e for e in v.edges_played_after(t_fault) if e != edges_before[v.name]])
        changes += len([w for w, _ in v.events("failover") if w >= t_fault])
        assigns.append(v.counter_at("assign_requests", time.time()) - assigns_before[v.name])
    ok &= record(drill, "viewers decoding again <= 1 s after their edge has frames: p95", p95(after_edge),
                 "<= 1 s", p95(after_edge) <= 1.0)
    ok &= record(drill, f"viewers decoding again after the restart: max (p50 {statistics.median(after_restart):.2f} s)",
                 max(after_restart), "<= 2.5 s", max(after_restart) <= 2.5)
    ok &= record(drill, "viewers showing 'source offline' after the fault: max", max(offline_after),
                 "<= 1 s", max(offline_after) <= 1.0)
    ok &= record(drill, "edge changes (failovers) among the viewers", changes, "= 0", changes == 0, "")
    ok &= record(drill, "AssignEdge calls per viewer during the fault: max", max(assigns), "<= 2",
                 max(assigns) <= 2, "")
    states = sorted({d.get("state") for v in viewers for w, d in v.events("source_offline") if w >= t_fault})
    record(drill, f"what the edges told the viewers (info): {', '.join(s for s in states if s)}", len(states),
           "info", True, "")
    ok &= record_dts(drill, rec)
    return ok, probes, t_restart, t_ready


def drill_origin_restart(c):
    start_cluster(c, {1: 100, 2: 100, 3: 100})

    def kill_and_restart(outage_s):
        origin = next(p for name, p, _ in c.procs if name.startswith("origin"))
        t_fault = time.time()
        os.kill(origin.pid, signal.SIGKILL)
        origin.wait()
        time.sleep(outage_s)
        t_launch = time.time()
        c.start_origin()
        t_bound = t_launch
        deadline = time.time() + 5 * time_scale()
        while time.time() < deadline:
            with open(c.procs[-1][2], errors="replace") as f:
                line = next((l for l in f if "started:" in l and "bound" in l), None)
            if line:
                t_bound = log_time(line)
                break
            time.sleep(0.05)
        return t_fault, t_launch, t_bound

    ok, probes, t_launch, t_bound = upstream_outage(c, "3 origin restart", kill_and_restart)
    record("3 origin restart", "origin process launch -> bound and publishing (info)", t_bound - t_launch, "info", True)
    for i, pr in probes.items():
        d = pr.data
        frames = d["frames"]
        ok &= record("3 origin restart", f"edge-{i} reader still connected",
                     "yes" if d["disconnected"] is None else d["disconnected"], "connected", d["disconnected"] is None, "")
        # RTP continuity: one SSRC, no sequence gap, timestamps never go back and the jump over
        # the outage matches the wall-clock gap (90 kHz clock) within the catch-up GOP.
        worst, backwards = 0.0, 0
        for a, b in zip(frames, frames[1:]):
            dts = ((b[1] - a[1]) & 0xFFFFFFFF)
            if dts > 0x7FFFFFFF:
                backwards += 1
                continue
            worst = max(worst, abs(dts / 90000.0 - (b[0] - a[0])))
        bound = GOP_S + 0.5
        cont = len(d["ssrcs"]) == 1 and d["seq_gaps"] == 0 and backwards == 0 and worst < bound
        ok &= record("3 origin restart", f"edge-{i} RTP continuity (ssrc {len(d['ssrcs'])}, seq gaps {d['seq_gaps']}, "
                     f"ts backwards {backwards}; worst |dts - dwall|)", worst, f"< {bound:g} s", cont)
    return ok


def make_clip(c):
    """A 60 s H.264 clip (320x180, 15 fps, 1 s GOP) for the camera stand-in."""
    clip = os.path.join(c.dir, "camera.mp4")
    sh("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15", "-t", "60",
       "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-bf", "0",
       "-pix_fmt", "yuv420p", "-y", clip)
    return clip


def drill_camera_loss(c):
    """The origin pulls an RTSP camera (gst-rtsp-server on its own host) that dies for 3 s."""
    clip = make_clip(c)
    start_cluster(c, {1: 100, 2: 100, 3: 100}, source=f"rtsp://{CAMERA}:8554/cam",
                  origin_extra=["--source_transport=tcp", "--reconnect_initial=200ms",
                                "--reconnect_max=500ms"], camera_clip=clip)

    def kill_and_restart(outage_s):
        camera = next(p for name, p, _ in reversed(c.procs) if name.startswith("camera"))
        t_fault = time.time()
        os.kill(camera.pid, signal.SIGKILL)
        camera.wait()
        time.sleep(outage_s)
        t_restart = time.time()
        c.start_camera(clip)
        return t_fault, t_restart, time.time()

    ok, _, t_restart, t_ready = upstream_outage(c, "4 camera loss", kill_and_restart)
    record("4 camera loss", "camera stand-in restart -> answering RTSP (info)", t_ready - t_restart, "info", True)
    return ok


def drill_coordinator_outage(c):
    start_cluster(c, {1: 100, 2: 100})
    playing = launch_viewers(c, "co", n=6)
    wait_playing(playing)
    time.sleep(2)
    coord = next(p for name, p, _ in c.procs if name.startswith("coordinator"))
    METER.reset()
    t_kill = time.time()
    os.kill(coord.pid, signal.SIGKILL)
    coord.wait()
    time.sleep(7)
    waiting = [launch(c, f"co-wait-{k}") for k in range(3)]  # ask while the coordinator is down
    time.sleep(3)
    t_back = time.time()
    c.start_coordinator()
    fresh = [launch(c, f"co-new-{k}") for k in range(3)]
    deadline = time.time() + 10 * time_scale()
    while time.time() < deadline and not all(v.first_frame_after(t_back) for v in fresh + waiting):
        time.sleep(0.3)
    time.sleep(1)
    ok = True
    gap = max(v.max_gap_ms(t_kill, t_back + 2) for v in playing)
    stalls = sum(v.counter_at("stalls", t_back + 2) - v.counter_at("stalls", t_kill) for v in playing)
    recon = sum(max((r["reconnects"] for r in v.seconds()), default=0) for v in playing)
    ok &= record("5 coordinator outage", "playing viewers: longest freeze during the 10 s outage", gap / 1000.0,
                 "< 0.5 s", gap < 500)
    ok &= record("5 coordinator outage", "playing viewers: stalls + reconnects", stalls + recon, "= 0",
                 stalls + recon == 0, "")
    for group, label in ((fresh, "started at its return"), (waiting, "waiting during the outage")):
        t = [v.first_frame_after(t_back) for v in group]
        served = [x - t_back for x in t if x]
        gave_up = [v.name for v in group if not v.first_frame_after(t_back) and v.proc.poll() is not None]
        ok &= record("5 coordinator outage", f"new viewers {label} served within 10 s"
                     + (f" (exited: {', '.join(gave_up)}; see their logs)" if gave_up else ""),
                     len(served), f"= {len(group)}", len(served) == len(group), "")
        if served:
            # A viewer started at the return plays within 2 s (channel reconnect from 250 ms, the
            # coordinator holds its AssignEdge while the edges re-register). One that waited
            # connects at its channel's next reconnect attempt: at most 1.2 x the 3 s cap later
            # (spreading these is what keeps a restart from becoming a storm), plus set-up.
            bound = 2.0 if group is fresh else 1.2 * CLIENT_RECONNECT_MAX_S + 1.5
            ok &= record("5 coordinator outage", f"new viewers {label}: first frame after return, max", max(served),
                         f"<= {bound:g} s", max(served) <= bound)
    return ok


def drill_degraded_link(c):
    start_cluster(c, {1: 100, 2: 100})
    probes = {i: c.start_probe(f"probe-edge{i}", edge_url(i)) for i in (1, 2)}
    direct = {i: [launch(c, f"dl-edge{i}-{k}", url=edge_url(i), extra=["--stall_timeout=5s"]) for k in range(2)]
              for i in (1, 2)}
    rec = c.start_recorder("rec-edge1", edge_url(1))
    time.sleep(4)
    veth = c.nodes["edge1"][2]
    rate = BITRATE_BPS // 10
    ok = True
    METER.reset()
    # Phase 1: the link into edge-1 (origin -> edge) at a tenth of the stream's bit rate.
    t_throttle = time.time()
    sh("tc", "qdisc", "add", "dev", veth, "root", "tbf", "rate", f"{rate}bit", "burst", "1600", "latency", "500ms")
    time.sleep(8)
    sh("tc", "qdisc", "del", "dev", veth, "root", check=False)
    t_heal = time.time()
    thr_fps = [r["fps"] for v in direct[1] for t, r in v.report_times(t_throttle + 1) if t <= t_heal]
    record("6 degraded link", "edge-1 viewer fps while throttled (median, info: frames skipped to keyframes)",
           statistics.median(thr_fps) if thr_fps else 0.0, "info", True, "fps")
    rec1 = wait_fresh(direct[1], t_heal, 10)
    ok &= record("6 degraded link", f"edge-1 viewers fresh again after the {rate // 1000} kb/s throttle", rec1,
                 "<= 5 s", rec1 is not None and rec1 <= 5.0)
    # Phase 2: 2 % random loss on the origin's packets into edge-1.
    rule = ["INPUT", "-s", ORIGIN, "-m", "statistic", "--mode", "random", "--probability", "0.02", "-j", "DROP"]
    c.ns_exec("edge1", "iptables", "-A", *rule)
    t_loss = time.time()
    time.sleep(8)
    c.ns_exec("edge1", "iptables", "-D", *rule, check=False)
    t_loss_end = time.time()
    rec2 = wait_fresh(direct[1], t_loss_end, 10)
    ok &= record("6 degraded link", "edge-1 viewers fresh after 2 % loss ends", rec2, "<= 5 s",
                 rec2 is not None and rec2 <= 5.0)
    loss_fps = [r["fps"] for v in direct[1] for t, r in v.report_times(t_loss + 1) if t <= t_loss_end]
    record("6 degraded link", "edge-1 viewer fps during 2 % loss (median, info)",
           statistics.median(loss_fps) if loss_fps else 0.0, "info", True, "fps")
    time.sleep(2)
    for i, pr in probes.items():
        d = pr.finish()
        errors, sample = pr.decode_errors()
        good = errors == 0 and d["disconnected"] is None and d["seq_gaps"] == 0
        ok &= record("6 degraded link", f"edge-{i} reader: ffmpeg decode errors of the received stream (RTP seq gaps "
                     f"{d['seq_gaps']}, frames {len(d['frames'])})" + (f" {sample}" if sample else ""), errors, "= 0", good, "")
    m1, m2 = c.edge_metrics(1), c.edge_metrics(2)
    record("6 degraded link", "edge-1 origin gaps / frames lost / frames held back to the next keyframe (info)",
           f"{m1.get('rs_edge_origin_gaps_total', -1):.0f}/{m1.get('rs_edge_origin_lost_frames_total', -1):.0f}/"
           f"{m1.get('rs_edge_origin_dropped_frames_total', -1):.0f}", "info", True, "")
    g2 = m2.get("rs_edge_origin_gaps_total", -1)
    ok &= record("6 degraded link", "edge-2 origin gaps (unaffected edge)", f"{g2:.0f}", "= 0", g2 == 0, "")
    others_slow = sum(1 for v in direct[2] for t, r in v.report_times(t_throttle) if t <= t_loss_end and r["fps"] < 10)
    others_recon = sum(max((r["reconnects"] for r in v.seconds()), default=0) for v in direct[2])
    ok &= record("6 degraded link", "edge-2 viewers: seconds below 10 fps + reconnects", others_slow + others_recon,
                 "= 0", others_slow + others_recon == 0, "")
    ok &= record_dts("6 degraded link", rec)
    return ok


def wait_fresh(viewers, since, timeout):
    """Seconds after `since` until every viewer reports a second with fps >= 10 and latency
    p95 < 1 s (frames arrive on time again), or None."""
    deadline = since + timeout
    while time.time() < deadline:
        worst = 0.0
        for v in viewers:
            good = [t for t, r in v.report_times(since) if r["fps"] >= 10 and r["latency_ms"]["p95"] is not None
                    and r["latency_ms"]["p95"] < 1000]
            if not good:
                worst = None
                break
            worst = max(worst, good[0] - since)  # end of the first good second: an upper bound
        if worst is not None:
            return max(0.0, worst)
        time.sleep(0.5)
    return None


def drill_partition(c):
    start_cluster(c, {1: 100, 2: 100})
    viewers = launch_viewers(c, "pa", n=6)
    wait_playing(viewers)
    on1 = [v for v in viewers if v.edge() == "edge-1"]
    if not on1:
        raise Failed(f"no viewer on edge-1 before the cut: {[v.edge() for v in viewers]}")
    time.sleep(2)
    rules = [["OUTPUT", "-d", COORD, "-j", "DROP"], ["INPUT", "-s", COORD, "-j", "DROP"]]
    METER.reset()
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
    ok = record("7 partition", "coordinator stops placing on edge-1 after", detected if detected is not None else -1.0,
                "<= 3 s", detected is not None and detected <= 3.0)
    new = [launch(c, f"pa-new-{k}") for k in range(4)]
    time.sleep(5)
    n1 = sum(1 for v in new if v.edge() == "edge-1")
    n2 = sum(1 for v in new if v.edge() == "edge-2")
    ok &= record("7 partition", "new viewers placed on the cut edge-1 (on edge-2)", f"{n1} ({n2})", f"0 ({len(new)})",
                 n1 == 0 and n2 == len(new), "")
    t_heal = time.time()
    gap = max(v.max_gap_ms(t_cut, t_heal) for v in on1)
    moved = sum(1 for v in on1 if v.edges_played_after(t_cut) - {"edge-1"})
    ok &= record("7 partition", f"edge-1's {len(on1)} viewers: longest freeze while cut", gap / 1000.0, "< 0.5 s",
                 gap < 500)
    ok &= record("7 partition", "edge-1's viewers that changed edge", moved, "= 0", moved == 0, "")
    for r in rules:
        c.ns_exec("edge1", "iptables", "-D", *r, check=False)
    rejoin = None
    while time.time() < t_heal + 30:
        if (c.edges_state() or {}).get("edge-1", ("",))[0] == "NODE_STATE_READY":
            rejoin = time.time() - t_heal
            break
        time.sleep(0.1)
    ok &= record("7 partition", "edge-1 READY again after the partition heals", rejoin if rejoin is not None else -1.0,
                 "<= 15 s", rejoin is not None and rejoin <= 15.0)
    after = [launch(c, f"pa-after-{k}") for k in range(2)]
    time.sleep(4)
    back = sum(1 for v in after if v.edge() == "edge-1")
    ok &= record("7 partition", "new viewers placed on edge-1 after it rejoined (of 2)", back, ">= 1", back >= 1, "")
    return ok


DRILLS = {
    "spread": drill_spread,
    "edge_failure": drill_edge_failure,
    "origin_restart": drill_origin_restart,
    "camera_loss": drill_camera_loss,
    "coordinator_outage": drill_coordinator_outage,
    "degraded_link": drill_degraded_link,
    "partition": drill_partition,
}


def preflight(bin_dir):
    if os.geteuid() != 0:
        raise Skip("needs root for ip netns, veth, bridge, tc and iptables (running as uid %d)" % os.geteuid())
    for tool in ("ip", "tc", "iptables", "curl", "ffmpeg", "ffprobe", "python3"):
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
    lines = ["", f"{'drill':<20} {'measure':<92} {'measured':>12}  {'bound':<12} {'result':<6} machine",
             "-" * 170]
    for drill, measure, value, bound, ok, unit, load in RESULTS:
        v = f"{value:.2f} {unit}" if isinstance(value, float) else f"{value} {unit}".strip()
        lines.append(f"{drill:<20} {measure[:92]:<92} {v:>12}  {bound:<12} {'ok' if ok else 'FAIL':<6} {load}")
    text = "\n".join(lines)
    print(text, flush=True)
    if path:
        with open(path, "a") as f:
            f.write(text + "\n")


def run_drills(drills, argv=None, needs=()):
    """Runs the chosen drills of `drills` ({name: function(cluster)}) and prints the table; the
    command line is --bin, --drill, --table (and --keep_logs). `needs`: programs in --bin the
    drills start besides the four. Returns the exit status."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--drill", default="all", choices=["all", *drills])
    ap.add_argument("--table", default="")
    ap.add_argument("--keep_logs", action="store_true")
    args = ap.parse_args(argv)
    try:
        preflight(args.bin)
        for prog in needs:
            if not os.access(os.path.join(args.bin, prog), os.X_OK):
                raise Skip(f"{os.path.join(args.bin, prog)} is not built")
    except Skip as e:
        print(f"SKIPPED: {e}", flush=True)
        return SKIP
    cleanup_stale()
    names = list(drills) if args.drill == "all" else [args.drill]
    failed = []
    for name in names:
        workdir = procs.scratch_dir(f"drill-{name}")
        print(f"== drill {name} (logs in {workdir})", flush=True)
        c = Cluster(args.bin, workdir)
        interrupted = []

        def on_term(signum, _frame):
            interrupted.append(signum)
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_term)
        t0 = time.time()
        METER.reset()
        first_row = len(RESULTS)
        try:
            drills[name](c)
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
            for report in procs.sanitizer_reports(workdir):
                print(f"  FAIL: sanitizer report in {report}", flush=True)
                if name not in failed:
                    failed.append(name)
            print(f"  ({time.time() - t0:.1f} s; {procs.keep_logs_if(name in failed, workdir)})",
                  flush=True)
    print_table(args.table)
    if failed:
        print(f"FAILED drills: {', '.join(failed)}")
        return 1
    print("all drills passed")
    return 0


def main():
    return run_drills(DRILLS)


if __name__ == "__main__":
    sys.exit(main())
