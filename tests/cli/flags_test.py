#!/usr/bin/env python3
"""The flag table of every program, from its own --helpfull: each flag is documented, each bad
value of each flag type is one line naming the flag and exit status 2 (in both --flag=value and
--flag value forms), --version and --help=TEXT work, and a space-separated value is taken as the
flag's value. Real programs, no network (docs/config.md, "Flags every program has")."""
import argparse
import os
import re
import subprocess
import sys

PROGRAMS = {
    # program: the documents that must name each of its flags
    "rtsp-coordinator": ["docs/config.md", "docs/coordinator.md"],
    "rtsp-origin": ["docs/config.md", "docs/origin.md"],
    "rtsp-edge": ["docs/config.md"],
    "rtsp-client": ["docs/config.md", "docs/client.md"],
    # the tools tests and benchmarks run
    "rtsp-bench": ["docs/config.md", "docs/benchmarks.md"],
    "camera_sim": ["docs/config.md", "docs/benchmarks.md"],
    "coordinator-sim": ["docs/config.md", "docs/coordinator.md"],
}
# One bad value per flag type (the type is the hint --help prints in parentheses).
BAD_VALUES = {
    "true or false": "maybe",
    "an integer": "abc",
    "a non-negative integer": "-1",
    "a number": "fast",
    "a duration such as 250ms, 5s or 1m30s": "5",
}
COMMON = {"help", "helpfull", "version", "flagfile", "fromenv", "tryfromenv"}
FLAG_LINE = re.compile(r"^  --([a-z0-9_]+)  \((.*?), default (.*)\)$")


def run(argv, timeout=10):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "DISPLAY": ""}, stdin=subprocess.DEVNULL)


def flags_of(binary):
    r = run([binary, "--helpfull"])
    if r.returncode != 0:
        raise AssertionError(f"{binary} --helpfull exited {r.returncode}: {r.stderr}")
    flags = {}
    for line in r.stdout.splitlines():
        m = FLAG_LINE.match(line)
        if m:
            flags[m.group(1)] = m.group(2)
    if not flags:
        raise AssertionError(f"{binary} --helpfull lists no flags:\n{r.stdout}")
    return flags


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    failures = []
    rows = []

    def check(ok, what):
        if not ok:
            failures.append(what)
        return ok

    for program, docs in PROGRAMS.items():
        binary = os.path.join(args.bin, program)
        text = "".join(open(os.path.join(args.source, d), encoding="utf-8").read() for d in docs)
        flags = flags_of(binary)
        documented = bad_checked = 0
        for name, hint in sorted(flags.items()):
            if check(re.search(r"--" + re.escape(name) + r"(?![a-z0-9_])", text) is not None,
                     f"{program} --{name} is not in {' or '.join(docs)}"):
                documented += 1
            bad = BAD_VALUES.get(hint)
            if bad is None:
                continue
            # Booleans take no separate value: "--flag value" is the flag and an argument.
            forms = [[f"--{name}={bad}"]] + ([] if hint == "true or false" else [[f"--{name}", bad]])
            for argv in forms:
                r = run([binary] + argv)
                lines = r.stderr.strip().splitlines()
                check(r.returncode == 2 and len(lines) == 1 and f"--{name}" in lines[0]
                      and lines[0].startswith(program + ": "),
                      f"{program} {' '.join(argv)}: exit {r.returncode}, stderr {r.stderr!r}")
            bad_checked += len(forms)
        # --version, --help=TEXT, unknown flags, a missing value, stray arguments.
        r = run([binary, "--version"])
        check(r.returncode == 0 and re.match(program + r" \d+\.\d+\.\d+ \(commit \S+\)$",
                                             r.stdout.strip()),
              f"{program} --version: exit {r.returncode}, {r.stdout!r}")
        # --help=TEXT with the name of one of its own flags: that flag, and only matching ones.
        own = sorted(f for f in flags if f not in COMMON)
        probe = own[0]
        r = run([binary, f"--help={probe}"])
        listed = [m.group(1) for m in map(FLAG_LINE.match, r.stdout.splitlines()) if m]
        check(r.returncode == 0 and probe in listed and "help" not in listed,
              f"{program} --help={probe} lists {listed}")
        r = run([binary, "--no_such_flag=1"])
        check(r.returncode == 2 and "unknown flag '--no_such_flag'" in r.stderr,
              f"{program} --no_such_flag: {r.returncode} {r.stderr!r}")
        valued = next(f for f in own if flags[f] != "true or false")
        r = run([binary, f"--{valued}"])
        check(r.returncode == 2 and f"'--{valued}' is missing its value" in r.stderr,
              f"{program} --{valued} (no value): {r.returncode} {r.stderr!r}")
        r = run([binary, "--help"])
        source_dir = os.path.abspath(args.source)
        check(r.returncode == 0 and source_dir not in r.stdout and "--help=TEXT" in r.stdout,
              f"{program} --help shows a build path or misses --help=TEXT")
        rows.append((program, len(flags), documented, bad_checked))

    # A value after a space belongs to its flag, not to the client's URL argument.
    r = run([os.path.join(args.bin, "rtsp-client"), "--coordinator", "127.0.0.1:1", "--stream",
             "cam1", "--headless", "--duration", "1s", "--transport", "bogus"])
    check(r.returncode == 2 and "--transport" in r.stderr and "URL" not in r.stderr,
          f"rtsp-client space form: {r.returncode} {r.stderr!r}")
    r = run([os.path.join(args.bin, "rtsp-edge"), "--rtsp", "127.0.0.1:0", "--io_threads", "x"])
    check(r.returncode == 2 and "--io_threads" in r.stderr, f"rtsp-edge space form: {r.stderr!r}")

    print(f"{'program':18} {'flags':>6} {'documented':>11} {'bad values tried':>17}")
    for program, n, documented, bad in rows:
        print(f"{program:18} {n:6} {documented:11} {bad:17}")
    if failures:
        print(f"\n{len(failures)} failure(s):")
        for f in failures:
            print("  " + f)
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
