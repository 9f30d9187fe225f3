#!/usr/bin/env python3
"""The coordinator's live dashboard (GET / of --http) in headless Chromium, against a real cluster.

Starts a coordinator with --http, an origin (built-in test pattern, small and slow to spare a
2-core machine), three edges and one plain RTSP reader per edge, all on 127.0.0.1 with free
ports; opens the dashboard over the DevTools pipe (tests/support/cdp.py) and checks:

  - the view stream's contract: a view at once on connect, then at least two a second;
  - every edge has a card in state ready or warming, the stream's row says live;
  - the page weighs < 200 KiB, requests nothing from any other host, throws no exception, and
    fits a 390 px wide phone screen without sideways scrolling;
  - SIGKILL of an edge: its card is gone within 2 s;
  - SIGTERM of an edge (long drain grace, a reader keeps it up): its card says draining within 2 s;
  - SIGKILL of the origin: the stream's row leaves live (origin-silent or source-down) and a
    stream-down or node-left entry for it shows in the timeline.

Screenshots (normal.png, phone.png, edge-killed.png, edge-draining.png, stream-down.png), the
result table (results.txt) and the nodes' logs land in --artifacts.

  dashboard_test.py --bin=build/bin --artifacts=build/test-artifacts/dashboard
  dashboard_test.py --mock --artifacts=/tmp/dash    # the same checks against mock_sse_server.py

Exit status: 0 passed, 1 failed, 77 skipped (prints "SKIPPED: reason") without Chromium.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import cdp  # noqa: E402  (tests/support)
import procs  # noqa: E402  (tests/support)

SKIP = 77
STREAM = "cam1"
ORIGIN = "origin-1"
EDGES = ("edge-1", "edge-2", "edge-3")
SOURCE = "test://pattern?size=320x180&fps=10&bitrate=200k&gop=10"
PAGE_LIMIT = 200 * 1024
GONE_BOUND_S = 2.0
DRAIN_BOUND_S = 2.0
STREAM_DOWN_BOUND_S = 10.0
ALLOWED_SCHEMES = ("data:", "about:", "blob:")


class Failed(Exception):
    pass


class Results:
    def __init__(self):
        self.rows = []  # (assertion, measured, bound, ok)

    def add(self, assertion, measured, bound, ok):
        self.rows.append((assertion, measured, bound, ok))
        print(f"  [{'ok' if ok else 'FAIL'}] {assertion}: {measured} (bound {bound})", flush=True)
        return ok

    def check(self, assertion, measured, bound, ok):
        if not self.add(assertion, measured, bound, ok):
            raise Failed(f"{assertion}: {measured} (bound {bound})")

    def table(self):
        rows = [("assertion", "measured", "bound", "result")]
        rows += [(a, str(v), str(b), "ok" if ok else "FAIL") for a, v, b, ok in self.rows]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
        return "\n".join([fmt(rows[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows[1:]])


_handed_out = set()


def free_ports(count):
    """`count` consecutive free TCP ports on 127.0.0.1 (the origin needs publish and publish+1),
    none handed out before in this run."""
    for _ in range(50):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        base = s.getsockname()[1]
        held, ok = [s], True
        for i in range(1, count):
            t = socket.socket()
            try:
                t.bind(("127.0.0.1", base + i))
                held.append(t)
            except OSError:
                ok = False
                t.close()
                break
        for h in held:
            h.close()
        span = set(range(base, base + count))
        if ok and base + count <= 65535 and not span & _handed_out:
            _handed_out.update(span)
            return base
    raise Failed("no free ports on 127.0.0.1")


def http_get(host, port, path, timeout=2):
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.getheader("Content-Type", ""), r.read()
    finally:
        c.close()


class _Dechunker:
    """Incremental HTTP/1.1 chunked transfer decoding (a server may chunk an event stream)."""

    def __init__(self):
        self.buf, self.left, self.done = b"", 0, False

    def feed(self, data):
        self.buf += data
        out = b""
        while not self.done:
            if self.left > 0:
                take = self.buf[:self.left]
                out += take
                self.buf, self.left = self.buf[len(take):], self.left - len(take)
                if self.left > 0:
                    break
                self.left = -2  # the CRLF after the chunk
            if self.left == -2:
                if len(self.buf) < 2:
                    break
                self.buf, self.left = self.buf[2:], 0
            nl = self.buf.find(b"\r\n")
            if nl < 0:
                break
            size = int(self.buf[:nl].split(b";")[0] or b"0", 16)
            self.buf = self.buf[nl + 2:]
            if size == 0:
                self.done = True
            self.left = size
        return out


def read_events(host, port, seconds):
    """[(arrival_s since the request, event, data)] of GET /api/stream during `seconds`."""
    out = []
    start = time.monotonic()
    with socket.create_connection((host, port), timeout=2) as s:
        s.sendall(f"GET /api/stream HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                  "Connection: close\r\n\r\n".encode())
        s.settimeout(0.1)
        raw, head, body, dechunk = b"", None, b"", None
        event, data = "message", []
        while time.monotonic() - start < seconds:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                break
            if head is None:
                raw += chunk
                if b"\r\n\r\n" not in raw:
                    continue
                head, chunk = raw.split(b"\r\n\r\n", 1)
                lines = head.decode(errors="replace").split("\r\n")
                status = lines[0].split()[1] if len(lines[0].split()) > 1 else "?"
                headers = {k.strip().lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:])}
                if status != "200" or "text/event-stream" not in headers.get("content-type", ""):
                    raise Failed(f"/api/stream answered {status} {headers.get('content-type')!r}, "
                                 "want 200 text/event-stream")
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    dechunk = _Dechunker()
            body += dechunk.feed(chunk) if dechunk else chunk
            while b"\n" in body:
                line, body = body.split(b"\n", 1)
                line = line.decode("utf-8", "replace").rstrip("\r")
                if line == "":
                    if data:
                        out.append((time.monotonic() - start, event, "\n".join(data)))
                    event, data = "message", []
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    value = line[5:]
                    data.append(value[1:] if value.startswith(" ") else value)
    return out


# -- the clusters under test ------------------------------------------------------------------
class RealCluster:
    """Coordinator, origin, edges and readers as child processes; stopped by PID in stop()."""

    def __init__(self, bin_dir, log_dir):
        self.bin = os.path.abspath(bin_dir)
        self.logs = log_dir
        self.procs = {}  # name -> Popen
        self.edges = list(EDGES)
        self.stream, self.origin = STREAM, ORIGIN
        self.host = "127.0.0.1"

    def program(self, name):
        path = os.path.join(self.bin, name)
        if not os.access(path, os.X_OK):
            raise Failed(f"{path} is missing: build first")
        return path

    def spawn(self, name, argv):
        log = open(os.path.join(self.logs, f"{name}.log"), "wb")
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        finally:
            log.close()
        self.procs[name] = p
        return p

    def log_tail(self, name, n=15):
        try:
            with open(os.path.join(self.logs, f"{name}.log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def check_alive(self, *names):
        for name in names or list(self.procs):
            p = self.procs.get(name)
            if p and p.poll() is not None and not name.startswith("reader"):
                raise Failed(f"{name} exited with {p.returncode}:\n{self.log_tail(name)}")

    def start(self):
        coordinator, self.http_port = free_ports(1), free_ports(1)
        self.grpc = f"127.0.0.1:{coordinator}"
        self.spawn("coordinator", [self.program("rtsp-coordinator"), f"--listen={self.grpc}",
                                   f"--http=127.0.0.1:{self.http_port}", "--warmup=4s"])
        deadline = time.monotonic() + 10
        while True:
            self.check_alive("coordinator")
            try:
                if http_get(self.host, self.http_port, "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise Failed(f"the coordinator's HTTP port did not answer:\n{self.log_tail('coordinator')}")
            time.sleep(0.1)
        status, ctype, _ = http_get(self.host, self.http_port, "/")
        if status != 200 or "text/html" not in ctype:
            raise Failed(f"GET / answered {status} {ctype!r}: this coordinator does not serve the "
                         "dashboard yet")
        publish = free_ports(2)
        self.spawn("origin", [self.program("rtsp-origin"), f"--source={SOURCE}", f"--stream={STREAM}",
                              f"--publish=tcp://127.0.0.1:{publish}", f"--coordinator={self.grpc}",
                              f"--name={ORIGIN}"])
        self.rtsp = {}
        for i, name in enumerate(self.edges):
            port = free_ports(1)
            self.rtsp[name] = port
            self.spawn(name, [self.program("rtsp-edge"), f"--coordinator={self.grpc}",
                              f"--rtsp=127.0.0.1:{port}", f"--name={name}", f"--preload={STREAM}",
                              "--io_threads=1", "--drain_grace=120s", f"--capacity_readers={20 + 10 * i}",
                              "--capacity_mbps=50"])

    def wait_serving(self, timeout=20):
        """Until every edge answers DESCRIBE for the stream; then one plain reader per edge (a
        reader keeps a draining edge up for its grace period)."""
        deadline = time.monotonic() + timeout
        pending = set(self.edges)
        while pending:
            self.check_alive()
            for name in sorted(pending):
                if describe_ok(self.rtsp[name], STREAM):
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise Failed(f"edges {sorted(pending)} do not serve {STREAM} after {timeout} s:\n"
                             + "".join(f"--- {n}\n{self.log_tail(n)}" for n in sorted(pending)))
            time.sleep(0.2)
        probe = os.path.join(HERE, "..", "cluster", "rtp_probe.py")
        for name in self.edges:
            url = f"rtsp://127.0.0.1:{self.rtsp[name]}/{STREAM}"
            summary = os.path.join(self.logs, f"reader-{name}.json")
            self.spawn(f"reader-{name}", [sys.executable, probe, url, f"--json={summary}"])

    @property
    def url(self):
        return f"http://{self.host}:{self.http_port}/"

    def kill_edge(self, name):
        os.kill(self.procs[name].pid, signal.SIGKILL)

    def drain_edge(self, name):
        os.kill(self.procs[name].pid, signal.SIGTERM)

    def kill_origin(self):
        os.kill(self.procs["origin"].pid, signal.SIGKILL)

    def stop(self):
        # Readers first: a draining edge exits once its readers are gone.
        order = sorted(self.procs, key=lambda n: (not n.startswith("reader"), n == "coordinator"))
        for name in order:
            p = self.procs[name]
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 4
        for name in order:
            p = self.procs[name]
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def describe_ok(port, stream):
    """Whether the edge answers DESCRIBE rtsp://127.0.0.1:port/stream with 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(f"DESCRIBE rtsp://127.0.0.1:{port}/{stream} RTSP/1.0\r\nCSeq: 1\r\n"
                      "Accept: application/sdp\r\n\r\n".encode())
            s.settimeout(4)
            head = s.recv(4096).decode(errors="replace")
            return head.startswith("RTSP/1.0 200")
    except OSError:
        return False


class MockCluster:
    """tests/dashboard/mock_sse_server.py: two edges, one origin; faults through /control/."""

    def __init__(self, log_dir):
        self.logs = log_dir
        self.edges = ["edge-a", "edge-b"]
        self.stream, self.origin = STREAM, ORIGIN
        self.host = "127.0.0.1"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "mock_sse_server.py"), "--warm_s=2"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            raise Failed(f"the mock did not start: {line}")
        self.http_port = urllib.parse.urlsplit(line.split()[1]).port

    def wait_serving(self, timeout=0):
        pass

    def check_alive(self, *names):
        if self.proc.poll() is not None:
            raise Failed("the mock exited")

    @property
    def url(self):
        return f"http://{self.host}:{self.http_port}/"

    def control(self, what):
        with urllib.request.urlopen(self.url + "control/" + what, timeout=2) as r:
            r.read()

    def kill_edge(self, name):
        self.control(f"kill?edge={name}")

    def drain_edge(self, name):
        self.control(f"drain?edge={name}")

    def kill_origin(self):
        self.control("origin?up=0")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- page queries -----------------------------------------------------------------------------
def js_str(s):
    return json.dumps(s)


def edge_states_js():
    return ("Object.fromEntries([...document.querySelectorAll('#edges [data-edge]')]"
            ".map(e => [e.dataset.edge, e.dataset.state]))")


def stream_state_js(stream):
    return (f"(document.querySelector('#streams tr[data-stream=' + CSS.escape({js_str(stream)}) + ']') "
            "|| {dataset: {}}).dataset.state || null")


def timeline_js(kinds, subjects):
    """How many timeline entries have one of `kinds` and a subject naming one of `subjects`."""
    return (f"[...document.querySelectorAll('#timeline li[data-kind]')].filter(li => "
            f"{js_str(kinds)}.includes(li.dataset.kind) && {js_str(subjects)}.some(s => "
            "(li.querySelector('.subj') || {textContent: ''}).textContent.includes(s))).length")


def edge_card_js(name):
    return f"document.querySelector('#edges [data-edge=' + CSS.escape({js_str(name)}) + ']')"


def timed_wait(browser, results, assertion, expr, bound_s, give_up_s, since=None):
    """Waits for `expr` (up to give_up_s) and records how long it took, from `since` (a monotonic
    time, default now), against bound_s. Returns the expression's value."""
    start = time.monotonic() if since is None else since
    try:
        value, _ = browser.wait_for(expr, give_up_s)
    except cdp.CdpError:
        results.check(assertion, f"not within {give_up_s:.0f} s", f"{bound_s:.1f} s", False)
    took = time.monotonic() - start
    results.check(assertion, f"{took:.2f} s", f"{bound_s:.1f} s", took <= bound_s)
    return value


def check_stream_contract(cluster, results):
    """The SSE contract the page relies on, measured from Python (no browser)."""
    events = read_events(cluster.host, cluster.http_port, 2.2)
    views = [(t, json.loads(d)) for t, e, d in events if e == "view"]
    if not views:
        results.check("view event on connect", "none in 2.2 s", "< 1 s", False)
    results.check("first view after connect", f"{views[0][0]:.2f} s", "< 1 s", views[0][0] < 1.0)
    # "At least twice a second": the rate over the window, and no long hole (a busy 2-core box
    # may delay one view a little).
    span = views[-1][0] - views[0][0]
    rate = (len(views) - 1) / span if span > 0 else 0.0
    results.check("views per second", f"{rate:.2f}", ">= 1.8", rate >= 1.8)
    gaps = [b[0] - a[0] for a, b in zip(views, views[1:])]
    worst = max(gaps) if gaps else float("inf")
    results.check("largest gap between views", f"{worst:.2f} s", "<= 0.75 s", worst <= 0.75)
    v = views[-1][1]
    problems = []
    if not isinstance(v.get("generated_unix_ms"), str):
        problems.append("generated_unix_ms is not a JSON string (int64)")
    for n in v.get("nodes", []):
        ident = n.get("identity", {})
        if not isinstance(n.get("state"), str) or not str(n.get("state")).startswith("NODE_STATE_"):
            problems.append(f"{ident.get('name')}: state {n.get('state')!r}")
        if ident.get("role") == "ROLE_EDGE" and "warming" not in n:
            problems.append(f"{ident.get('name')}: no `warming` field")
    results.check("view JSON shape (enum names, int64 strings, warming)",
                  "; ".join(problems) or "as expected", "proto3 JSON", not problems)


def run(cluster, artifacts, results, chromium):
    cluster.start()
    cluster.wait_serving()
    check_stream_contract(cluster, results)
    with cdp.Browser.launch(chromium) as b:
        try:
            scenario(cluster, b, artifacts, results)
        except (Failed, cdp.CdpError):
            try:
                b.screenshot(os.path.join(artifacts, "failure.png"))
                print(f"  page console: {b.console[-10:]}")
            except cdp.CdpError:
                pass
            raise


def scenario(cluster, b, artifacts, results):
    shot = lambda name: b.screenshot(os.path.join(artifacts, name))  # noqa: E731
    t0 = time.monotonic()
    b.navigate(cluster.url)
    b.wait_for("document.getElementById('conn').dataset.state === 'live'", 5)
    results.add("page live after navigate", f"{time.monotonic() - t0:.2f} s", "5 s", True)

    timed_wait(b, results, "every edge card ready or warming",
               f"(s => JSON.stringify(Object.keys(s).sort()) === "
               f"JSON.stringify({js_str(sorted(cluster.edges))}) && "
               f"Object.values(s).every(w => w === 'ready' || w === 'warming'))({edge_states_js()})",
               20, 20)
    timed_wait(b, results, f"stream {cluster.stream} live",
               stream_state_js(cluster.stream) + " === 'live'", 20, 20)
    # For the screenshot: the steady state once warm-up is over (not an assertion).
    try:
        b.wait_for(f"Object.values({edge_states_js()}).every(w => w === 'ready')", 6)
    except cdp.CdpError:
        pass
    b.pump(0.6)
    shot("normal.png")

    b.emulate(390, 844, scale=2, mobile=True)
    b.pump(0.6)
    width = b.evaluate("document.documentElement.scrollWidth")
    shot("phone.png")
    b.clear_emulation()
    results.check("phone: page width at 390 px", f"{width} px", "<= 390 px", width <= 390)

    # SIGKILL: the node's gRPC stream breaks and it leaves the view.
    victim = cluster.edges[0]
    start = time.monotonic()
    cluster.kill_edge(victim)
    timed_wait(b, results, f"SIGKILL {victim}: card gone", f"!{edge_card_js(victim)}",
               GONE_BOUND_S, 10, since=start)
    shot("edge-killed.png")

    # SIGTERM: the edge drains (its reader keeps it up) and tells the coordinator.
    drainer = cluster.edges[1]
    start = time.monotonic()
    cluster.drain_edge(drainer)
    timed_wait(b, results, f"SIGTERM {drainer}: card says draining",
               f"{edge_states_js()}[{js_str(drainer)}] === 'draining'", DRAIN_BOUND_S, 10, since=start)
    badge = b.evaluate(f"{edge_card_js(drainer)}.querySelector('.badge').textContent")
    results.check(f"{drainer}: badge word", badge, "draining", badge == "draining")
    shot("edge-draining.png")

    # SIGKILL of the only origin: the stream is no longer live anywhere.
    down_entries = timeline_js(["stream-down", "node-left"], [cluster.stream, cluster.origin])
    before = b.evaluate(down_entries)
    start = time.monotonic()
    cluster.kill_origin()
    state = timed_wait(b, results, f"SIGKILL origin: {cluster.stream} not live",
                       f"(w => (w === 'origin-silent' || w === 'source-down') && w)("
                       f"{stream_state_js(cluster.stream)})", STREAM_DOWN_BOUND_S, STREAM_DOWN_BOUND_S,
                       since=start)
    results.add(f"{cluster.stream}: state word", state, "origin-silent|source-down", True)
    timed_wait(b, results, "timeline: stream-down or node-left of the origin",
               f"{down_entries} > {before}", STREAM_DOWN_BOUND_S, STREAM_DOWN_BOUND_S, since=start)
    b.pump(0.3)
    shot("stream-down.png")

    if isinstance(cluster, MockCluster):
        reconnect(cluster, b, results)

    # What the page loaded, and from where.
    b.pump(0.2)
    reqs = b.request_list()
    origin = f"{cluster.host}:{cluster.http_port}"
    foreign = [r["url"] for r in reqs if not r["url"].startswith(ALLOWED_SCHEMES)
               and urllib.parse.urlsplit(r["url"]).netloc != origin]
    results.check("requests to other hosts", ", ".join(foreign) or "none", "none", not foreign)
    page = next((r for r in reqs if urllib.parse.urlsplit(r["url"]).path == "/"), None)
    # Everything but the event stream, whose bytes are live data, not page weight.
    weight = sum(r["bytes"] for r in reqs if r["finished"] and r["type"] != "EventSource")
    _, _, body = http_get(cluster.host, cluster.http_port, "/")
    results.check("page weight (all but the event stream)", f"{weight / 1024:.1f} KiB", "200 KiB",
                  page is not None and weight < PAGE_LIMIT)
    results.check("size of GET /", f"{len(body) / 1024:.1f} KiB", "200 KiB", len(body) < PAGE_LIMIT)
    streams = [r for r in reqs if urllib.parse.urlsplit(r["url"]).path.endswith("/api/stream")]
    results.check("event stream requests", len(streams), ">= 1", len(streams) >= 1)
    results.check("JavaScript exceptions", len(b.exceptions), 0, not b.exceptions)


def reconnect(cluster, b, results):
    """Mock only: the stream drops and is refused for a while; the page says so, then recovers
    without showing the replayed timeline twice."""
    entries = b.evaluate("document.querySelectorAll('#timeline li').length")
    cluster.control("status?code=503")
    cluster.control("disconnect")
    timed_wait(b, results, "stream lost: indicator says so",
               "document.getElementById('conn').dataset.state === 'lost'", 2.0, 5)
    b.pump(1.0)
    cluster.control("status?code=200")
    timed_wait(b, results, "stream back: indicator live again",
               "document.getElementById('conn').dataset.state === 'live'", 10.0, 15)
    again = b.evaluate("document.querySelectorAll('#timeline li').length")
    results.check("timeline entries after the replay", again, entries, again == entries)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "..", "build", "bin"))
    ap.add_argument("--artifacts",
                    default=os.path.join(HERE, "..", "..", "build", "test-artifacts", "dashboard"))
    ap.add_argument("--mock", action="store_true", help="run against mock_sse_server.py")
    ap.add_argument("--chromium", default=None, help="browser binary (default: chromium on PATH)")
    args = ap.parse_args()

    chromium = args.chromium or cdp.find_chromium()
    if not chromium:
        print("SKIPPED: no chromium on PATH (apt-get install chromium)")
        return SKIP
    artifacts = os.path.abspath(args.artifacts)
    for name in ("normal.png", "phone.png", "edge-killed.png", "edge-draining.png", "stream-down.png",
                 "failure.png", "results.txt"):
        try:
            os.remove(os.path.join(artifacts, name))
        except FileNotFoundError:
            pass
    logs = os.path.join(artifacts, "logs")
    shutil.rmtree(logs, ignore_errors=True)
    os.makedirs(logs, exist_ok=True)

    results = Results()
    cluster = MockCluster(logs) if args.mock else RealCluster(args.bin, logs)
    failure = None
    started = time.monotonic()
    try:
        run(cluster, artifacts, results, chromium)
    except (Failed, cdp.CdpError) as e:
        failure = str(e)
    finally:
        cluster.stop()
    reports = procs.sanitizer_reports(logs)
    if reports and not failure:
        failure = "sanitizer reports:\n  " + "\n  ".join(reports)
    table = results.table()
    print("\n" + table)
    print(f"\nscreenshots and logs: {artifacts} ({time.monotonic() - started:.1f} s)")
    with open(os.path.join(artifacts, "results.txt"), "w") as f:
        f.write(table + "\n")
        if failure:
            f.write(f"\nFAILED: {failure}\n")
    if failure:
        print(f"FAILED: {failure}")
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
