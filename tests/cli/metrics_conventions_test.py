#!/usr/bin/env python3
"""Every program's /metrics follows Prometheus' conventions: a real coordinator, origin (test
pattern) and edge with --http, each page checked by Debian's `promtool check metrics` (counter
names end in _total, base units, HELP and TYPE for each family), each carrying rs_build_info, and
each family named in docs/metrics.md (and each rs_ name there exported by some program).
Exit 77 with "SKIPPED: reason" without promtool."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from procs import (free_port, free_port_pair, sanitizer_reports,  # noqa: E402  (tests/support)
                   scratch_dir)


def get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def free_pair():
    """A free port whose successor is free too (the origin's catch-up port is publish + 1)."""
    p = free_port_pair(50)
    if p is None:
        raise AssertionError("no two adjacent free ports")
    return p


class Died(Exception):
    pass


def wait_get(url, want, procs, logs, deadline_s=45):
    end = time.monotonic() + deadline_s
    last = ""
    while time.monotonic() < end:
        for name, p in procs.items():
            if p.poll() is not None:
                raise Died(f"{name} exited ({p.returncode}): "
                           + open(f"{logs}/{name}.log").read()[-1500:])
        try:
            last = get(url)
            if want in last:
                return last
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never showed {want!r}; last:\n{last[:2000]}")


def stop(procs):
    for p in procs.values():
        if p.poll() is None:
            p.terminate()
    for p in procs.values():
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    promtool = shutil.which("promtool")
    if promtool is None:
        print("SKIPPED: no promtool (apt-get install prometheus)")
        return 77
    failures = []
    families = set()
    procs = {}
    for attempt in range(3):
        grpc, publish, rtsp = free_port(), free_pair(), free_port()
        http = {"coordinator": free_port(), "origin": free_port(), "edge": free_port()}
        coordinator = f"127.0.0.1:{grpc}"
        logs = scratch_dir("metrics")
        argv = {
            "coordinator": [f"{args.bin}/rtsp-coordinator", f"--listen={coordinator}",
                            f"--http=127.0.0.1:{http['coordinator']}"],
            "origin": [f"{args.bin}/rtsp-origin",
                       "--source=test://pattern?size=320x180&fps=10&bitrate=200k&gop=10",
                       "--stream=cam1", f"--publish=tcp://127.0.0.1:{publish}",
                       f"--coordinator={coordinator}", f"--http=127.0.0.1:{http['origin']}"],
            "edge": [f"{args.bin}/rtsp-edge", f"--rtsp=127.0.0.1:{rtsp}",
                     f"--coordinator={coordinator}", f"--http=127.0.0.1:{http['edge']}",
                     "--preload=cam1"],
        }
        for name, cmd in argv.items():
            procs[name] = subprocess.Popen(cmd, stdout=open(f"{logs}/{name}.log", "w"),
                                           stderr=subprocess.STDOUT)
        # Wait until each program has something per stream to say.
        want = {"coordinator": 'rs_coordinator_stream_readers{stream="cam1"}',
                "origin": 'rs_origin_source_up{stream="cam1"} 1',
                "edge": 'rs_edge_origin_frames_total{stream="cam1"}'}
        try:
            pages = {name: wait_get(f"http://127.0.0.1:{port}/metrics", want[name], procs, logs)
                     for name, port in http.items()}
            break
        except Died as e:
            # A port taken by another test between our pick and the program's bind: try again
            # with new ports; any other early exit is a failure.
            stop(procs)
            if "in use" not in str(e) and "cannot listen" not in str(e) or attempt == 2:
                print(f"FAILED: {e} (logs in {logs})")
                return 1
            print(f"retrying with other ports: {str(e).splitlines()[0]}")
            shutil.rmtree(logs, ignore_errors=True)
    try:
        print(f"{'program':12} {'families':>8} {'samples':>8}  promtool")
        for name, text in pages.items():
            r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                               text=True, timeout=30)
            verdict = "clean" if r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip() \
                else (r.stdout + r.stderr).strip()
            names = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
            samples = [l for l in text.splitlines() if l and not l.startswith("#")]
            print(f"{name:12} {len(names):8} {len(samples):8}  {verdict}")
            if verdict != "clean":
                failures.append(f"{name}: promtool check metrics:\n{verdict}")
            if not re.search(r'^rs_build_info\{version="[^"]+",commit="[^"]+"\} 1$', text, re.M):
                failures.append(f"{name}: no rs_build_info")
            for line in samples:
                value = line.rsplit(" ", 1)[1]
                if re.fullmatch(r"-?\d+(\.\d+)?e[+]\d+", value):
                    failures.append(f"{name}: a whole number in exponent form: {line}")
            families |= names
        doc = open(os.path.join(args.source, "docs/metrics.md"), encoding="utf-8").read()
        documented = set(re.findall(r"`(rs_[a-z0-9_]+)`", doc))
        for f in sorted(families - documented):
            failures.append(f"{f} is exported but not in docs/metrics.md")
        for f in sorted(documented - families):
            failures.append(f"docs/metrics.md names {f}, which no program exports")
    finally:
        stop(procs)
    failures += [f"sanitizer report in {r}" for r in sanitizer_reports(logs)]
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures) + f"\n(logs in {logs})")
        return 1
    shutil.rmtree(logs, ignore_errors=True)
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
