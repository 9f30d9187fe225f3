#!/usr/bin/env python3
"""The camera path: latency our origin + edge add when the origin pulls an IP camera over RTSP,
next to readers on the camera itself (the floor) and to gst-rtsp-server relaying the same camera,
one run.

The camera is bench/camera_sim (a pre-encoded 1080p30 H.264 clip, ~4.2 Mb/s, GOP 30, made here
with ffmpeg/libx264, published at its frame rate with a capture-time SEI stamped at each send)
behind an rtsp-edge: its RTSP server. Three paths read it:

  floor            rtsp-bench -> camera edge
  ours             rtsp-bench -> rtsp-edge -> ZeroMQ -> rtsp-origin --source=rtsp://camera
  gst-rtsp-server  rtsp-bench -> bench/peer/gst_rtsp_relay.py (rtspsrc ! depay ! pay) -> camera

Latency = the camera's send-time SEI -> kernel receive time of the frame's last packet at the
reader (rtsp-bench); "add p50" = the path's p50 minus the same reader count's floor p50. Every
row carries the machine's load average and CPU busy % during its window. Writes
bench/results/camera_path.json; logs go to bench/results/camera_path/logs/. Python 3 standard
library only. Everything it starts is stopped by PID when it ends, on error, on Ctrl-C, or after
--max_total seconds.

  bench/camera_path.py --bin=build/bin --sim=build-bench/bin/camera_sim       # 1, 200, 1000
  bench/camera_path.py --bin=build/bin --sim=build-bench/bin/camera_sim --readers=1,20 --duration=5
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import benchproc

ROOT = Path(__file__).resolve().parent.parent
PROCS = benchproc.Processes("camera_path")
log = PROCS.log
start = PROCS.start
wait_line = PROCS.wait_line
PATHS = ("floor", "ours", "gst-rtsp-server")


def make_clip(args, path):
    """The camera's clip: 1080p30 libx264, CBR-like, GOP 30, no B-frames, SPS/PPS before each
    IDR. Mild temporal noise keeps the bitrate at the target the way a camera sensor does."""
    rate = args.bitrate
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            f"testsrc2=size={args.size}:rate={args.fps},noise=alls=8:allf=t",
            "-t", str(args.clip_seconds), "-c:v", "libx264", "-preset", "veryfast",
            "-pix_fmt", "yuv420p", "-b:v", rate, "-maxrate", rate, "-bufsize", rate,
            "-g", str(args.gop), "-keyint_min", str(args.gop), "-sc_threshold", "0", "-bf", "0",
            "-x264-params", "repeat-headers=1", "-f", "h264", str(path)]
    log(f"making the camera clip ({args.size} {args.fps} fps {rate} GOP {args.gop}, "
        f"{args.clip_seconds} s) with ffmpeg")
    t0 = time.monotonic()
    subprocess.run(argv, check=True, timeout=600)
    mbps = path.stat().st_size * 8 / 1e6 / args.clip_seconds
    log(f"clip ready in {time.monotonic() - t0:.0f} s: {mbps:.2f} Mb/s")
    return path


def read_cpu_times():
    """(busy, total) jiffies of all CPUs from /proc/stat (idle and iowait count as not busy)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def read_load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class MachineSampler:
    """The machine's state during one measurement window: mean 1-minute load average (sampled
    every second) and CPU busy % over all cores (100 = every core busy), from /proc."""

    def __init__(self, delay_s):
        self._stop = threading.Event()
        self._loads = []
        self._first = self._last = None
        self._thread = threading.Thread(target=self._run, args=(delay_s,), daemon=True)
        self._thread.start()

    def _run(self, delay_s):
        if self._stop.wait(delay_s):
            return
        self._first = read_cpu_times()
        while not self._stop.wait(1.0):
            self._loads.append(read_load1())
            self._last = read_cpu_times()

    def stop(self):
        self._stop.set()
        self._thread.join()
        if self._first is None or self._last is None or self._last[1] == self._first[1]:
            return {"load1": None, "busy_pct": None}
        busy = (self._last[0] - self._first[0]) / (self._last[1] - self._first[1]) * 100
        return {"load1": round(sum(self._loads) / len(self._loads), 2),
                "busy_pct": round(busy, 1)}


def bench_argv(args, server, n, label, json_path):
    url, pids, zmq = server
    ramp = max(2.0, n / 500.0)
    probe = [f"--origin_zmq={zmq}"] if zmq else []
    return ramp, [str(args.bin / "rtsp-bench"), f"--url={url}", f"--readers={n}",
                  f"--transport={args.transport}", f"--duration={args.duration}s",
                  f"--ramp={ramp}s", "--warmup=2s",
                  f"--server_pid={','.join(str(p) for p in pids)}", f"--json={json_path}",
                  f"--label={label}", f"--threads={args.bench_threads}", "--quiet"] + probe


def run_bench(args, server, n, label):
    """One rtsp-bench run; returns (its JSON or None, the machine during its window)."""
    json_path = args.out_dir / f"{label}.json"
    ramp, argv = bench_argv(args, server, n, label, json_path)
    log(f"{label}: {n} readers on {server[0]}")
    with open(args.logs / f"{label}.txt", "w") as out:
        proc = start(argv, f"rtsp-bench {label}", stdout=out, stderr=subprocess.STDOUT)
        sampler = MachineSampler(ramp + 2)
        PROCS.wait_done(proc, args.duration + ramp + 2 + 60, label)
        machine = sampler.stop()
    result = PROCS.read_result(json_path, label, proc.returncode)
    time.sleep(args.pause)
    return result, machine


def metrics(r, machine):
    if r is None:
        return None
    return {
        "playing": f"{r['readers_playing_at_end']}/{r['readers']}",
        **benchproc.pick(r, lat_p50="latency.p50_ms", lat_p99="latency.p99_ms"),
        "add_p50": None,
        **benchproc.pick(r, loss_pct="loss_percent", cpu="server_cpu_avg",
                         fps_reader="fps_per_reader", ttfk_p50="ttfk.p50_ms",
                         backlog_p99="client_backlog.p99_ms"),
        "load1": machine["load1"],
        "busy_pct": machine["busy_pct"],
    }


def collapsed(r, n):
    """Why the peer counts as collapsed at this reader count (None when it did not)."""
    if r is None:
        return "no result"
    if r["readers_playing_at_end"] < 0.9 * n:
        return f"{r['readers_playing_at_end']}/{n} readers playing"
    if r["loss_percent"] > 5:
        return f"{r['loss_percent']:.1f} % packets lost"
    if r["latency"]["count"] == 0 or r["latency"]["p50_ms"] > 1000:
        return "latency p50 above 1 s"
    return None


COLUMNS = [("playing", "playing", "{}"), ("lat_p50", "lat p50", "{:.2f}"),
           ("lat_p99", "lat p99", "{:.2f}"), ("add_p50", "add p50", "{:+.2f}"),
           ("loss_pct", "loss %", "{:.3f}"), ("cpu", "CPU %", "{:.0f}"),
           ("fps_reader", "fps/rdr", "{:.1f}"), ("backlog_p99", "bench lag", "{:.0f}"),
           ("load1", "load1", "{:.2f}"), ("busy_pct", "busy %", "{:.0f}")]
RATIO_KEYS = ("lat_p50", "lat_p99", "add_p50", "cpu")


def cell(value, fmt):
    return "-" if value is None else fmt.format(value)


def table_rows(n, row):
    lines = []
    for path in (p for p in PATHS if p in row):
        m = row[path]
        if m is None:
            lines.append(f"{n:>7} {path:<15} no result (logs/{path}-{n}.txt)")
            continue
        cells = " ".join(f"{cell(m[k], fmt):>9}" for k, _, fmt in COLUMNS)
        lines.append(f"{n:>7} {path:<15} {cells}")
    if row.get("peer_skipped"):
        lines.append(f"{n:>7} {'gst-rtsp-server':<15} skipped: {row['peer_skipped']}")
    ours, peer = row.get("ours"), row.get("gst-rtsp-server")
    if ours is not None and peer is not None:
        cells = " ".join(f"{benchproc.ratio(ours[k], peer[k]) if k in RATIO_KEYS else '':>9}"
                         for k, _, _ in COLUMNS)
        lines.append(f"{n:>7} {'ours/peer':<15} {cells}")
    return lines


def table(rows):
    head = f"{'readers':>7} {'path':<15} " + " ".join(f"{h:>9}" for _, h, _ in COLUMNS)
    lines = [head, "-" * len(head)]
    for n, row in rows:
        lines += table_rows(n, row)
    return "\n".join(lines)


def start_camera(args, clip, logs):
    publish = f"tcp://127.0.0.1:{benchproc.free_port()}"
    sim = start([str(args.sim), f"--clip={clip}", f"--publish={publish}",
                 f"--fps={args.fps}", "--stream=cam"], "camera_sim",
                stderr=open(logs / "camera_sim.log", "w"))
    zmq, mbps = wait_line(sim, r"camera_sim publishing \S+ on (\S+):.* ([\d.]+) Mb/s", 20)
    args.clip_mbps = float(mbps)
    edge = start([str(args.bin / "rtsp-edge"), f"--origin={zmq}", "--preload=cam",
                  "--catchup=none", "--rtsp=127.0.0.1:0"], "camera edge",
                 stderr=open(logs / "camera_edge.log", "w"))
    port = wait_line(edge, r"rtsp-edge listening on 127\.0\.0\.1:(\d+)", 20)
    return f"rtsp://127.0.0.1:{port}/cam", [edge.pid], None


def start_ours(args, camera_url, logs):
    # The origin binds --publish and the catch-up endpoint at port + 1 (the edge derives it).
    zmq = f"tcp://127.0.0.1:{benchproc.free_port()}"
    origin = start([str(args.bin / "rtsp-origin"), f"--source={camera_url}", "--stream=cam1",
                    f"--publish={zmq}"], "rtsp-origin", stdout=subprocess.DEVNULL,
                   stderr=open(logs / "origin.log", "w"))
    edge = start([str(args.bin / "rtsp-edge"), f"--origin={zmq}", "--preload=cam1",
                  "--rtsp=127.0.0.1:0"], "our edge", stderr=open(logs / "edge.log", "w"))
    port = wait_line(edge, r"rtsp-edge listening on 127\.0\.0\.1:(\d+)", 20)
    # rtsp-bench also subscribes to the origin: its publish time splits our path in two.
    return f"rtsp://127.0.0.1:{port}/cam1", [origin.pid, edge.pid], zmq


def start_peer(args, camera_url, logs):
    peer = start([args.peer_python, str(ROOT / "bench" / "peer" / "gst_rtsp_relay.py"),
                  f"--upstream={camera_url}", "--path=/cam1", f"--max_seconds={args.max_total}"],
                 "peer", stderr=open(logs / "peer.log", "w"))
    port = wait_line(peer, r"peer listening on 127\.0\.0\.1:(\d+)", 20)
    return f"rtsp://127.0.0.1:{port}/cam1", [peer.pid], None


def start_anchors(args, urls):
    """One long-lived reader per path keeps each relay subscribed (the peer's shared media
    prepared), so every run measures a warm path."""
    for name, url in urls.items():
        start([str(args.bin / "rtsp-bench"), f"--url={url}", "--readers=1", "--ramp=0s",
               "--warmup=0s", f"--duration={args.max_total}s", "--quiet"],
              f"anchor-{name}", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(args, servers, counts):
    """Every reader count on every path; the peer is skipped once it collapsed."""
    runs, rows, peer_down = {}, [], None
    for n in counts:
        row = {}
        for path in PATHS:
            if path == "gst-rtsp-server" and peer_down:
                row["peer_skipped"] = f"collapsed at {peer_down[0]} readers ({peer_down[1]})"
                continue
            r, machine = run_bench(args, servers[path], n, f"{path}-{n}")
            runs[f"{path}-{n}"] = {"result": r, "machine": machine}
            row[path] = metrics(r, machine)
            if path == "gst-rtsp-server" and (why := collapsed(r, n)):
                peer_down = (n, why)
        floor = row.get("floor")
        for path in PATHS:
            m = row.get(path)
            if m is not None and floor is not None:
                m["add_p50"] = round(m["lat_p50"] - floor["lat_p50"], 3)
        rows.append((n, row))
    return rows, runs


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", type=Path, default=ROOT / "build" / "bin",
                   help="folder with rtsp-origin, rtsp-edge, rtsp-bench")
    p.add_argument("--sim", type=Path, default=None,
                   help="camera_sim binary (default: camera_sim in --bin)")
    p.add_argument("--readers", default="1,200,1000", help="reader counts, comma-separated")
    p.add_argument("--duration", type=float, default=15, help="measurement window per run, s")
    p.add_argument("--transport", default="tcp", choices=["tcp", "udp"])
    p.add_argument("--bench_threads", type=int, default=1)
    p.add_argument("--size", default="1920x1080", help="camera clip picture size")
    p.add_argument("--fps", type=int, default=30, help="camera frame rate")
    p.add_argument("--bitrate", default="4200k", help="camera clip bitrate (ffmpeg syntax)")
    p.add_argument("--gop", type=int, default=30, help="camera keyframe interval, frames")
    p.add_argument("--clip_seconds", type=int, default=10, help="clip length (it loops)")
    p.add_argument("--clip", type=Path, default=None, help="use this Annex-B clip instead")
    p.add_argument("--settle", type=float, default=5, help="seconds after start before the runs")
    benchproc.peer_run_options(p, ROOT / "bench" / "results" / "camera_path.json")
    args = p.parse_args()
    args.sim = args.sim or args.bin / "camera_sim"
    benchproc.need_programs("camera_path", (args.bin / "rtsp-origin", args.bin / "rtsp-edge",
                                            args.bin / "rtsp-bench", args.sim),
                            "rtsp-bench rtsp-edge rtsp-origin camera_sim")
    if args.clip is None and shutil.which("ffmpeg") is None:
        sys.exit("camera_path: ffmpeg is needed to make the camera clip (or pass --clip)")
    return args


def ours_split(runs, counts):
    """Our path in two halves, from rtsp-bench's probe on the origin's ZeroMQ stream."""
    lines = []
    for n in counts:
        r = (runs.get(f"ours-{n}") or {}).get("result")
        if not r or not r["origin_latency"]["count"] or not r["added_latency"]["count"]:
            continue
        a, b = r["origin_latency"], r["added_latency"]
        lines.append(f"ours at {n} readers: camera send -> origin publish p50 {a['p50_ms']:.2f} / "
                     f"p99 {a['p99_ms']:.2f} ms (camera edge + our RTSP pull + origin); origin "
                     f"publish -> reader receive p50 {b['p50_ms']:.2f} / p99 {b['p99_ms']:.2f} ms "
                     "(ZeroMQ hop + our edge)")
    return lines


def machine_name():
    return f"{os.cpu_count()} cores, " + next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
        "?")


def report(args, counts, rows, runs):
    machine = machine_name()
    print(f"machine: {machine}; camera_sim + camera edge, rtsp-origin + our edge, gst-rtsp-server "
          "and rtsp-bench all share these cores")
    print(f"camera: {args.size} {args.fps} fps H.264 GOP {args.gop}, clip "
          f"{args.clip_mbps:.2f} Mb/s, SEI stamped at each send; {args.transport.upper()} "
          f"readers, window {args.duration:.0f} s per run; latency = camera send -> reader kernel "
          "receive, ms; add p50 = p50 - the floor's p50 at the same reader count; CPU % = the "
          "path's server processes (ours: origin + edge), of one core; fps/rdr = complete frames "
          "per reader per second; bench lag = p99 of rtsp-bench's own unread backlog, ms of "
          "stream; load1 / busy % = the machine during that window (busy: all cores, 100 = every "
          "core busy)")
    print(table(rows))
    for line in ours_split(runs, counts):
        print(line)
    args.out.write_text(json.dumps({
        "machine": machine,
        "settings": {"camera": f"{args.size} {args.fps} fps {args.bitrate} GOP {args.gop}",
                     "clip_mbps": args.clip_mbps, "transport": args.transport,
                     "duration_s": args.duration, "readers": counts},
        "table": [{"readers": n, **row} for n, row in rows],
        "runs": runs,
    }, indent=2) + "\n")
    print(f"results written to {args.out}")


def main():
    args = parse_args()
    PROCS.stop_on_signals()
    signal.alarm(args.max_total)
    counts = [int(x) for x in args.readers.split(",") if x]
    args.out_dir = args.out.parent / "camera_path"
    args.logs = args.out_dir / "logs"
    args.logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="camera_path.") as tmp:
        try:
            clip = args.clip or make_clip(args, Path(tmp) / "camera.h264")
            camera = start_camera(args, clip, args.logs)
            camera_url = camera[0]
            servers = {"floor": camera,
                       "ours": start_ours(args, camera_url, args.logs),
                       "gst-rtsp-server": start_peer(args, camera_url, args.logs)}
            log(", ".join(f"{k} {v[0]} (pids {v[1]})" for k, v in servers.items()))
            start_anchors(args, {k: v[0] for k, v in servers.items()})
            time.sleep(args.settle)
            rows, runs = measure(args, servers, counts)
        finally:
            PROCS.stop_all()
    report(args, counts, rows, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
