#!/usr/bin/env python3
"""A stand-in for the coordinator's dashboard endpoints, for working on the page without a cluster.

Serves coordinator/dashboard/index.html at `/` and a synthetic `/api/stream` of Server-Sent Events
shaped like the real one: `event: view` (a ClusterView in proto3 JSON: enum names, 64-bit integers
as strings, every field printed) at once and every 500 ms, and `event: timeline` (the last 100
events replayed on connect, then live ones). The cluster: one origin publishing one stream, two
edges (edge-a, edge-b), numbers that change every view; the first edge stays `warming` for
--warm_s seconds.

Control (GET, answered "ok"), for tests and for trying the page by hand:
  /control/kill?edge=NAME     the edge leaves the view (node-left)
  /control/drain?edge=NAME    the edge reports draining (node-draining)
  /control/add?edge=NAME      a new edge joins (node-joined)
  /control/origin?up=0|1      the origin leaves (stream goes origin-silent) or comes back
  /control/disconnect         closes every open /api/stream connection (the page reconnects)
  /control/status?code=N      /api/stream answers N (200 = normal) from now on

  mock_sse_server.py [--port=0] [--page=PATH] [--warm_s=3]

Prints "READY http://127.0.0.1:PORT/" on stdout once listening; stops on SIGTERM or SIGINT.
"""
import argparse
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PAGE = os.path.join(HERE, "..", "..", "coordinator", "dashboard", "index.html")
STREAM = "cam1"
VIEW_INTERVAL_S = 0.5


def now_ms():
    return int(time.time() * 1000)


class Cluster:
    """The synthetic cluster; every method runs under `lock`."""

    def __init__(self, warm_s):
        self.lock = threading.Condition()
        self.started = time.time()
        self.epoch = str(int(self.started * 1e6))
        self.warm_s = warm_s
        self.origin_up = True
        self.edges = {}  # name -> {"joined": s, "draining": bool, "port": int}
        self.removed = 0
        self.assigned_ok = 0
        self.events = []  # timeline, oldest first, at most 100
        self.generation = 0  # bumped by /control/disconnect
        self.status_code = 200
        self.stream_since = now_ms()
        with self.lock:
            self.event("node-joined", "origin-1", "origin tcp://127.0.0.1:5556")
            self.event("stream-up", STREAM, "origin-1 publishes it")
            for name in ("edge-a", "edge-b"):
                self.add_edge(name)

    def event(self, kind, subject, detail=""):
        self.events.append({"unix_ms": now_ms(), "kind": kind, "subject": subject, "detail": detail})
        del self.events[:-100]
        self.lock.notify_all()

    def add_edge(self, name):
        if name in self.edges:
            return
        self.edges[name] = {"joined": time.time(), "draining": False, "port": 8554 + len(self.edges)}
        self.event("node-joined", name, "edge rtsp://127.0.0.1:%d" % self.edges[name]["port"])

    def kill_edge(self, name):
        if self.edges.pop(name, None) is not None:
            self.removed += 1
            self.event("node-left", name, "connection to the coordinator lost")

    def drain_edge(self, name):
        e = self.edges.get(name)
        if e and not e["draining"]:
            e["draining"] = True
            self.event("node-draining", name, "SIGTERM: draining")

    def set_origin(self, up):
        if up == self.origin_up:
            return
        self.origin_up = up
        self.stream_since = now_ms()
        if up:
            self.event("node-joined", "origin-1", "origin tcp://127.0.0.1:5556")
            self.event("stream-up", STREAM, "origin-1 publishes it")
        else:
            self.removed += 1
            self.event("node-left", "origin-1", "connection to the coordinator lost")
            self.event("stream-down", STREAM, "no origin reports the stream any more")

    def status(self, health, reason=""):
        return {"health": health, "since_unix_ms": str(self.stream_since), "reason": reason}

    def view(self):
        t = time.time()
        wave = 0.5 + 0.5 * random.random()
        self.assigned_ok += random.randint(0, 3)
        health = "STREAM_HEALTH_LIVE" if self.origin_up else "STREAM_HEALTH_ORIGIN_SILENT"
        reason = "" if self.origin_up else "no origin reports the stream any more"
        nodes, per_edge, stream_readers, stream_mbps = [], [], 0, 0.0
        for i, (name, e) in enumerate(sorted(self.edges.items())):
            readers = 0 if not self.origin_up else 40 + 25 * i + int(10 * wave)
            mbps = readers * 0.31
            stream_readers += readers
            stream_mbps += mbps
            per_edge.append({"edge": name, "readers": readers, "status": self.status(health, reason)})
            age = int(1000 * (t - e["joined"]))
            nodes.append({
                "identity": {"name": name, "role": "ROLE_EDGE",
                             "advertised_url": "rtsp://127.0.0.1:%d" % e["port"],
                             "capacity_readers": 200, "capacity_mbps": 100 if i == 0 else 0,
                             "zone": "", "labels": {}},
                "state": "NODE_STATE_DRAINING" if e["draining"] else "NODE_STATE_READY",
                "last_report": {
                    "sequence": str(age // 500),
                    "streams": [{"stream": STREAM, "readers": readers, "mbps_out": mbps,
                                 "frames_dropped": "0", "frames_skipped": "0",
                                 "status": self.status(health, reason)}],
                    "readers": readers, "mbps_out": mbps, "cpu": 0.1 + 0.3 * wave,
                    "memory_bytes": str(48 << 20), "health": "HEALTH_OK", "draining": e["draining"],
                    "uptime_ms": str(age), "origin_streams": [], "frames_dropped": "0",
                    "frames_skipped": "0", "coordinator_replicas": 1},
                "report_age_ms": str(random.randint(0, 499)), "pending": 0,
                "load": readers / 200.0, "registered_ms": str(age),
                "assigned_total": str(self.assigned_ok // max(1, len(self.edges))),
                "warming": (t - e["joined"]) < self.warm_s and not e["draining"],
            })
        if self.origin_up:
            up = int(1000 * (t - self.started))
            nodes.append({
                "identity": {"name": "origin-1", "role": "ROLE_ORIGIN",
                             "advertised_url": "tcp://127.0.0.1:5556", "capacity_readers": 0,
                             "capacity_mbps": 0, "zone": "", "labels": {}},
                "state": "NODE_STATE_READY",
                "last_report": {
                    "sequence": str(up // 500), "streams": [], "readers": 0, "mbps_out": 0,
                    "cpu": 0.2 * wave, "memory_bytes": "0", "health": "HEALTH_OK", "draining": False,
                    "uptime_ms": str(up),
                    "origin_streams": [{
                        "format_version": 1, "stream": STREAM, "origin_epoch": "17515549650578525950",
                        "state": "STREAM_STATE_LIVE",
                        "tracks": [{"track": 0, "codec": "CODEC_H264", "clock_rate": 90000,
                                    "sps": "", "pps": "", "vps": "", "width": 320, "height": 180,
                                    "fps": 15, "bitrate_bps": "300000", "gop_frames": 15,
                                    "channels": 0, "audio_config": ""}],
                        "last_sequence": str(up // 66), "source_kind": "test", "format_minor": 3,
                        "state_since_us": str(self.stream_since * 1000), "state_reason": "",
                        "origin_priority": 0}],
                    "frames_dropped": "0", "frames_skipped": "0", "coordinator_replicas": 1},
                "report_age_ms": str(random.randint(0, 499)), "pending": 0, "load": 0,
                "registered_ms": str(up), "assigned_total": "0", "warming": False,
            })
        return {
            "nodes": nodes,
            "streams": [{
                "stream": STREAM, "readers": stream_readers, "mbps_out": stream_mbps,
                "frames_dropped": "0", "edges": sorted(self.edges),
                "origin": "origin-1" if self.origin_up else "",
                "status": self.status(health, reason), "per_edge": per_edge,
                "origins": ["origin-1"] if self.origin_up else []}],
            "generated_unix_ms": str(now_ms()),
            "coordinator_epoch": self.epoch,
            "assignments": {"ok": str(self.assigned_ok), "not_found": "0", "unavailable": "0",
                            "exhausted": "0", "invalid": "0"},
            "removed_nodes": str(self.removed),
        }


def make_handler(cluster, page_path):
    class Handler(BaseHTTPRequestHandler):
        server_version = "mock-coordinator"

        def log_message(self, fmt, *args):  # quiet: tests read stdout for READY only
            pass

        def reply(self, code, ctype, body):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(u.query))
            if u.path == "/":
                with open(page_path, "rb") as f:
                    self.reply(200, "text/html; charset=utf-8", f.read())
            elif u.path == "/api/stream":
                self.stream()
            elif u.path.startswith("/control/"):
                self.control(u.path[len("/control/"):], q)
            else:
                self.reply(404, "text/plain", b"not found\n")

        def control(self, what, q):
            with cluster.lock:
                if what == "kill":
                    cluster.kill_edge(q.get("edge", ""))
                elif what == "drain":
                    cluster.drain_edge(q.get("edge", ""))
                elif what == "add":
                    cluster.add_edge(q.get("edge", ""))
                elif what == "origin":
                    cluster.set_origin(q.get("up", "1") == "1")
                elif what == "disconnect":
                    cluster.generation += 1
                elif what == "status":
                    cluster.status_code = int(q.get("code", "200"))
                else:
                    self.reply(404, "text/plain", b"unknown control\n")
                    return
                cluster.lock.notify_all()
            self.reply(200, "text/plain", b"ok\n")

        def send_event(self, kind, obj):
            self.wfile.write(("event: %s\ndata: %s\n\n" % (kind, json.dumps(obj))).encode())
            self.wfile.flush()

        def stream(self):
            with cluster.lock:
                code, generation = cluster.status_code, cluster.generation
                replay = list(cluster.events)
                sent = replay[-1] if replay else None
                view = cluster.view()
            if code != 200:
                self.reply(code, "text/plain", b"unavailable\n")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            try:
                self.send_event("view", view)
                for ev in replay:
                    self.send_event("timeline", ev)
                next_view = time.time() + VIEW_INTERVAL_S
                while not self.server.stopping:
                    with cluster.lock:
                        cluster.lock.wait(max(0.0, next_view - time.time()))
                        if cluster.generation != generation:
                            return
                        fresh = []
                        for ev in reversed(cluster.events):
                            if ev is sent:
                                break
                            fresh.append(ev)
                        if cluster.events:
                            sent = cluster.events[-1]
                        view = cluster.view() if (fresh or time.time() >= next_view) else None
                    for ev in reversed(fresh):
                        self.send_event("timeline", ev)
                    if view is not None:
                        self.send_event("view", view)
                        next_view = time.time() + VIEW_INTERVAL_S
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--page", default=DEFAULT_PAGE)
    ap.add_argument("--warm_s", type=float, default=3.0)
    args = ap.parse_args()
    cluster = Cluster(args.warm_s)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(cluster, args.page))
    server.daemon_threads = True
    server.stopping = False

    def stop(_sig, _frame):
        server.stopping = True
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("READY http://127.0.0.1:%d/" % server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
