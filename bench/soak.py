#!/usr/bin/env python3
"""Churn soak of a whole cluster on this machine (`make soak DURATION=30m`; docs/testing.md, "Soak").

Coordinator, origin (test pattern) and three edges on 127.0.0.1, for DURATION:
  * 12 decoding viewers (rtsp-client --headless, through the coordinator, failing over) the whole run;
  * one steady non-decoding reader per edge (tests/cluster/rtp_probe.py, reconnected when its edge dies);
  * waves of churn: non-decoding readers joining and leaving at --churn_rate per second for 20 s,
    then 20 s of rest, spread over the edges;
  * faults: every --edge_every an edge killed (SIGKILL) and started again, every --origin_every the
    origin restarted (shifted so that it never meets an edge kill), once (near the middle, at least
    30 s from any other fault) the coordinator restarted: each viewer freeze has one cause.
Every 10 s it samples RSS, open fds and threads of every process. At the end it prints
  * per process instance: RSS at warm-up and at the end, the RSS slope (MiB per 10 min, least
    squares over the samples from 2 min after it first met churn, over at least 3 min), fds and
    threads at each churn rest against the first rest (the baseline; an edge's fds beyond its
    open RTSP connections, read from its /metrics, since viewers move between edges);
  * per fault: the viewers' largest freeze in the seconds after it, and how many viewers froze;
  * frames lost by the steady readers outside fault windows (RTP sequence gaps);
and writes the samples, the tables and a plot (PNG, gnuplot) under --out.
Exit 0 when every target of the issue is met, 1 otherwise (the report says which).
"""
import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "cluster"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))
from cluster_drills import Viewer  # noqa: E402  (the drills' reading of rtsp-client's JSON)
from procs import free_port, free_port_pair  # noqa: E402  (tests/support)

PROBE = os.path.join(HERE, "..", "tests", "cluster", "rtp_probe.py")
STREAM = "cam1"
SOURCE = "test://pattern?size=320x180&fps=15&bitrate=300k&gop=15"
SAMPLE_S = 10
WARMUP_S = 60            # before the first churn wave
# An instance's RSS slope is fitted after its first 2 min under churn: the 30-min run without
# edge and origin faults (docs/testing.md, "Soak") shows an edge growing 0.5-0.6 MiB in the two
# minutes after the first wave, and 0.02-0.05 MiB over its last 14 minutes.
SETTLE_S = 120
FAULT_WINDOW_S = 8       # seconds after a fault that belong to it
WAVE_S, REST_S = 20, 20
TARGET_SLOPE_MIB = 1.0   # per 10 min
SLOPE_SPAN_S = 180       # an instance's RSS slope needs this long after warm-up (edges live 6 min)
FAULT_SPACING_S = 30     # no two faults closer than this: each viewer freeze has one cause
TARGET_GAP_S = {"edge": 3.0, "origin": 5.0, "coordinator": 1.0}  # issue 8's viewer gaps per fault


def parse_duration(text):
    units = {"s": 1, "m": 60, "h": 3600}
    return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)


class Proc:
    """A role (coordinator, origin, edge1..3) whose process may be restarted."""

    def __init__(self, cluster, role, argv):
        self.cluster, self.role, self.argv = cluster, role, argv
        self.p = None
        self.instance = 0
        self.start()

    def start(self):
        self.instance += 1
        log = open(os.path.join(self.cluster.dir, f"{self.role}.log"), "a")
        self.p = subprocess.Popen(self.argv, stdout=log, stderr=log, start_new_session=True)
        self.started = time.time()

    def kill(self, sig=signal.SIGKILL):
        if self.p and self.p.poll() is None:
            os.kill(self.p.pid, sig)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.p.pid, signal.SIGKILL)
                self.p.wait()

    def name(self):
        return f"{self.role}#{self.instance}"


def open_connections(http_port):
    """rs_edge_connections (open RTSP control connections) from an edge's /metrics, or None."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=2) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("rs_edge_connections "):
                    return int(float(line.split()[1]))
    except (OSError, ValueError):
        pass
    return None


def fault_plan(duration, edge_every, origin_every):
    """When the faults come: edges every edge_every; the origin every origin_every, shifted so that
    it never meets an edge kill; the coordinator once, near the middle, as far as can be from both
    (each fault's viewer freezes then have one cause)."""
    edges = [t for t in range(int(edge_every), int(duration), int(edge_every))]
    shift = 0
    while shift < edge_every and any(
            abs(o + shift - e) < FAULT_SPACING_S
            for o in range(int(origin_every), int(duration), int(origin_every)) for e in edges):
        shift += 5
    origins = [o + shift for o in range(int(origin_every), int(duration) - shift, int(origin_every))]
    taken = edges + origins
    candidates = range(int(duration * 0.4), int(duration * 0.6) + 1, 5)
    coordinator = max(candidates, key=lambda t: min((abs(t - x) for x in taken), default=duration))
    return edges, origins, coordinator


def proc_stats(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
        rss = int(status["VmRSS"].split()[0]) / 1024
        threads = int(status["Threads"])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return rss, fds, threads
    except (OSError, KeyError, ValueError):
        return None


class Churn:
    """Readers that join (DESCRIBE, SETUP, PLAY), read 0.5-3 s and leave, at `rate` per second
    during waves."""

    def __init__(self, urls, rate):
        self.urls, self.rate = urls, rate
        self.active = threading.Event()
        self.stop = threading.Event()
        self.joined = self.failed = 0
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run()), daemon=True)
        self.thread.start()

    async def reader(self, url):
        host, port, path = url[7:].split(":")[0], int(url[7:].split(":")[1].split("/")[0]), url
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
        except (OSError, asyncio.TimeoutError):
            self.failed += 1
            return
        try:
            async def ask(lines):
                w.write(("\r\n".join(lines) + "\r\n\r\n").encode())
                head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 4)
                length = 0
                for line in head.decode(errors="replace").split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":")[1])
                if length:
                    await asyncio.wait_for(r.readexactly(length), 4)
                return head.decode(errors="replace")
            head = await ask([f"DESCRIBE {path} RTSP/1.0", "CSeq: 1", "Accept: application/sdp"])
            if " 200 " not in head.split("\r\n")[0]:
                self.failed += 1
                return
            head = await ask([f"SETUP {path}/trackID=0 RTSP/1.0", "CSeq: 2",
                              "Transport: RTP/AVP/TCP;unicast;interleaved=0-1"])
            session = next((line.split(":", 1)[1].split(";")[0].strip()
                            for line in head.split("\r\n") if line.lower().startswith("session:")), "")
            w.write(f"PLAY {path} RTSP/1.0\r\nCSeq: 3\r\nSession: {session}\r\n\r\n".encode())
            self.joined += 1
            until = time.time() + random.uniform(0.5, 3.0)
            while time.time() < until:
                try:
                    if not await asyncio.wait_for(r.read(65536), 0.5):
                        break
                except asyncio.TimeoutError:
                    pass
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError):
            self.failed += 1
        finally:
            w.close()

    async def run(self):
        tasks = set()
        while not self.stop.is_set():
            if self.active.is_set():
                t = asyncio.create_task(self.reader(random.choice(self.urls)))
                tasks.add(t)
                t.add_done_callback(tasks.discard)
            await asyncio.sleep(1.0 / self.rate)
        for t in list(tasks):
            t.cancel()


class Soak:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.abspath(args.bin)
        self.dir = tempfile.mkdtemp(prefix="soak-")
        self.coord, self.coord_http = free_port(), free_port()
        self.zmq = free_port_pair()  # the catch-up port is publish + 1
        if self.zmq is None:
            sys.exit("soak: no two adjacent free ports")
        self.origin_http = free_port()
        self.edge_ports = [(free_port(), free_port()) for _ in range(args.edges)]
        self.samples = []   # (t, process name, role, rss MiB, fds, threads, open RTSP connections)
        self.faults = []    # (t, kind, what)
        self.rests = []     # t of each churn rest's end
        self.procs = {}
        self.viewers = []
        self.probes = {}
        self.t0 = time.time()
        self.churn = None
        self.rest_pending = None
        self.finished_probes = []  # JSON summaries of probes whose edge went away
        self.probe_started = {}
        self.probe_count = 0

    def program(self, name):
        return os.path.join(self.bin, name)

    def start_cluster(self):
        self.procs["coordinator"] = Proc(self, "coordinator", [
            self.program("rtsp-coordinator"), f"--listen=127.0.0.1:{self.coord}",
            f"--http=127.0.0.1:{self.coord_http}", "--warmup=1s"])
        self.procs["origin"] = Proc(self, "origin", [
            self.program("rtsp-origin"), f"--source={SOURCE}", f"--stream={STREAM}",
            f"--publish=tcp://127.0.0.1:{self.zmq}", f"--coordinator=127.0.0.1:{self.coord}",
            f"--http=127.0.0.1:{self.origin_http}", "--name=origin-1", "--encoder=libx264"])
        for i, (rtsp, http) in enumerate(self.edge_ports, 1):
            self.procs[f"edge{i}"] = Proc(self, f"edge{i}", [
                self.program("rtsp-edge"), f"--coordinator=127.0.0.1:{self.coord}",
                f"--rtsp=127.0.0.1:{rtsp}", f"--advertise=rtsp://127.0.0.1:{rtsp}",
                f"--http=127.0.0.1:{http}", f"--name=edge-{i}", f"--preload={STREAM}",
                "--io_threads=1", "--capacity_readers=400"])

    def url(self, i):
        return f"rtsp://127.0.0.1:{self.edge_ports[i - 1][0]}/{STREAM}"

    def start_probe(self, i):
        self.probe_started[i] = time.time()
        out = os.path.join(self.dir, f"probe{i}-{self.probe_count}.json")
        self.probe_count += 1
        log = open(os.path.join(self.dir, f"probe{i}.log"), "a")
        p = subprocess.Popen([sys.executable, PROBE, self.url(i), f"--json={out}"], stdout=log,
                             stderr=log, start_new_session=True)
        self.probes[(i, out)] = p

    def start_viewers(self):
        for n in range(self.args.viewers):
            out = os.path.join(self.dir, f"viewer{n}.jsonl")
            log = os.path.join(self.dir, f"viewer{n}.log")
            p = subprocess.Popen([self.program("rtsp-client"), "--headless", "--hwdec=none",
                                  "--decoder_threads=1", "--connect_retries=1000",
                                  f"--coordinator=127.0.0.1:{self.coord}", f"--stream={STREAM}"],
                                 stdout=open(out, "w"), stderr=open(log, "w"), start_new_session=True)
            self.viewers.append(Viewer(f"viewer{n}", p, out, log))
            time.sleep(0.2)

    def sample(self):
        t = time.time() - self.t0
        for role, proc in self.procs.items():
            if proc.p.poll() is None:
                s = proc_stats(proc.p.pid)
                if s:
                    conns = None
                    if role.startswith("edge"):
                        conns = open_connections(self.edge_ports[int(role[4:]) - 1][1])
                    self.samples.append((t, proc.name(), role, *s, conns))

    def fault(self, kind, what, action):
        self.faults.append((time.time() - self.t0, kind, what))
        print(f"soak: {time.time() - self.t0:7.0f} s  {kind}: {what}", flush=True)
        action()

    def restart(self, role, sig=signal.SIGKILL, down_s=1.0):
        proc = self.procs[role]
        proc.kill(sig)
        time.sleep(down_s)
        proc.start()

    def run(self):
        a = self.args
        self.start_cluster()
        time.sleep(3)
        for i in range(1, a.edges + 1):
            self.start_probe(i)
        self.start_viewers()
        churn = self.churn = Churn([self.url(i) for i in range(1, a.edges + 1)], a.churn_rate)
        end = self.t0 + a.duration
        next_sample = time.time()
        edge_at, origin_at, coordinator_t = fault_plan(a.duration, a.edge_every, a.origin_every)
        next_edge = self.t0 + edge_at[0] if edge_at else end
        next_origin = self.t0 + origin_at[0] if origin_at else end
        origin_at = origin_at[1:]
        coordinator_at = self.t0 + coordinator_t
        wave_start = self.t0 + WARMUP_S
        edge_turn = 0
        while time.time() < end:
            now = time.time()
            if now >= next_sample:
                self.sample()
                next_sample += SAMPLE_S
            phase = (now - wave_start) % (WAVE_S + REST_S) if now >= wave_start else -1
            if 0 <= phase < WAVE_S:
                churn.active.set()
            else:
                if churn.active.is_set():
                    churn.active.clear()
                    self.rest_pending = now + REST_S - 1
                churn.active.clear()
            if self.rest_pending and now >= self.rest_pending:
                self.rests.append(now - self.t0)
                self.rest_pending = None
                self.sample()
            if now >= next_edge:
                edge_turn = edge_turn % a.edges + 1
                self.fault("edge", f"edge{edge_turn} killed and restarted",
                           lambda: self.restart(f"edge{edge_turn}"))
                next_edge += a.edge_every
            if now >= next_origin:
                self.fault("origin", "origin restarted (SIGTERM)",
                           lambda: self.restart("origin", signal.SIGTERM, 0.5))
                next_origin = self.t0 + origin_at.pop(0) if origin_at else end
            if coordinator_at and now >= coordinator_at:
                self.fault("coordinator", "coordinator restarted (SIGKILL)",
                           lambda: self.restart("coordinator", signal.SIGKILL, 0.5))
                coordinator_at = None
            for (i, out), p in list(self.probes.items()):
                # Its edge went away: read the restarted one (at most once a second per edge).
                if p.poll() is not None and now - self.probe_started.get(i, 0) >= 1.0:
                    del self.probes[(i, out)]
                    self.finished_probes.append(out)
                    self.start_probe(i)
            for name, proc in self.procs.items():
                if proc.p.poll() is not None and proc.p.returncode not in (-9, -15, 0):
                    self.faults.append((time.time() - self.t0, "crash", f"{name} exited {proc.p.returncode}"))
                    proc.start()
            time.sleep(0.2)
        churn.stop.set()
        self.sample()

    def stop(self):
        for (_, _), p in self.probes.items():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for v in self.viewers:
            if v.proc.poll() is None:
                v.proc.send_signal(signal.SIGTERM)
        time.sleep(2)
        for p in [v.proc for v in self.viewers] + list(self.probes.values()):
            if p.poll() is None:
                p.kill()
            p.wait()
        for proc in self.procs.values():
            proc.kill(signal.SIGTERM)

    # ---------------------------------------------------------------- report

    def report(self):
        a, out = self.args, {}
        os.makedirs(a.out, exist_ok=True)
        ok = True
        print(f"\nsoak: {a.duration / 60:.0f} min, {a.edges} edges, {a.viewers} decoding viewers, churn "
              f"{a.churn_rate}/s in {WAVE_S} s waves ({self.churn.joined} readers joined, "
              f"{self.churn.failed} failed to join), {len(self.faults)} faults; load now "
              f"{os.getloadavg()[0]:.2f}; logs {self.dir}")
        # Memory slope per process instance.
        rows = []
        by_name = {}
        for t, name, role, rss, fds, threads, conns in self.samples:
            by_name.setdefault(name, []).append((t, rss, fds, threads, conns))
        print("\nprocess          samples  life s  RSS warm MiB  RSS end MiB  slope MiB/10min  fds end  threads end")
        for name, s in sorted(by_name.items()):
            start = s[0][0]
            settled = max(start, WARMUP_S) + SETTLE_S  # 2 min after it first met churn
            warm = [x for x in s if x[0] >= settled]
            slope = None
            if len(warm) >= 6 and warm[-1][0] - warm[0][0] >= SLOPE_SPAN_S:
                n = len(warm)
                mt = sum(x[0] for x in warm) / n
                mr = sum(x[1] for x in warm) / n
                den = sum((x[0] - mt) ** 2 for x in warm)
                slope = sum((x[0] - mt) * (x[1] - mr) for x in warm) / den * 600 if den else 0.0
            good = slope is None or slope <= TARGET_SLOPE_MIB
            ok &= good
            rows.append({"process": name, "samples": len(s), "life_s": s[-1][0] - start,
                         "rss_warm_mib": warm[0][1] if warm else None, "rss_end_mib": s[-1][1],
                         "slope_mib_per_10min": slope, "fds_end": s[-1][2], "threads_end": s[-1][3],
                         "ok": good})
            print(f"{name:16} {len(s):7} {s[-1][0] - start:7.0f} "
                  f"{(warm[0][1] if warm else float('nan')):13.1f} {s[-1][1]:12.1f} "
                  f"{('%.2f' % slope) if slope is not None else 'short':>16} {s[-1][2]:8} {s[-1][3]:12}"
                  + ("" if good else "  <- over 1 MiB/10 min"))
        out["processes"] = rows
        # fds and threads at each churn rest, against the first rest, per process instance.
        print("\nafter each churn wave (end of its rest): fds / threads against the first rest of the same process")
        waves = []
        for name, s in sorted(by_name.items()):
            at = [min(s, key=lambda x: abs(x[0] - r)) for r in self.rests
                  if s[0][0] <= r <= s[-1][0] and min(abs(x[0] - r) for x in s) < 2]
            if len(at) < 2:
                continue
            base = at[0]
            worst_fd = max(x[2] - base[2] for x in at)
            worst_thr = max(x[3] - base[3] for x in at)
            # An edge holds one fd per open RTSP connection, and the 12 viewers and the steady
            # readers move between edges as they are killed: judge its fds beyond those.
            counted = all(x[4] is not None for x in at)
            worst_own = max((x[2] - x[4]) - (base[2] - base[4]) for x in at) if counted else worst_fd
            good = worst_own <= 2 and worst_thr <= 2
            ok &= good
            waves.append({"process": name, "rests": len(at), "fds_base": base[2], "fds_max_over": worst_fd,
                          "fds_beyond_connections_max_over": worst_own if counted else None,
                          "threads_base": base[3], "threads_max_over": worst_thr, "ok": good})
            own = f"; +{worst_own} beyond its open RTSP connections" if counted else ""
            print(f"  {name:16} {len(at):3} rests  fds {base[2]} (+{worst_fd} at most{own})  "
                  f"threads {base[3]} (+{worst_thr} at most)" + ("" if good else "  <- not back"))
        out["churn_rests"] = waves
        # Viewers' freezes per fault.
        print("\nfault                                   at s   viewers frozen  largest freeze s  target s")
        fault_rows = []
        for t, kind, what in self.faults:
            t_unix = self.t0 + t
            gaps = [v.max_gap_ms(t_unix - 1, t_unix + FAULT_WINDOW_S) / 1000 for v in self.viewers]
            frozen = sum(1 for g in gaps if g > 0.5)
            worst = max(gaps, default=0)
            target = TARGET_GAP_S.get(kind)
            good = kind != "crash" and (target is None or worst <= target)
            ok &= good
            fault_rows.append({"t": t, "kind": kind, "what": what, "viewers_frozen": frozen,
                               "largest_freeze_s": worst, "target_s": target, "ok": good})
            print(f"{what:38} {t:6.0f} {frozen:8}/{len(gaps):<5} {worst:16.2f} {target or '-':>9}"
                  + ("" if good else "  <- missed"))
        out["faults"] = fault_rows
        # Steady readers: sequence gaps outside fault windows.
        lost_outside = lost_inside = 0
        for path in self.finished_probes + [out for _, out in self.probes]:
            try:
                with open(path) as f:
                    summary = json.load(f)
            except (OSError, ValueError):
                continue
            for t2 in summary.get("gap_times", []):
                in_fault = any(self.t0 + ft - 1 <= t2 <= self.t0 + ft + FAULT_WINDOW_S for ft, _, _ in self.faults)
                if in_fault:
                    lost_inside += 1
                else:
                    lost_outside += 1
        print(f"\nsteady readers: RTP sequence gaps outside fault windows {lost_outside} "
              f"(inside {lost_inside})")
        ok &= lost_outside == 0
        out["steady_readers"] = {"lost_outside_faults": lost_outside, "lost_in_faults": lost_inside}
        out.update({"duration_s": a.duration, "edges": a.edges, "viewers": a.viewers,
                    "churn_rate": a.churn_rate, "churn_joined": self.churn.joined,
                    "churn_failed": self.churn.failed, "machine": machine(), "ok": ok})
        with open(os.path.join(a.out, "soak.json"), "w") as f:
            json.dump(out, f, indent=1)
        with open(os.path.join(a.out, "soak-samples.json"), "w") as f:
            json.dump({"samples": self.samples, "faults": self.faults, "rests": self.rests}, f)
        self.plot(by_name, os.path.join(a.out, "soak.png"))
        print(f"\nsoak: {'all targets met' if ok else 'TARGETS MISSED'}; wrote {a.out}/soak.json, soak.png")
        return ok

    def plot(self, by_name, png):
        if not shutil.which("gnuplot"):
            print("soak: no gnuplot (apt-get install gnuplot-nox): no plot")
            return
        roles = {}
        for name, s in by_name.items():
            roles.setdefault(name.split("#")[0], []).append(s)
        data = os.path.join(self.dir, "plot")
        os.makedirs(data, exist_ok=True)
        series = []
        for role, instances in sorted(roles.items()):
            path = os.path.join(data, f"{role}.dat")
            with open(path, "w") as f:
                for s in instances:
                    for t, rss, fds, thr, _ in s:
                        f.write(f"{t / 60:.3f} {rss:.2f} {fds} {thr}\n")
                    f.write("\n")
            series.append((role, path))
        faults = "".join(f"set arrow from {t / 60:.3f}, graph 0 to {t / 60:.3f}, graph 1 nohead lc rgb '#cccccc'\n"
                         for t, _, _ in self.faults)
        panels = ""
        for col, label in ((2, "RSS (MiB)"), (3, "open fds"), (4, "threads")):
            plots = ", ".join(f"'{p}' using 1:{col} with lines lw 2 title '{r}'" for r, p in series)
            panels += f"set ylabel '{label}'\nplot {plots}\n"
        script = (f"set terminal png size 1200,1100\nset output '{png}'\nset multiplot layout 3,1 "
                  f"title 'soak: RSS, fds and threads of every process (grey lines: faults)'\n"
                  f"set xlabel 'minutes'\nset key outside right\nset grid\n{faults}{panels}unset multiplot\n")
        subprocess.run(["gnuplot"], input=script, text=True, check=False)


def machine():
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores, {model}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--duration", default="30m")
    ap.add_argument("--edges", type=int, default=3)
    ap.add_argument("--viewers", type=int, default=12)
    ap.add_argument("--churn_rate", type=float, default=50)
    ap.add_argument("--edge_every", default="2m", help="edge kill period, or never")
    ap.add_argument("--origin_every", default="5m", help="origin restart period, or never")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "soak"))
    args = ap.parse_args()
    args.duration = parse_duration(args.duration)
    # "never": no such faults (the steady soak, `make soak-steady`).
    never = args.duration + 1
    args.edge_every = never if args.edge_every == "never" else parse_duration(args.edge_every)
    args.origin_every = never if args.origin_every == "never" else parse_duration(args.origin_every)
    soak = Soak(args)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        soak.run()
    except KeyboardInterrupt:
        print("soak: interrupted; reporting what was measured", flush=True)
    finally:
        soak.stop()
    return 0 if soak.report() else 1


if __name__ == "__main__":
    sys.exit(main())
