#!/usr/bin/env python3
"""Scrape latency of an --http endpoint while idle and half-sent connections sit on its port
(issue 14's target: 50 idle connections, p99 < 50 ms). Ours: rtsp-coordinator's /metrics (every
program shares cluster::HttpServer). Peer, same run, same load: Python's ThreadingHTTPServer
serving the same bytes (a thread per connection, no idle timeout). Floor: 0 idle connections.

  python3 bench/http_scrape.py --bin=build/bin [--scrapes=300] [--json=bench/results/http_scrape.json]

Prints a table with the machine's load average and writes JSON."""
import argparse
import http.client
import http.server
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchproc  # noqa: E402


def scrape_ms(port, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/metrics")
        r = c.getresponse()
        r.read()
        c.close()
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return out


def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def open_idle(port, idle, half):
    socks = []
    for i in range(idle + half):
        s = socket.create_connection(("127.0.0.1", port))
        if i >= idle:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # never finished
        socks.append(s)
    return socks


def peer_server(body):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--scrapes", type=int, default=300)
    ap.add_argument("--json", default="bench/results/http_scrape.json")
    args = ap.parse_args()
    procs = benchproc.Processes("http_scrape")
    procs.stop_on_signals()
    try:
        grpc, http_port = benchproc.free_port(), benchproc.free_port()
        procs.start([f"{args.bin}/rtsp-coordinator", f"--listen=127.0.0.1:{grpc}",
                     f"--http=127.0.0.1:{http_port}"], "coordinator")
        deadline = time.monotonic() + 10
        while True:
            try:
                body = http.client.HTTPConnection("127.0.0.1", http_port, timeout=1)
                body.request("GET", "/metrics")
                payload = body.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        peer = peer_server(payload)
        rows = []
        for idle, half in ((0, 0), (3, 0), (50, 0), (40, 10), (200, 0)):
            for name, port in (("ours", http_port), ("peer", peer.server_address[1])):
                socks = open_idle(port, idle, half)
                v = scrape_ms(port, args.scrapes)
                for s in socks:
                    s.close()
                rows.append({"server": name, "idle": idle, "half_sent": half,
                             "p50_ms": round(pct(v, 50), 3), "p99_ms": round(pct(v, 99), 3),
                             "max_ms": round(v[-1], 3), "load1": round(os.getloadavg()[0], 2)})
                time.sleep(0.2)
        peer.shutdown()
    finally:
        procs.stop_all()
    print(f"{'server':6} {'idle':>5} {'half':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'load1':>6}")
    for r in rows:
        print(f"{r['server']:6} {r['idle']:5} {r['half_sent']:5} {r['p50_ms']:8.2f} "
              f"{r['p99_ms']:8.2f} {r['max_ms']:8.2f} {r['load1']:6.2f}")
    result = {"bench": "http_scrape", "scrapes": args.scrapes, "machine": os.uname().nodename,
              "cpus": os.cpu_count(), "rows": rows,
              "target": "50 idle connections: p99 < 50 ms"}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
    print(f"wrote {args.json}")
    ours50 = next(r for r in rows if r["server"] == "ours" and r["idle"] == 50)
    return 0 if ours50["p99_ms"] < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
