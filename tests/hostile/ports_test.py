#!/usr/bin/env python3
"""Hostile input on every port while a normal viewer plays (reliability campaign).

One coordinator, one origin (test pattern `cam1`, 320x180 at 15 fps, GOP 15) and one edge
(--preload=cam1), all on 127.0.0.1 with free ports. Each attack runs beside a fresh viewer of
rtsp://edge/cam1 (tests/cluster/rtp_probe.py) that must lose nothing: largest gap between frames
under 200 ms, no RTP sequence gap, no disconnect. After each attack the attacked process must be
alive and answering, and its open fds (/proc/PID/fd) must come back to the count before the
attack (+2) within a few seconds. Cases:

  catchup           the origin's catch-up ROUTER (ZeroMQ, --publish port + 1), spoken to in raw
                    ZMTP 3.0 (no pyzmq needed): random bytes, bogus greetings, garbage and
                    truncated multipart messages, wrong protocol versions, oversized frames (a real
                    32 MiB frame, headers claiming 1 GiB and 2^62 bytes, a 1 MiB stream name), a
                    message of 100 000 frames and a flood of valid requests nobody reads.
                    Alive: /healthz and a CATCHUP/1 request answered OK.
  grpc              the coordinator's gRPC port, in raw TCP/HTTP2: random bytes, HTTP/1 requests,
                    the HTTP/2 preface then garbage, a message beyond gRPC's default 4 MiB receive
                    limit (the coordinator sets none), 1000 idle TCP connections, and nodes that
                    register and report as fast as a NodeAgent allows (coordinator-sim,
                    --report_interval_ms=10, the agent's floor). Alive: `rtsp-coordinator --probe`
                    (gRPC health) and its /metrics.
  http-coordinator, http-edge, http-origin
                    that process's --http port: garbage, oversized heads (64 KiB header, 1 MiB
                    URL, 100 000 headers (~3 MiB head), huge Content-Lengths), slowloris (one
                    byte per 500 ms on 10 and on 300 connections, /healthz timed meanwhile) and
                    300 idle connections. Alive: /healthz.

The notes column says how the server answered (status codes, connections it closed, /healthz
latency during the attack); those are reported, not judged: the targets are the viewer's, the
fds' and liveness after the attack.

It prints one matrix row per attack and exits 1 when any target is missed.

  ports_test.py --bin=build/bin --case=catchup|grpc|http-coordinator|http-edge|http-origin
"""
import argparse
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import procs  # noqa: E402  (tests/support: free ports, the programs started and stopped)
from procs import Failed, free_port  # noqa: E402

PROBE = os.path.join(HERE, "..", "cluster", "rtp_probe.py")
FPS = 15
MAX_GAP_S = 0.200
FD_SLACK = 2
FD_SETTLE_S = 8.0
SKIP = 77

rng = random.Random(20261206)


def rand_bytes(n):
    return rng.randbytes(n)


def connect(port, timeout=3.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def drain(s, timeout=1.0, limit=1 << 20):
    """Reads what the server sends until it closes or goes quiet; returns (bytes, closed)."""
    s.settimeout(timeout)
    out = b""
    try:
        while len(out) < limit:
            chunk = s.recv(65536)
            if not chunk:
                return out, True
            out += chunk
    except (socket.timeout, TimeoutError):
        return out, False
    except OSError:
        return out, True
    return out, False


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def closed_by(port, payloads, who):
    """Each payload on a connection of its own, all held open together; then how many of them
    the server closed."""
    socks = []
    for payload in payloads:
        s = connect(port)
        s.sendall(payload)
        socks.append(s)
    closed = sum(1 for s in socks if drain(s, 0.3)[1])
    close_all(socks)
    return f"{closed}/{len(payloads)} closed by {who}"


def replies(port, payloads, timeout):
    """Each payload on a connection of its own, one after the other: (what the server sent back,
    whether it closed) for each."""
    out = []
    for payload in payloads:
        s = connect(port)
        try:
            s.sendall(payload)
        except OSError:
            pass
        out.append(drain(s, timeout))
        s.close()
    return out


def hold(port, n):
    """Up to n idle connections to port (fewer when the server stops accepting them)."""
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(port))
        except OSError:
            break
    return socks


def http_get(port, path="/healthz", timeout=3.0):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.status, r.read()


# ------------------------------------------------------------------------------------- cluster

class Cluster(procs.Programs):
    def __init__(self, bin_dir, workdir):
        super().__init__(workdir)
        self.bin = bin_dir
        self.zmq = procs.free_port_pair()
        if self.zmq is None:
            raise Failed("no free port pair")
        self.catchup = self.zmq + 1
        self.edge_rtsp = free_port()
        self.edge_http = free_port()
        self.origin_http = free_port()
        self.coord = free_port()
        self.coord_http = free_port()
        self.coordinator = self.start("coordinator", [
            f"{bin_dir}/rtsp-coordinator", f"--listen=127.0.0.1:{self.coord}",
            f"--http=127.0.0.1:{self.coord_http}"])
        self.wait_port(self.coord)
        self.origin = self.start("origin", [
            f"{bin_dir}/rtsp-origin",
            "--source=test://pattern?size=320x180&fps=15&bitrate=300k&gop=15", "--stream=cam1",
            f"--publish=tcp://127.0.0.1:{self.zmq}", f"--http=127.0.0.1:{self.origin_http}",
            f"--coordinator=127.0.0.1:{self.coord}", "--name=origin-1"])
        self.edge = self.start("edge", [
            f"{bin_dir}/rtsp-edge", f"--origin=tcp://127.0.0.1:{self.zmq}",
            f"--rtsp=127.0.0.1:{self.edge_rtsp}", f"--http=127.0.0.1:{self.edge_http}",
            "--preload=cam1", f"--coordinator=127.0.0.1:{self.coord}", "--name=edge-1"])
        for port in (self.catchup, self.origin_http, self.edge_rtsp, self.edge_http,
                     self.coord_http):
            self.wait_port(port)
        self.url = f"rtsp://127.0.0.1:{self.edge_rtsp}/cam1"

    def wait_playable(self, timeout=15):
        """Until a short probe gets frames from the edge."""
        deadline = time.time() + timeout
        out = os.path.join(self.dir, "warmup.json")
        while time.time() < deadline:
            subprocess.run([sys.executable, PROBE, self.url, f"--json={out}", "--duration=1.5"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
            try:
                with open(out) as f:
                    if len(json.load(f)["frames"]) >= 5:
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.3)
        raise Failed(f"cam1 did not become playable at the edge; see {self.dir}")


def fds(proc):
    try:
        return len(os.listdir(f"/proc/{proc.pid}/fd"))
    except OSError:
        return -1


# -------------------------------------------------------------------------------------- ZMTP

ZMTP_SIG = b"\xff" + b"\x00" * 8 + b"\x7f"


def zmtp_greeting(major=3, minor=0, mechanism=b"NULL", as_server=0):
    return ZMTP_SIG + bytes([major, minor]) + mechanism.ljust(20, b"\x00") + bytes([as_server]) \
        + b"\x00" * 31


def zmtp_frame(body, more=False, command=False):
    flags = (1 if more else 0) | (4 if command else 0)
    if len(body) > 255:
        return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def zmtp_message(parts):
    return b"".join(zmtp_frame(p, more=i + 1 < len(parts)) for i, p in enumerate(parts))


class Zmtp:
    """A minimal ZMTP 3.0 DEALER (NULL mechanism) speaking to the catch-up ROUTER."""

    def __init__(self, port):
        self.s = connect(port)
        self.buf = b""

    def fill(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise ConnectionError("ROUTER closed the connection")
            self.buf += chunk

    def take(self, n):
        self.fill(n)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_frame(self):
        flags = self.take(1)[0]
        size = struct.unpack(">Q", self.take(8))[0] if flags & 2 else self.take(1)[0]
        return flags, self.take(size)

    def handshake(self):
        self.s.sendall(zmtp_greeting())
        g = self.take(64)
        if g[:1] != b"\xff" or g[9:10] != b"\x7f":
            raise Failed(f"catch-up port: not a ZMTP greeting: {g[:16]!r}")
        flags, body = self.read_frame()
        if not flags & 4 or not body.startswith(b"\x05READY"):
            raise Failed(f"catch-up port: expected READY, got {body[:32]!r}")
        ready = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", 6) + b"DEALER"
        self.s.sendall(zmtp_frame(ready, command=True))
        return self

    def send(self, parts):
        self.s.sendall(zmtp_message(parts))

    def recv(self, timeout=3.0):
        self.s.settimeout(timeout)
        parts = []
        while True:
            flags, body = self.read_frame()
            if flags & 4:
                continue  # a command (PING etc.)
            parts.append(body)
            if not flags & 1:
                return parts

    def close(self):
        self.s.close()


def exchange(z, messages, n, timeout):
    """Sends `messages` on z, reads the next n replies and closes z: (the first part of each
    reply, None), or (None, the error) when the connection failed on the way."""
    try:
        for parts in messages:
            z.send(parts)
        return [z.recv(timeout)[0] for _ in range(n)], None
    except (OSError, ConnectionError) as e:
        return None, e
    finally:
        z.close()


def catchup_answers(c):
    """Alive check for the ROUTER: CATCHUP/1 cam1 is answered OK with a GOP."""
    z = Zmtp(c.catchup).handshake()
    try:
        z.send([b"CATCHUP/1", b"cam1"])
        parts = z.recv(3.0)
        if parts[:2] != [b"OK", b"cam1"] or len(parts) < 5:
            return f"catch-up answered {[p[:12] for p in parts[:3]]}"
        return None
    finally:
        z.close()


def atk_zmq_random(c):
    return closed_by(c.catchup, [rand_bytes(4096 if i % 2 else 64) for i in range(20)], "origin")


def atk_zmq_greetings(c):
    bogus = [
        zmtp_greeting(major=9, minor=9),                         # unknown version
        zmtp_greeting(mechanism=b"BOGUS"),                       # unknown mechanism
        zmtp_greeting(mechanism=b"CURVE"),                       # mechanism mismatch
        zmtp_greeting(mechanism=b"PLAIN", as_server=1),
        b"\xff" + b"\x00" * 8 + b"\x7e" + rand_bytes(54),        # broken signature
        b"\x01\x00" + rand_bytes(200),                           # ZMTP/1.0-style identity frame
        ZMTP_SIG + b"\x03",                                      # truncated greeting
        zmtp_greeting() + zmtp_frame(b"\x05READY" + b"\xff" + rand_bytes(40), command=True),
        zmtp_greeting() + zmtp_frame(rand_bytes(300), command=True),  # garbage command
        zmtp_greeting() + zmtp_frame(b"\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB", command=True),
    ]
    return closed_by(c.catchup, bogus, "origin")


def atk_zmq_garbage_multipart(c):
    z = Zmtp(c.catchup).handshake()
    for _ in range(300):
        parts = [rand_bytes(rng.choice([0, 1, 9, 50, 300, 4000])) for _ in range(rng.randint(1, 6))]
        z.send(parts)
    z.send([b"CATCHUP/1", rand_bytes(100)])
    z.send([b"CATCHUP/1", b"cam1"])  # the same connection must still be served
    answers, err = exchange(z, [], 2, 3.0)  # NOT_FOUND for the random name, then cam1's
    if err:
        return f"then no answer ({err})"
    return f"then cam1 answered {answers[1][:10].decode(errors='replace')}"


def atk_zmq_truncated(c):
    cases = [
        zmtp_frame(b"CATCHUP/1", more=True),                       # MORE, then nothing
        zmtp_frame(b"CATCHUP/1", more=True) + b"\x00",             # header of the 2nd part cut
        b"\x00" + bytes([200]) + b"x" * 10,                         # size 200, 10 bytes sent
        b"\x02" + struct.pack(">Q", 100000) + b"y" * 5000,          # long frame cut short
        b"\x02\x00\x00",                                            # long size field cut
        b"\x01",                                                    # flags byte only
    ]
    n = 0
    for payload in cases:
        z = Zmtp(c.catchup).handshake()
        z.s.sendall(payload)
        time.sleep(0.05)
        z.close()
        n += 1
    return f"{n} connections cut mid-message"


def atk_zmq_versions(c):
    z = Zmtp(c.catchup).handshake()
    wrong = [[b"CATCHUP/0", b"cam1"], [b"CATCHUP/2", b"cam1"], [b"catchup/1", b"cam1"],
             [b"CATCHUP/1"], [b"CATCHUP/1", b"cam1", b"extra"], [b"CATCHUP/1\x00", b"cam1"],
             [b"", b"cam1"], [b"CATCHUP/1/x", b"cam1"]]
    for parts in wrong:
        z.send(parts)
    answered = []
    try:
        while True:
            answered.append(z.recv(0.5)[0])
    except (OSError, ConnectionError):
        pass
    z.send([b"CATCHUP/1", b"nosuchstream"])
    try:
        nf = z.recv(2.0)[0]
    except (OSError, ConnectionError):
        nf = b"(none)"
    z.close()
    return f"{len(answered)} answers to {len(wrong)} wrong versions; unknown stream: {nf.decode()}"


def atk_zmq_big_frame(c):
    """A real 32 MiB frame as the stream name, then a normal request on the same connection."""
    # The origin's ROUTER takes messages up to relay::kMaxCatchupRequestBytes: it drops the
    # connection, which is the answer wanted here.
    answers, err = exchange(Zmtp(c.catchup).handshake(),
                            [[b"CATCHUP/1", b"x" * (32 << 20)], [b"CATCHUP/1", b"cam1"]], 2, 5.0)
    if err:
        return f"connection dropped by the origin ({err.__class__.__name__})"
    return f"replies {answers[0].decode()}, {answers[1].decode()}"


def atk_zmq_big_name(c):
    # Over relay::kMaxCatchupRequestBytes: the origin drops it.
    answers, err = exchange(Zmtp(c.catchup).handshake(), [[b"CATCHUP/1", b"n" * (1 << 20)]], 1,
                            5.0)
    return f"1MiB name: {err}" if err else f"1MiB name: {answers[0].decode()}"


def atk_zmq_size_claims(c):
    notes = []
    for claim in (1 << 30, 1 << 62, (1 << 64) - 1):     # headers claiming huge frames
        z = Zmtp(c.catchup).handshake()
        z.s.sendall(b"\x02" + struct.pack(">Q", claim) + b"z" * 1000)
        _, closed = drain(z.s, 0.3)
        notes.append(f"2^{claim.bit_length() - 1}: {'closed' if closed else 'open'}")
        z.close()
    return "claims " + ", ".join(notes)


def atk_zmq_many_frames(c):
    z = Zmtp(c.catchup).handshake()
    n = 100000
    z.s.sendall(zmtp_frame(b"", more=True) * (n - 1) + zmtp_frame(b""))
    z.send([b"CATCHUP/1", b"cam1"])
    answers, err = exchange(z, [], 1, 5.0)
    return f"{n}-frame message, then {err}" if err else f"{n}-frame message, then {answers[0]!r}"


def zmq_flood(c, rate):
    """Valid requests for the live stream for 3 s (rate per second, 0: as fast as possible);
    the replies are never read."""
    z = Zmtp(c.catchup).handshake()
    one = zmtp_message([b"CATCHUP/1", b"cam1"])
    z.s.settimeout(0.5)
    sent = 0
    t0 = time.time()
    try:
        while time.time() - t0 < 3.0:
            if rate:
                due = int((time.time() - t0) * rate) - sent
                if due <= 0:
                    time.sleep(0.005)
                    continue
                z.s.sendall(one * due)
                sent += due
            else:
                z.s.sendall(one * 500)
                sent += 500
    except OSError:
        pass
    time.sleep(0.5)
    z.close()
    return f"{sent} requests in 3 s, replies unread"


def atk_zmq_flood(c):
    return zmq_flood(c, 0)


def atk_zmq_flood_paced(c):
    return zmq_flood(c, 1000)


# -------------------------------------------------------------------------------- gRPC / HTTP2

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def h2_frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(
        ">I", stream) + payload


def hpack_literal(name, value):
    """Literal header field without indexing, new name, no Huffman."""
    def s(x):
        assert len(x) < 127
        return bytes([len(x)]) + x
    return b"\x00" + s(name) + s(value)


def grpc_headers(path):
    return b"".join(hpack_literal(k, v) for k, v in [
        (b":method", b"POST"), (b":scheme", b"http"), (b":path", path),
        (b":authority", b"127.0.0.1"), (b"content-type", b"application/grpc"),
        (b"te", b"trailers")])


class H2:
    """Just enough HTTP/2 to push one oversized gRPC message with flow control."""

    def __init__(self, port):
        self.s = connect(port, 5)
        self.buf = b""
        self.conn_window = 65535
        self.stream_window = 65535
        self.initial = 65535
        self.events = []
        self.closed = False
        self.s.sendall(H2_PREFACE + h2_frame(4, 0, 0, b""))

    def read_frame(self, timeout):
        self.s.settimeout(timeout)
        while len(self.buf) < 9 or len(self.buf) < 9 + int.from_bytes(self.buf[:3], "big"):
            chunk = self.s.recv(65536)
            if not chunk:
                self.closed = True
                raise ConnectionError("closed")
            self.buf += chunk
        n = int.from_bytes(self.buf[:3], "big")
        ftype, flags = self.buf[3], self.buf[4]
        stream = struct.unpack(">I", self.buf[5:9])[0] & 0x7FFFFFFF
        payload, self.buf = self.buf[9:9 + n], self.buf[9 + n:]
        return ftype, flags, stream, payload

    def handle(self, f):
        ftype, flags, stream, payload = f
        if ftype == 4 and not flags & 1:      # SETTINGS
            for i in range(0, len(payload), 6):
                ident, val = struct.unpack(">HI", payload[i:i + 6])
                if ident == 4:
                    self.stream_window += val - self.initial
                    self.initial = val
            self.s.sendall(h2_frame(4, 1, 0, b""))
        elif ftype == 8:                      # WINDOW_UPDATE
            inc = struct.unpack(">I", payload)[0] & 0x7FFFFFFF
            if stream == 0:
                self.conn_window += inc
            else:
                self.stream_window += inc
        elif ftype == 6 and not flags & 1:    # PING
            self.s.sendall(h2_frame(6, 1, 0, payload))
        elif ftype == 3:                      # RST_STREAM
            self.events.append(f"RST_STREAM({struct.unpack('>I', payload)[0]})")
        elif ftype == 7:                      # GOAWAY
            self.events.append(f"GOAWAY({struct.unpack('>I', payload[4:8])[0]})")
        elif ftype == 1:                      # HEADERS
            i = payload.find(b"grpc-status")
            if i >= 0 and i + 12 < len(payload) and not payload[i + 11] & 0x80:
                n = payload[i + 11] & 0x7F
                self.events.append(f"HEADERS+grpc-status={payload[i + 12:i + 12 + n].decode()}")
            else:
                self.events.append("HEADERS" + ("+grpc-status" if i >= 0 else ""))

    def send_data(self, stream, data, deadline):
        off = 0
        while off < len(data):
            n = min(16384, len(data) - off, self.conn_window, self.stream_window)
            if n <= 0:
                if time.time() > deadline:
                    self.events.append(f"stalled after {off} bytes (no window)")
                    return off
                self.handle(self.read_frame(deadline - time.time()))
                if any(e.startswith(("RST", "GOAWAY")) for e in self.events):
                    return off
                continue
            self.s.sendall(h2_frame(0, 0, stream, data[off:off + n]))
            self.conn_window -= n
            self.stream_window -= n
            off += n
        return off

    def collect(self, timeout):
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                self.handle(self.read_frame(max(0.05, deadline - time.time())))
                if any(e.startswith(("RST", "GOAWAY", "HEADERS+")) for e in self.events):
                    return
        except (OSError, ConnectionError):
            pass


def atk_grpc_random(c):
    return closed_by(c.coord, [rand_bytes(16384 if i % 2 else 100) for i in range(20)],
                     "coordinator")


def atk_grpc_http1(c):
    reqs = [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            b"POST /rs.cluster.Coordinator/GetCluster HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/grpc\r\nContent-Length: 5\r\n\r\n\x00\x00\x00\x00\x00",
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
            b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n"]
    notes = []
    for data, closed in replies(c.coord, reqs, 1.0):
        if data.startswith(b"HTTP/"):
            notes.append(data.split(b"\r\n")[0].decode(errors="replace"))
        else:
            h2 = "h2 frames, " if data[3:4] in (b"\x04", b"\x07") else ""
            notes.append(f"{len(data)} B {h2}{'closed' if closed else 'open'}")
    return "replies: " + " | ".join(notes)


def atk_grpc_preface_garbage(c):
    payloads = [
        H2_PREFACE + rand_bytes(16384),
        H2_PREFACE + h2_frame(4, 0, 0, b"") + rand_bytes(4096),
        # a frame header announcing 16 MiB
        H2_PREFACE + h2_frame(4, 0, 0, b"") + b"\xff\xff\xff\x00\x00\x00\x00\x00\x01",
        H2_PREFACE + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, rand_bytes(500)),    # bad HPACK
        H2_PREFACE + h2_frame(4, 0, 0, b"") + h2_frame(1, 0, 1, grpc_headers(
            b"/rs.cluster.Coordinator/GetCluster")) + h2_frame(0, 1, 1, b"\x00\x00\x00\x00\x10" +
                                                                  rand_bytes(16)),  # bad proto
        H2_PREFACE + h2_frame(4, 0, 0, b"\x00\x04") ,                                # bad SETTINGS
        H2_PREFACE[:10],                                                               # cut preface
    ]
    outcomes = []
    for p in payloads:
        s = connect(c.coord)
        s.sendall(p)
        data, closed = drain(s, 0.5)
        outcomes.append("closed" if closed else "open")
        s.close()
    return f"{outcomes.count('closed')}/{len(payloads)} closed by coordinator"


def atk_grpc_oversized(c):
    notes = []
    # 8 MiB message (gRPC's default receive limit is 4 MiB; the coordinator sets no other).
    h = H2(c.coord)
    h.s.sendall(h2_frame(1, 4, 1, grpc_headers(b"/rs.cluster.Coordinator/AssignEdge")))
    size = 8 << 20
    body = b"\x00" + struct.pack(">I", size) + b"\x0a\x04cam1" + b"\x00" * (size - 6)
    try:
        sent = h.send_data(1, body, time.time() + 15)
        h.s.sendall(h2_frame(0, 1, 1, b""))
        h.collect(3)
        notes.append(f"8MiB: sent {sent >> 10} KiB, got {','.join(h.events) or 'nothing'}")
    except (OSError, ConnectionError) as e:
        notes.append(f"8MiB: {e}; got {','.join(h.events) or 'nothing'}")
    h.s.close()
    # A length prefix claiming 4 GiB - 1, a little data, then the connection goes away.
    h = H2(c.coord)
    h.s.sendall(h2_frame(1, 4, 1, grpc_headers(b"/rs.cluster.Coordinator/AssignEdge")) +
                h2_frame(0, 0, 1, b"\x00\xff\xff\xff\xff" + b"\x00" * 1000))
    h.collect(1)
    notes.append(f"claim 4GiB: got {','.join(h.events) or 'nothing'}")
    h.s.close()
    return "; ".join(notes)


def grpc_probe(c, timeout=20):
    t = time.time()
    r = subprocess.run([f"{c.bin}/rtsp-coordinator", f"--probe=127.0.0.1:{c.coord}"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return r.returncode == 0, time.time() - t


def atk_grpc_idle(c):
    socks = []
    refused = 0
    for _ in range(1000):
        try:
            socks.append(connect(c.coord))
        except OSError:
            refused += 1
    time.sleep(2)
    ok, took = grpc_probe(c)
    time.sleep(3)
    closed = sum(1 for s in socks[:50] if drain(s, 0.01)[1])
    close_all(socks)
    return (f"{len(socks)} held ({refused} refused) 5 s; probe during: "
            f"{'ok' if ok else 'FAILED'} in {took * 1000:.0f} ms; "
            f"{closed}/50 sampled cut by server")


def atk_grpc_report_flood(c):
    sim = f"{c.bin}/coordinator-sim"
    if not os.path.exists(sim):
        return "SKIPPED: no coordinator-sim"
    sims = [c.start(f"flood-{i}", [sim, f"--coordinator=127.0.0.1:{c.coord}", f"--name=flood-{i}",
                                   "--role=edge", "--report_interval_ms=10", "--streams=cam1"])
            for i in range(4)]
    time.sleep(6)
    ok, took = grpc_probe(c)
    try:
        nodes = len(json.loads(http_get(c.coord_http, "/api/cluster")[1]).get("nodes", []))
    except (OSError, ValueError) as e:
        nodes = f"? ({e})"
    for p in sims:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    return (f"4 nodes x 100 reports/s for 6 s; probe during: {'ok' if ok else 'FAILED'} in "
            f"{took * 1000:.0f} ms; nodes listed: {nodes}")


# ------------------------------------------------------------------------------------- HTTP

def http_statuses(port, payloads):
    """Each payload on a connection of its own: the HTTP status each got, or whether the server
    closed the connection or left it open without one."""
    return "replies: " + " ".join(
        data[9:12].decode(errors="replace") if data.startswith(b"HTTP/")
        else ("closed" if closed else "open") for data, closed in replies(port, payloads, 1.5))


def atk_http_garbage(port):
    payloads = [rand_bytes(4096), rand_bytes(100), b"\x00" * 2000, b"\r\n" * 5000,
                b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                b"BREW /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
                b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                H2_PREFACE + rand_bytes(1000), b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" +
                rand_bytes(500)]
    return http_statuses(port, payloads)


def atk_http_oversized(port):
    payloads = [
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
        b"GET /" + b"u" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + b"".join(
            b"X-H%d: %s\r\n" % (i, b"v" * 20) for i in range(100000)) + b"\r\n",  # ~3 MiB head
        b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n" + b"b" * 100000,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10000000\r\n\r\n"
        + b"b" * 100000,
    ]
    return http_statuses(port, payloads)


def atk_http_slowloris(port, n=10):
    """n connections each send a request head one byte every 500 ms for 7 s."""
    req = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 64 + b"\r\n\r\n"
    socks = hold(port, n)
    alive = set(range(len(socks)))
    t0 = time.time()
    cut_at = {}
    during = []

    def scrape():  # a normal client while the slow ones hold their connections
        t = time.time()
        try:
            status, _ = http_get(port, timeout=5)
        except OSError as e:
            status = f"no answer ({type(e).__name__})"
        during.append(f"{status} in {(time.time() - t) * 1000:.0f} ms")

    scraper = threading.Thread(target=scrape)
    for i in range(14):
        for k in list(alive):
            try:
                socks[k].sendall(req[i:i + 1])
            except OSError:
                alive.discard(k)
                cut_at[k] = time.time() - t0
        if i == 4:
            scraper.start()
        time.sleep(0.5)
    scraper.join()
    close_all(socks)
    cut = f"server cut {len(cut_at)}/{len(socks)}" + (
        f" after ~{min(cut_at.values()):.1f} s" if cut_at else " in 7 s")
    return f"{cut}; /healthz during: {during[0] if during else '?'}"


def atk_http_slowloris_300(port):
    return atk_http_slowloris(port, 300)


def atk_http_idle(port):
    socks = hold(port, 300)
    time.sleep(0.5)
    t = time.time()
    try:
        status, _ = http_get(port, timeout=15)
    except OSError as e:
        status = f"error {e}"
    took = time.time() - t
    time.sleep(2.0)
    close_all(socks)
    return f"{len(socks)} held 2.5 s; /healthz during: {status} in {took * 1000:.0f} ms"


# ----------------------------------------------------------------------------------- driver

class Matrix:
    def __init__(self):
        self.rows = []
        self.failures = []

    def header(self):
        print(f"{'port':<24} {'attack':<20} {'gap ms':>6} {'seq':>4} {'disc':>4} "
              f"{'fds':>9} {'alive':<5}  note", flush=True)

    def add(self, port, attack, gap_ms, seq, disc, fd_before, fd_after, alive, note, misses):
        row = (f"{port:<24} {attack:<20} {gap_ms:>6.0f} {seq:>4} {disc:>4} "
               f"{fd_before:>4}>{fd_after:<4} {'yes' if alive else 'NO':<5}  {note}")
        print(row + ("  <-- MISSED: " + "; ".join(misses) if misses else ""), flush=True)
        self.rows.append(row)
        if misses:
            self.failures.append(f"{port} / {attack}: {'; '.join(misses)}")


def attack(c, matrix, port_label, name, proc, fn, alive_check):
    slug = "".join(ch if ch.isalnum() else "_" for ch in f"{port_label}-{name}")
    vjson = os.path.join(c.dir, f"viewer-{slug}.json")
    viewer = subprocess.Popen([sys.executable, PROBE, c.url, f"--json={vjson}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    c.procs.append(("viewer", viewer))  # stopped with the cluster if the test is cut short
    time.sleep(1.5)
    before = fds(proc)
    t0 = time.time()
    try:
        note = fn()
    except Exception as e:  # an attack helper that breaks is a result too, not a crash here
        note = f"attack raised {type(e).__name__}: {e}"
    attack_s = time.time() - t0
    after = fds(proc)
    deadline = time.time() + FD_SETTLE_S
    while after > before + FD_SLACK and time.time() < deadline and proc.poll() is None:
        time.sleep(0.25)
        after = fds(proc)
    alive_err = None
    if proc.poll() is not None:
        alive_err = f"exited with {proc.returncode}"
    else:
        try:
            alive_err = alive_check()
        except Exception as e:
            alive_err = f"{type(e).__name__}: {e}"
    time.sleep(0.5)
    viewer.send_signal(signal.SIGTERM)
    try:
        viewer.wait(timeout=10)
    except subprocess.TimeoutExpired:
        viewer.kill()
        viewer.wait()
    try:
        with open(vjson) as f:
            v = json.load(f)
    except (OSError, ValueError):
        v = {"connected": False, "disconnected": "no summary", "seq_gaps": -1, "frames": []}
    times = [fr[0] for fr in v["frames"]]
    gaps = [b - a for a, b in zip(times, times[1:])]
    worst = max(gaps) if gaps else 99.0
    if gaps and worst >= MAX_GAP_S:
        at = times[gaps.index(worst)] - t0
        note += f" [worst gap starts {at:+.2f} s from attack start, attack took {attack_s:.2f} s]"
    disc = 0 if v["connected"] and not v["disconnected"] else 1
    misses = []
    expect_frames = int((attack_s + 1.0) * FPS * 0.8)
    if worst >= MAX_GAP_S:
        misses.append(f"viewer gap {worst * 1000:.0f} ms")
    if v["seq_gaps"]:
        misses.append(f"{v['seq_gaps']} RTP sequence gaps")
    if disc:
        misses.append(f"viewer disconnected: {v['disconnected'] or 'never connected'}")
    if len(times) < expect_frames:
        misses.append(f"viewer got {len(times)} frames, expected >= {expect_frames}")
    if after > before + FD_SLACK:
        misses.append(f"fds {before} -> {after} after {FD_SETTLE_S:.0f} s")
    if alive_err:
        misses.append(f"not answering: {alive_err}")
    if note.startswith("attack raised"):
        misses.append(note)
    matrix.add(port_label, name, worst * 1000, v["seq_gaps"], disc, before, after,
               alive_err is None, note, misses)


def healthz_ok(port):
    def check():
        status, body = http_get(port, timeout=5)
        return None if status == 200 else f"/healthz {status}"
    return check


def run_case(case, c, matrix):
    if case == "catchup":
        def alive():
            return healthz_ok(c.origin_http)() or catchup_answers(c)
        err = catchup_answers(c)
        if err:
            raise Failed(f"catch-up does not work before any attack: {err}")
        for name, fn in [("random bytes", atk_zmq_random), ("bogus greetings", atk_zmq_greetings),
                         ("garbage multipart", atk_zmq_garbage_multipart),
                         ("truncated multipart", atk_zmq_truncated),
                         ("wrong versions", atk_zmq_versions), ("32MiB frame", atk_zmq_big_frame),
                         ("1MiB stream name", atk_zmq_big_name),
                         ("huge size claims", atk_zmq_size_claims),
                         ("100k-frame message", atk_zmq_many_frames),
                         ("request flood 1k/s", atk_zmq_flood_paced),
                         ("request flood max", atk_zmq_flood)]:
            attack(c, matrix, f"catchup:{c.catchup}", name, c.origin, lambda fn=fn: fn(c), alive)
    elif case == "grpc":
        def alive():
            ok, _ = grpc_probe(c, timeout=10)
            if not ok:
                return "gRPC health probe failed"
            status, _ = http_get(c.coord_http, "/metrics", timeout=5)
            return None if status == 200 else f"/metrics {status}"
        for name, fn in [("random bytes", atk_grpc_random), ("HTTP/1 requests", atk_grpc_http1),
                         ("h2 preface+garbage", atk_grpc_preface_garbage),
                         ("oversized message", atk_grpc_oversized),
                         ("1000 idle conns", atk_grpc_idle),
                         ("report flood", atk_grpc_report_flood)]:
            attack(c, matrix, f"grpc:{c.coord}", name, c.coordinator, lambda fn=fn: fn(c), alive)
    else:
        who = case.split("-", 1)[1]
        port, proc = {"coordinator": (c.coord_http, c.coordinator), "edge": (c.edge_http, c.edge),
                      "origin": (c.origin_http, c.origin)}[who]
        for name, fn in [("garbage", atk_http_garbage), ("oversized heads", atk_http_oversized),
                         ("slowloris x10", atk_http_slowloris),
                         ("slowloris x300", atk_http_slowloris_300),
                         ("300 idle conns", atk_http_idle)]:
            attack(c, matrix, f"http:{who}:{port}", name, proc, lambda fn=fn: fn(port),
                   healthz_ok(port))


def on_sigterm(_signum, _frame):
    raise SystemExit(1)  # ctest's timeout: run the `finally` that stops every process


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--case", required=True,
                    choices=["catchup", "grpc", "http-coordinator", "http-edge", "http-origin"])
    args = ap.parse_args()
    bin_dir = os.path.abspath(args.bin)
    for b in ("rtsp-origin", "rtsp-edge", "rtsp-coordinator"):
        if not os.path.exists(os.path.join(bin_dir, b)):
            print(f"SKIPPED: {b} not built", flush=True)
            return SKIP
    workdir = procs.scratch_dir(f"hostile-{args.case}")
    matrix = Matrix()
    c = None
    try:
        c = Cluster(bin_dir, workdir)
        c.wait_playable()
        matrix.header()
        run_case(args.case, c, matrix)
        for name, p in c.procs:
            if name in ("coordinator", "origin", "edge") and p.poll() is not None:
                matrix.failures.append(f"{name} exited with {p.returncode}")
    except (Failed, subprocess.TimeoutExpired) as e:
        print(f"FAILED: {e} (logs in {workdir})", flush=True)
        return 1
    finally:
        if c:
            c.stop()
    matrix.failures += [f"sanitizer report in {r}" for r in procs.sanitizer_reports(workdir)]
    if matrix.failures:
        print(f"FAILED ({args.case}; logs in {workdir}):", flush=True)
        for f in matrix.failures:
            print(f"  {f}", flush=True)
        return 1
    print(f"PASSED ({args.case}; {procs.keep_logs_if(False, workdir)})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
