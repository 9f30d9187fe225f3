#!/usr/bin/env python3
"""Our edge against a peer relay (Debian's gst-rtsp-server), same origin stream, one run.

Starts rtsp-origin (1080p30, 4 Mb/s, GOP 30), rtsp-edge, and the peer (bench/peer/
gst_rtsp_relay.py relaying the edge's stream through rtspsrc); then runs rtsp-bench against
both at each reader count, a slow-reader check, prints a side-by-side table with the ratio
ours/peer, and writes bench/results/edge_vs_peer.json (plus one JSON per run under
bench/results/edge_vs_peer/). Python 3 standard library only. Everything it starts is stopped
by PID when it ends, on error, on Ctrl-C, or after --max_total seconds.

  bench/edge_vs_peer.py                       # 50, 200, 500 readers; our edge also up to --max
  bench/edge_vs_peer.py --max=3000 --duration=20
  bench/edge_vs_peer.py --readers=50 --max=50 --duration=5   # quick check
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import benchproc

ROOT = Path(__file__).resolve().parent.parent
PROCS = benchproc.Processes("edge_vs_peer")
log = PROCS.log
start = PROCS.start
wait_line = PROCS.wait_line


def run_bench(args, url, pid, n, label, out_dir, zmq, slow=0):
    ramp = max(2.0, n / 500.0)
    json_path = out_dir / f"{label}.json"
    argv = [str(args.bin / "rtsp-bench"), f"--url={url}", f"--readers={n}",
            f"--transport={args.transport}", f"--duration={args.duration}s", f"--ramp={ramp}s",
            "--warmup=2s", f"--server_pid={pid}", f"--json={json_path}", f"--label={label}",
            f"--origin_zmq={zmq}", f"--threads={args.bench_threads}", "--quiet"]
    if slow:
        argv += [f"--slow_readers={slow}", f"--slow_rate={args.slow_rate}"]
    log(f"{label}: {n} readers" + (f" ({slow} throttled to {args.slow_rate} B/s)" if slow else ""))
    timeout = args.duration + ramp + 2 + 60
    proc = start(argv, f"rtsp-bench {label}", stdout=None)
    PROCS.wait_done(proc, timeout, label)
    result = PROCS.read_result(json_path, label, proc.returncode)
    time.sleep(args.pause)
    return result


def metrics(r):
    if r is None:
        return None
    return {
        "playing": f"{r['readers_playing_at_end']}/{r['readers']}",
        **benchproc.pick(r, mbps_reader="mbps_per_reader", loss_pct="loss_percent",
                         lat_p50="latency.p50_ms", lat_p99="latency.p99_ms",
                         add_p50="added_latency.p50_ms", add_p99="added_latency.p99_ms",
                         ttfk_p50="ttfk.p50_ms", cpu="server_cpu_avg",
                         rss_kib_reader="server_rss_per_reader_kib", bench_cpu="bench_cpu_avg",
                         backlog_p99="client_backlog.p99_ms"),
    }


COLUMNS = [("playing", "playing", "{}"), ("mbps_reader", "Mb/s/rdr", "{:.2f}"),
           ("loss_pct", "loss %", "{:.3f}"), ("lat_p50", "lat p50", "{:.1f}"),
           ("lat_p99", "lat p99", "{:.1f}"), ("add_p50", "add p50", "{:.2f}"),
           ("add_p99", "add p99", "{:.2f}"), ("ttfk_p50", "TTFK p50", "{:.1f}"),
           ("cpu", "CPU %", "{:.0f}"), ("rss_kib_reader", "KiB/rdr", "{:.1f}"),
           ("bench_cpu", "bench CPU", "{:.0f}"), ("backlog_p99", "bench lag", "{:.0f}")]
RATIO_KEYS = {"loss_pct", "lat_p50", "lat_p99", "add_p50", "add_p99", "ttfk_p50", "cpu",
              "rss_kib_reader"}


def table(rows):
    head = f"{'readers':>7} {'server':<6} " + " ".join(f"{h:>9}" for _, h, _ in COLUMNS)
    lines = [head, "-" * len(head)]
    for n, ours, peer in rows:
        for name, m in (("edge", ours), ("peer", peer)):
            if m is None:
                continue
            cells = " ".join(f"{fmt.format(m[k]):>9}" for k, _, fmt in COLUMNS)
            lines.append(f"{n:>7} {name:<6} {cells}")
        if ours is not None and peer is not None:
            cells = " ".join(f"{benchproc.ratio(ours[k], peer[k]) if k in RATIO_KEYS else '':>9}"
                             for k, _, _ in COLUMNS)
            lines.append(f"{n:>7} {'ratio':<6} {cells}")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", type=Path, default=ROOT / "build-bench" / "bin",
                   help="folder with rtsp-origin, rtsp-edge, rtsp-bench")
    p.add_argument("--readers", default="50,200,500", help="reader counts run on both servers")
    p.add_argument("--max", type=int, default=500,
                   help="also run our edge alone at 1000 and 3000 readers when <= this")
    p.add_argument("--duration", type=float, default=15, help="measurement window per run, s")
    p.add_argument("--transport", default="tcp", choices=["tcp", "udp"])
    p.add_argument("--bench_threads", type=int, default=1)
    p.add_argument("--slow_rate", type=int, default=100000, help="slow reader, bytes/s")
    p.add_argument("--slow_readers_total", type=int, default=50,
                   help="readers in the slow-reader check (one of them throttled); 0 = skip")
    benchproc.peer_run_options(p, ROOT / "bench" / "results" / "edge_vs_peer.json")
    args = p.parse_args()
    benchproc.need_programs("edge_vs_peer", [args.bin / prog for prog in
                                             ("rtsp-origin", "rtsp-edge", "rtsp-bench")],
                            "rtsp-bench rtsp-edge rtsp-origin")
    PROCS.stop_on_signals()
    signal.alarm(args.max_total)
    counts = [int(x) for x in args.readers.split(",") if x]
    edge_only = [n for n in (1000, 3000) if n <= args.max and n not in counts]
    out_dir = args.out.parent / "edge_vs_peer"
    out_dir.mkdir(parents=True, exist_ok=True)
    logs = out_dir / "logs"
    logs.mkdir(exist_ok=True)

    try:
        zport = benchproc.free_port()
        zmq = f"tcp://127.0.0.1:{zport}"
        start([str(args.bin / "rtsp-origin"), "--source=test://pattern", "--stream=cam1",
               f"--publish={zmq}", "--size=1920x1080", "--fps=30", "--bitrate=4M", "--gop=30"],
              "rtsp-origin", stdout=subprocess.DEVNULL, stderr=open(logs / "origin.log", "w"))
        edge = start([str(args.bin / "rtsp-edge"), f"--origin={zmq}", "--rtsp=127.0.0.1:0"],
                     "rtsp-edge", stderr=open(logs / "edge.log", "w"))
        edge_port = wait_line(edge, r"rtsp-edge listening on 127\.0\.0\.1:(\d+)", 20)
        edge_url = f"rtsp://127.0.0.1:{edge_port}/cam1"
        peer = start([args.peer_python, str(ROOT / "bench" / "peer" / "gst_rtsp_relay.py"),
                      f"--upstream={edge_url}", f"--max_seconds={args.max_total}"],
                     "peer", stderr=open(logs / "peer.log", "w"))
        peer_port = wait_line(peer, r"peer listening on 127\.0\.0\.1:(\d+)", 20)
        peer_url = f"rtsp://127.0.0.1:{peer_port}/cam1"
        log(f"origin {zmq}, edge {edge_url} (pid {edge.pid}), peer {peer_url} (pid {peer.pid})")
        # One long-lived reader per server keeps the stream subscribed (and the peer's shared
        # media prepared), so "RSS at 0 readers" includes the pipeline and each run's RSS
        # growth is the readers' own.
        for name, url in (("edge", edge_url), ("peer", peer_url)):
            start([str(args.bin / "rtsp-bench"), f"--url={url}", "--readers=1", "--ramp=0s",
                   "--warmup=0s", f"--duration={args.max_total}s", "--quiet"],
                  f"anchor-{name}", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(4)

        runs = {}
        rows = []
        for n in counts:
            ours = run_bench(args, edge_url, edge.pid, n, f"edge-{n}", out_dir, zmq)
            theirs = run_bench(args, peer_url, peer.pid, n, f"peer-{n}", out_dir, zmq)
            runs[f"edge-{n}"], runs[f"peer-{n}"] = ours, theirs
            rows.append((n, metrics(ours), metrics(theirs)))
        for n in edge_only:
            ours = run_bench(args, edge_url, edge.pid, n, f"edge-{n}", out_dir, zmq)
            runs[f"edge-{n}"] = ours
            rows.append((n, metrics(ours), None))
        slow = {}
        if args.slow_readers_total > 1:
            for name, url, pid in (("edge", edge_url, edge.pid), ("peer", peer_url, peer.pid)):
                r = run_bench(args, url, pid, args.slow_readers_total, f"{name}-slow", out_dir,
                              zmq, slow=1)
                runs[f"{name}-slow"] = r
                if r is not None:
                    slow[name] = benchproc.pick(
                        r, others_lost="lost", others_loss_percent="loss_percent",
                        others_frames_incomplete="frames_incomplete",
                        others_added_p99_ms="added_latency.p99_ms",
                        others_latency_p99_ms="latency.p99_ms",
                        others_max_gap_p99_ms="max_gap.p99_ms",
                        slow_read_bytes_per_s="slow_read_bytes_per_s",
                        slow_frames_complete="slow_frames_complete",
                        slow_frames_incomplete="slow_frames_incomplete", slow_lost="slow_lost",
                        slow_disconnected="slow_disconnected", slow_failure="slow_failure")
    finally:
        PROCS.stop_all()

    machine = f"{os.cpu_count()} cores, " + next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
        "?")
    text = table(rows)
    print(f"machine: {machine}; load generator (rtsp-bench), origin (x264 encode), edge and peer "
          "share these cores")
    print(f"stream: 1080p30 H.264 GOP 30, {args.transport.upper()} readers, window "
          f"{args.duration:.0f} s per run; latency in ms; 'add' = origin publish -> reader "
          "receive; KiB/rdr = (RSS at N - RSS before the run) / N; bench lag = p99 over readers of "
          "the most unread data in rtsp-bench's own socket, in ms of stream (large: the load "
          "generator, not the server, was behind); ratio = edge / peer")
    print(text)
    for name, s in slow.items():
        print(f"slow reader ({name}, 1 of {args.slow_readers_total} at {args.slow_rate} B/s): "
              f"others lost {s['others_lost']} packets ({s['others_loss_percent']:.4f}%), "
              f"incomplete frames {s['others_frames_incomplete']}, others' added p99 "
              f"{s['others_added_p99_ms']:.2f} ms; slow reader read "
              f"{s['slow_read_bytes_per_s']:.0f} B/s, frames {s['slow_frames_complete']} complete / "
              f"{s['slow_frames_incomplete']} incomplete, lost {s['slow_lost']}, "
              f"{s['slow_failure'] or 'connected to the end'}")
    args.out.write_text(json.dumps({
        "machine": machine,
        "settings": {"stream": "test://pattern 1920x1080 30 fps 4M GOP 30",
                     "transport": args.transport, "duration_s": args.duration,
                     "readers": counts, "edge_only": edge_only, "slow_rate": args.slow_rate},
        "table": [{"readers": n, "edge": o, "peer": t} for n, o, t in rows],
        "slow_reader": slow,
        "runs": runs,
    }, indent=2) + "\n")
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
