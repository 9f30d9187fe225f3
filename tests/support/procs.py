"""What the Python tests and benchmark drivers that run the relay's programs on 127.0.0.1 share:
free loopback ports, and a test's programs, each started in a process group of its own with its
log in the test's folder and stopped group by group when the test ends.

Scripts in other folders import it after putting this folder on sys.path:

  sys.path.insert(0, os.path.join(HERE, "..", "support"))
  import procs  # noqa: E402  (tests/support)

Python 3 standard library only."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


class Failed(Exception):
    """A check that did not hold: the test prints it with its logs' folder and exits 1."""


# Every scratch folder a test makes starts with this (tests/support/temp_dir.hpp too);
# scripts/check-leftovers looks for it in the temp dir after `make test`.
SCRATCH_PREFIX = "rs-test-"


def scratch_dir(name):
    """A new folder for a test's logs in the temp dir, rs-test-<name>.XXXXXX."""
    return tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{name}.")


def keep_logs_if(failed, folder):
    """Removes a test's scratch folder when it passed (so a green run leaves nothing behind);
    keeps it when it failed, or when RS_KEEP_LOGS=1. Returns what to print about the logs."""
    if failed or os.environ.get("RS_KEEP_LOGS") == "1":
        return f"logs in {folder}"
    shutil.rmtree(folder, ignore_errors=True)
    return "logs removed; RS_KEEP_LOGS=1 keeps them"


# The line each sanitizer starts a report with (rstest::sanitizer_report in
# tests/support/process.cpp looks for the same); UBSan's is "file:line:col: runtime error: ...".
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "WARNING: ThreadSanitizer", ": runtime error: ")


def sanitizer_reports(folder):
    """The logs (*.log) under `folder` in which a program reported under `make asan` /
    `make tsan`, each as "<log>: <the report's first line>". A program that a test kills never
    exits with the sanitizer's code, so every test that keeps its programs' logs in a folder
    checks them with this before it passes. Only logs are read, not the clips, recordings and
    JSON a test keeps beside them. Empty in a normal build."""
    found = []
    for root, _, files in os.walk(folder):
        for name in sorted(f for f in files if f.endswith(".log")):
            path = os.path.join(root, name)
            try:
                with open(path, errors="replace") as f:
                    for line in f:
                        if any(m in line for m in SANITIZER_MARKERS):
                            found.append(f"{path}: {line.strip()}")
                            break
            except OSError:
                continue
    return found


def free_port(kind=socket.SOCK_STREAM):
    """A free port on 127.0.0.1 (TCP, or UDP with kind=socket.SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_pair(tries=100):
    """A free TCP port P with P + 1 free too (the origin's catch-up ROUTER binds its --publish
    port + 1), or None when `tries` picks found none."""
    for _ in range(tries):
        p = free_port()
        if p >= 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p + 1))
                return p
            except OSError:
                continue
    return None


class Programs:
    """The programs one test starts, as (name, Popen) in start order; `name` also names the log,
    workdir/<name>.log, which gets the program's stderr and, unless told otherwise, its stdout."""

    def __init__(self, workdir):
        self.dir = workdir
        self.procs = []

    def start(self, name, argv, stdout=None):
        log = open(os.path.join(self.dir, f"{name}.log"), "a")
        p = subprocess.Popen(argv, stdout=stdout or log, stderr=log, start_new_session=True)
        self.procs.append((name, p))
        return p

    def wait_port(self, port, timeout=10):
        """Until something accepts connections on 127.0.0.1:port; Failed after `timeout` s."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise Failed(f"nothing listens on {port}; see {self.dir}")

    def stop(self):
        """SIGTERM to every process group still running, last started first; SIGKILL to those
        not gone 5 s later."""
        for _, p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for _, p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
