"""A headless Chromium driven over the DevTools protocol on a pipe, with the standard library only.

Chromium started with --remote-debugging-pipe reads protocol messages on fd 3 and writes them on
fd 4, each a JSON object followed by one NUL byte. This module starts it with a throw-away
profile, opens one page (a flattened target session), and offers what the dashboard test needs:
navigate and wait for load, evaluate JavaScript (by value), poll a condition, emulate a phone,
capture a PNG, and the list of every network request the page made (with response sizes).
Every wait has a timeout; close() always leaves no process and no profile behind.

    with Browser.launch() as b:
        b.navigate("http://127.0.0.1:9090/")
        b.wait_for("document.querySelectorAll('[data-edge]').length === 3", 10)
        b.screenshot("normal.png")
"""
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

_TRAMPOLINE = ("import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); os.dup2(r, 3); "
               "os.dup2(w, 4); os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class CdpError(Exception):
    """A protocol error answer, a timeout, or a browser that went away."""


def find_chromium():
    """The path of a Chromium-like browser on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, proc, profile, to_browser, from_browser, log_path):
        self.proc = proc
        self.profile = profile
        self._out = to_browser
        self._in = from_browser
        self._buf = b""
        self._next_id = 0
        self._pending_events = []
        self.log_path = log_path
        self.session = None
        self.target_id = None
        self.requests = {}  # requestId -> {"url", "status", "bytes", "type", "finished"}
        self.request_order = []
        self.console = []  # (level, text) of console calls and uncaught exceptions
        self.exceptions = []
        self.loaded = False

    # -- lifetime ---------------------------------------------------------------------------
    @classmethod
    def launch(cls, binary=None, width=1280, height=900, timeout_s=20, extra_args=()):
        binary = binary or find_chromium()
        if not binary:
            raise CdpError("no chromium on PATH")
        profile = tempfile.mkdtemp(prefix="cdp-profile-")
        # Pipes the browser sees as fd 3 (it reads) and fd 4 (it writes). The browser's ends sit
        # at fd >= 10 here so that moving them to 3 and 4 cannot clobber one with the other.
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        child_r = fcntl.fcntl(to_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_r)
        os.close(from_w)
        argv = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--mute-audio",
                "--hide-scrollbars", f"--window-size={width},{height}", *extra_args, "about:blank"]
        log_path = os.path.join(profile, "chromium.log")
        log = open(log_path, "wb")
        try:
            # A tiny trampoline moves the pipes to fds 3 and 4, then execs the browser (same PID).
            proc = subprocess.Popen(
                [sys.executable, "-c", _TRAMPOLINE, str(child_r), str(child_w), *argv],
                pass_fds=(child_r, child_w), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)
        except OSError as e:
            shutil.rmtree(profile, ignore_errors=True)
            raise CdpError(f"cannot start {binary}: {e}") from e
        finally:
            log.close()
            os.close(child_r)
            os.close(child_w)
        os.set_blocking(from_r, False)
        os.set_blocking(to_w, False)
        b = cls(proc, profile, to_w, from_r, log_path)
        try:
            b.call("Browser.getVersion", timeout_s=timeout_s)
            b.open_page()
        except BaseException:
            b.close()
            raise
        return b

    def open_page(self):
        """A new page target, attached with a flattened session; Page, Network and Runtime on."""
        self.target_id = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": self.target_id,
                                                           "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable", session=True)

    def close(self, timeout_s=5):
        """Browser.close, then wait for the process (SIGKILL after timeout_s); removes the profile."""
        if self.proc.poll() is None:
            try:
                self.call("Browser.close", timeout_s=2)
            except CdpError:
                pass
            try:
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=timeout_s)
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass
        self._out = self._in = -1
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def log_tail(self, n=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    # -- protocol ---------------------------------------------------------------------------
    def _write(self, data, deadline):
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError("timed out writing to the browser")
            _, w, _ = select.select([], [self._out], [], remaining)
            if w:
                try:
                    n = os.write(self._out, view)
                except BlockingIOError:
                    continue
                except BrokenPipeError as e:
                    raise CdpError("the browser closed its pipe") from e
                view = view[n:]

    def _read_message(self, deadline):
        """The next message, or None at the deadline."""
        while True:
            nul = self._buf.find(b"\0")
            if nul >= 0:
                raw, self._buf = self._buf[:nul], self._buf[nul + 1:]
                return json.loads(raw)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            r, _, _ = select.select([self._in], [], [], remaining)
            if not r:
                continue
            try:
                chunk = os.read(self._in, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise CdpError(f"the browser exited (status {self.proc.poll()}); log:\n{self.log_tail()}")
            self._buf += chunk

    def call(self, method, params=None, session=False, timeout_s=10):
        """Sends one command and returns its result; events that arrive meanwhile are handled."""
        self._next_id += 1
        msg_id = self._next_id
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        deadline = time.monotonic() + timeout_s
        self._write(json.dumps(msg).encode() + b"\0", deadline)
        while True:
            m = self._read_message(deadline)
            if m is None:
                raise CdpError(f"{method}: no answer in {timeout_s} s")
            if m.get("id") == msg_id:
                if "error" in m:
                    raise CdpError(f"{method}: {m['error'].get('message')} ({m['error'].get('data', '')})")
                return m.get("result", {})
            if "method" in m:
                self._on_event(m)

    def pump(self, duration_s):
        """Handles events for duration_s seconds."""
        deadline = time.monotonic() + duration_s
        while True:
            m = self._read_message(deadline)
            if m is None:
                return
            if "method" in m:
                self._on_event(m)

    def _on_event(self, m):
        method, p = m["method"], m.get("params", {})
        if method == "Network.requestWillBeSent":
            rid = p["requestId"]
            if rid not in self.requests:
                self.request_order.append(rid)
            self.requests[rid] = {"url": p["request"]["url"], "status": None, "bytes": 0,
                                  "type": p.get("type", ""), "finished": False}
        elif method == "Network.responseReceived":
            r = self.requests.get(p["requestId"])
            if r:
                r["status"] = p["response"].get("status")
                r["mime"] = p["response"].get("mimeType", "")
        elif method == "Network.dataReceived":
            r = self.requests.get(p["requestId"])
            if r and not r["finished"]:
                r["bytes"] += p.get("encodedDataLength", 0) or 0
        elif method == "Network.loadingFinished":
            r = self.requests.get(p["requestId"])
            if r:
                r["finished"] = True
                r["bytes"] = max(r["bytes"], int(p.get("encodedDataLength", 0)))
        elif method == "Network.loadingFailed":
            r = self.requests.get(p["requestId"])
            if r:
                r["failed"] = p.get("errorText", "failed")
        elif method == "Page.loadEventFired":
            self.loaded = True
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            self.console.append((p.get("type", "log"), text))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = d.get("exception", {}).get("description") or d.get("text", "exception")
            self.exceptions.append(text)
            self.console.append(("exception", text))

    # -- page -------------------------------------------------------------------------------
    def navigate(self, url, timeout_s=15):
        """Loads url and waits for its load event."""
        self.loaded = False
        r = self.call("Page.navigate", {"url": url}, session=True, timeout_s=timeout_s)
        if r.get("errorText"):
            raise CdpError(f"navigate {url}: {r['errorText']}")
        deadline = time.monotonic() + timeout_s
        while not self.loaded:
            if time.monotonic() > deadline:
                raise CdpError(f"navigate {url}: no load event in {timeout_s} s")
            self.pump(0.05)

    def evaluate(self, expression, timeout_s=5):
        """The value of a JavaScript expression (JSON-able values only)."""
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True}, session=True, timeout_s=timeout_s)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CdpError(f"evaluate: {d.get('exception', {}).get('description') or d.get('text')}")
        return r.get("result", {}).get("value")

    def wait_for(self, expression, timeout_s, interval_s=0.05):
        """Polls the expression every interval_s until it is truthy; returns (value, seconds)."""
        start = time.monotonic()
        last = None
        while True:
            last = self.evaluate(expression)
            if last:
                return last, time.monotonic() - start
            if time.monotonic() - start > timeout_s:
                raise CdpError(f"timed out after {timeout_s} s waiting for {expression} (last: {last!r})")
            self.pump(interval_s)

    def emulate(self, width, height, scale=1, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
                  session=True)

    def clear_emulation(self):
        self.call("Emulation.clearDeviceMetricsOverride", session=True)

    def screenshot(self, path, full_page=True, timeout_s=15):
        """Writes a PNG of the page (all of it when full_page); returns its size in bytes."""
        params = {"format": "png"}
        if full_page:
            m = self.call("Page.getLayoutMetrics", session=True)
            size = m.get("cssContentSize") or m["contentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                              "scale": 1}
        data = base64.b64decode(self.call("Page.captureScreenshot", params, session=True,
                                          timeout_s=timeout_s)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return len(data)

    def request_list(self):
        """Every request the page made, in order: dicts with url, status, bytes, finished."""
        return [self.requests[rid] for rid in self.request_order]
