"""What the benchmark drivers share: the processes they start (stopped by PID when the run ends,
on error, on Ctrl-C or at --max_total), free loopback ports (tests/support/procs.py's, the
tests' own), rtsp-bench's JSON results and the ratio cells of their tables.
Python 3 standard library only."""

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "support"))
from procs import free_port, free_port_pair  # noqa: E402,F401  (tests/support; drivers use both)


def pick(result, **paths):
    """Fields of rtsp-bench's JSON under the names given, in the order given; a path is a key or
    keys one inside the other ("latency.p50_ms")."""
    out = {}
    for name, path in paths.items():
        value = result
        for key in path.split("."):
            value = value[key]
        out[name] = value
    return out


def peer_run_options(parser, out):
    """The options of a driver that runs rtsp-bench against our servers and the peer: the pause
    between runs, the peer's Python, the JSON written (default `out`) and the hard stop."""
    parser.add_argument("--pause", type=float, default=3, help="seconds between runs")
    parser.add_argument("--peer_python", default="/usr/bin/python3",
                        help="Python with python3-gi (the system one)")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--max_total", type=int, default=1800,
                        help="hard stop for the whole run, s")


def need_programs(tool, programs, targets):
    """Exits, saying how to build them (ninja `targets`), when a path in `programs` is missing."""
    for prog in programs:
        if not prog.exists():
            sys.exit(f"{tool}: {prog} missing; build it first:\n"
                     "  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release && "
                     f"ninja -C build-bench {targets}")


def ratio(ours, peer):
    """A table cell: ours / peer to two decimals; "-" without both, "=" for 0 / 0."""
    if ours is None or peer is None:
        return "-"
    if peer == 0:
        return "=" if ours == 0 else "inf"
    return f"{ours / peer:.2f}"


class Processes:
    """Children of one driver, named `tool` in its log lines and exit messages."""

    def __init__(self, tool):
        self.tool = tool
        self.children = []  # Popen objects we started; stopped by PID at exit

    def log(self, msg):
        print(f"{self.tool}: {msg}", file=sys.stderr, flush=True)

    def start(self, argv, name, stdout=subprocess.PIPE, stderr=None):
        proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr)
        proc.name = name
        self.children.append(proc)
        return proc

    def wait_line(self, proc, pattern, timeout):
        """First stdout line of proc matching pattern: its group (a tuple when several), or
        exit."""
        deadline = time.monotonic() + timeout
        fd = proc.stdout.fileno()
        buf = b""
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                sys.exit(f"{self.tool}: {proc.name} exited with {proc.returncode}")
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                buf += os.read(fd, 4096)
                m = re.search(pattern, buf.decode(errors="replace"))
                if m:
                    return m.group(1) if m.re.groups == 1 else m.groups()
        sys.exit(f"{self.tool}: {proc.name} did not print {pattern!r} within {timeout} s")

    def wait_done(self, proc, timeout, label):
        """Waits for a run to end (SIGKILL after `timeout` s) and forgets it."""
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            self.log(f"{label}: {proc.name} timed out after {timeout} s")
        self.children.remove(proc)

    def stop_all(self):
        for proc in reversed(self.children):
            if proc.poll() is None:
                try:
                    os.kill(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 5
        for proc in reversed(self.children):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        self.children.clear()

    def stop_on_signals(self):
        """SIGTERM, SIGINT and SIGALRM (--max_total) end the run through SystemExit, so that the
        driver's finally: stop_all() runs."""

        def on_signal(signum, _frame):
            raise SystemExit(f"{self.tool}: signal {signum}, stopping")

        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
            signal.signal(s, on_signal)

    def read_result(self, json_path, label, returncode):
        """rtsp-bench's JSON for one run (the file is removed: all runs end up in the combined
        file), or None with a log line."""
        if not json_path.exists():
            self.log(f"{label}: no result (rtsp-bench exit {returncode})")
            return None
        try:
            result = json.loads(json_path.read_text(errors="replace"))
        except ValueError as e:
            self.log(f"{label}: unreadable result {json_path}: {e}")
            return None
        json_path.unlink()
        return result
