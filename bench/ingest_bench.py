#!/usr/bin/env python3
"""Push ingest (rtsp-origin --source=publish:, --ingest_rtsp): three measurements, one run.

1. Added latency publish -> viewer, pass-through, 1 reader. A Python RTSP publisher (ANNOUNCE
   with sprop-parameter-sets, SETUP RTP/AVP/TCP;interleaved=0-1;mode=record, RECORD, then RTP
   over the TCP connection: single NAL / FU-A, marker on each access unit's last packet, 90 kHz
   timestamps) sends a pre-encoded H.264 clip (testsrc2 1280x720 30 fps, libx264 -bf 0 -g 30,
   ~2 Mb/s) paced at 30 fps, putting into every access unit, right before its first slice, an
   SEI user_data_unregistered (payload type 5, our UUID, then the wall clock in microseconds,
   8 bytes) stamped as the unit's first packet is written. A Python reader at the edge
   (DESCRIBE / SETUP interleaved / PLAY) reassembles units (single NAL, STAP-A, FU-A), finds the
   SEI and records arrival of the unit's last packet - stamp. Arrival = the kernel's receive
   timestamp of the bytes (SO_TIMESTAMPNS, realtime clock; for TCP that of the last segment a
   read returned, so never early); when this script got around to reading them is kept too
   ("read"). Floor, same run: the same publisher into a Python socket that
   answers the handshake and parses the same interleaved RTP with the same code (no origin, no
   edge). Reported: p50/p90/p99/max of both and ours - floor. Target: <= 3 ms p50 added.
   Peer: none (MediaMTX is not packaged in Debian).
2. Publisher reconnect: the publisher is cut mid access unit (socket closed, no TEARDOWN) and
   comes back 2 s later (new ANNOUNCE/SETUP/RECORD, new SSRC, sequence and timestamp base,
   starting with the clip's first keyframe); the edge reader of (1) stays connected throughout.
   Per cycle: did the reader's RTSP/TCP connection stay up, and new session's first keyframe
   send stamp -> its arrival at the reader (target <= 1 s). 3 cycles.
3. N streams published at once (--streams, default 20): one origin with a --config of N
   publish: streams, N `ffmpeg -re -stream_loop -1 -i clip720.mp4 -c copy -f rtsp
   -rtsp_transport tcp` publishers (10 s testsrc2 1280x720 30 fps libx264 2M -bf 0 -g 30),
   one edge (--preload of all), and one `rtsp-bench --readers=1` per stream at the edge (no
   decoding; RTP sequence continuity, complete frames). Per stream: frames received, RTP
   sequence gaps (loss), origin frames published; the origin's and the edge's CPU from
   /proc/PID/stat (utime+stime) over the window: total and per stream. Target: no loss.

Every figure carries the machine's load: mean 1-minute load average (os.getloadavg, sampled
every second) and CPU busy % over all cores (/proc/stat; 100 = every core busy) during that
window. Everything runs on 127.0.0.1; children are stopped by PID at the end, on error, on
Ctrl-C and after --max_total seconds. Server logs stay in a temporary directory (printed).

  python3 bench/ingest_bench.py --bin=build/bin [--streams=20] [--quick]
  python3 bench/ingest_bench.py --bin=build/bin --quick --streams=4     # about a minute

Writes bench/results/ingest.json (--json). Python 3 standard library only; needs ffmpeg.
Exit status 0 when every part measured something (targets met or not: see the table and
"targets" in the JSON), 1 when a part produced no data.
"""

import argparse
import base64
import http.client
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchproc  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROCS = benchproc.Processes("ingest_bench")
log = PROCS.log

# Our SEI's UUID (uuid_iso_iec_11578): "ingest-bench" + 4 fixed bytes. Not the origin's
# capture-time UUID (media/sei.hpp), so nothing in the product reads or rewrites it.
SEI_UUID = b"ingest-bench" + bytes([0x5e, 0x1d, 0x7a, 0x42])
assert len(SEI_UUID) == 16
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux
SCM_TIMESTAMPNS = getattr(socket, "SCM_TIMESTAMPNS", SO_TIMESTAMPNS)
MAX_PAYLOAD = 1400  # RTP payload bytes before FU-A fragmentation
FPS = 30
CLOCK = 90000


def now_us():
    return time.time_ns() // 1000


# --------------------------------------------------------------------------------------------
# The machine and the processes during a window


def read_cpu_times():
    """(busy, total) jiffies of all CPUs from /proc/stat (idle and iowait count as not busy)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def proc_cpu_ticks(pid):
    """utime + stime of a process (or the sum over a list of them) in clock ticks, or None when
    one is gone."""
    if isinstance(pid, (list, tuple)):
        ticks = [proc_cpu_ticks(p) for p in pid]
        return None if None in ticks else sum(ticks)
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    except (OSError, IndexError, ValueError):
        return None


class Window:
    """One measurement window: the machine's mean 1-minute load average (sampled every second)
    and busy % over all cores, and the CPU % (of one core) of the processes in `pids` (name ->
    PID or list of PIDs, summed)."""

    def __init__(self, pids=None):
        self.pids = dict(pids or {})
        self.pids["bench"] = os.getpid()  # this script: publisher and readers
        self._stop = threading.Event()
        self._loads = [os.getloadavg()[0]]
        self._cpu0 = read_cpu_times()
        self._t0 = time.monotonic()
        self._ticks0 = {k: proc_cpu_ticks(p) for k, p in self.pids.items()}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.result = None

    def _run(self):
        while not self._stop.wait(1.0):
            self._loads.append(os.getloadavg()[0])

    def stop(self):
        if self.result is not None:
            return self.result
        self._stop.set()
        self._thread.join()
        self._loads.append(os.getloadavg()[0])
        cpu1 = read_cpu_times()
        elapsed = time.monotonic() - self._t0
        hz = os.sysconf("SC_CLK_TCK")
        busy = ((cpu1[0] - self._cpu0[0]) / (cpu1[1] - self._cpu0[1]) * 100
                if cpu1[1] > self._cpu0[1] else None)
        procs = {}
        for k, pid in self.pids.items():
            t1 = proc_cpu_ticks(pid)
            t0 = self._ticks0.get(k)
            procs[k] = (round((t1 - t0) / hz / elapsed * 100, 1)
                        if t0 is not None and t1 is not None and elapsed > 0 else None)
        self.result = {"seconds": round(elapsed, 2),
                       "load1": round(sum(self._loads) / len(self._loads), 2),
                       "load1_max": round(max(self._loads), 2),
                       "busy_pct": None if busy is None else round(busy, 1),
                       "cpu_pct": procs}
        return self.result


def load_cells(w):
    busy = "-" if w.get("busy_pct") is None else f"{w['busy_pct']:.0f}"
    return f"{w['load1']:6.2f} {busy:>6}"


# --------------------------------------------------------------------------------------------
# H.264 helpers


def split_annexb(data):
    """NAL units (no start codes) of an Annex-B byte string."""
    nals = []
    i = data.find(b"\x00\x00\x01")
    while i >= 0:
        start = i + 3
        j = data.find(b"\x00\x00\x01", start)
        end = len(data) if j < 0 else j
        nal = data[start:end]
        # A 4-byte start code leaves a zero at the end of the previous unit; trailing_zero_8bits.
        nal = nal.rstrip(b"\x00") if j >= 0 else nal
        if nal:
            nals.append(nal)
        i = j
    return nals


def access_units(nals):
    """Groups NAL units into access units (H.264 7.4.1.2.3): a new unit starts at an AUD, SPS,
    PPS or SEI after a slice, or at a slice with first_mb_in_slice == 0 after a slice."""
    aus, cur, seen_vcl = [], [], False
    for nal in nals:
        t = nal[0] & 0x1F
        vcl = 1 <= t <= 5
        starts = False
        if seen_vcl and (t in (6, 7, 8, 9) or 14 <= t <= 18):
            starts = True
        elif seen_vcl and vcl and len(nal) > 1 and nal[1] & 0x80:  # ue(v) first_mb == 0
            starts = True
        if starts and cur:
            aus.append(cur)
            cur, seen_vcl = [], False
        cur.append(nal)
        seen_vcl = seen_vcl or vcl
    if cur:
        aus.append(cur)
    return aus


def add_epb(rbsp):
    out, zeros = bytearray(), 0
    for b in rbsp:
        if zeros >= 2 and b <= 3:
            out.append(3)
            zeros = 0
        out.append(b)
        zeros = zeros + 1 if b == 0 else 0
    return bytes(out)


def remove_epb(ebsp):
    out, zeros = bytearray(), 0
    for b in ebsp:
        if zeros >= 2 and b == 3:
            zeros = 0
            continue
        out.append(b)
        zeros = zeros + 1 if b == 0 else 0
    return bytes(out)


def make_sei(stamp_us):
    """SEI NAL (header included): user_data_unregistered, our UUID, stamp as 8 bytes BE."""
    payload = SEI_UUID + stamp_us.to_bytes(8, "big")
    return b"\x06" + add_epb(bytes([5, len(payload)]) + payload + b"\x80")


def sei_number(rbsp, i):
    """An SEI payload type or size (0xFF bytes add 255 each, H.264 7.3.2.3.1) at rbsp[i]:
    (value, next index), or (None, i) when the bytes end first."""
    value = 0
    while i < len(rbsp) and rbsp[i] == 0xFF:
        value += 255
        i += 1
    if i >= len(rbsp):
        return None, i
    return value + rbsp[i], i + 1


def parse_sei(nal):
    """Our stamp from one SEI NAL unit (header included), or None."""
    rbsp = remove_epb(nal[1:])
    i = 0
    while i + 2 <= len(rbsp) and rbsp[i] != 0x80:
        ptype, i = sei_number(rbsp, i)
        if ptype is None:
            return None
        size, i = sei_number(rbsp, i)
        if size is None:
            return None
        if ptype == 5 and size >= 24 and rbsp[i:i + 16] == SEI_UUID:
            return int.from_bytes(rbsp[i + 16:i + 24], "big")
        i += size
    return None


def au_signature(nals, crc=0):
    """CRC-32 over the NAL units of an access unit other than SPS, PPS and AUD, each with a
    4-byte length: what must arrive byte for byte (the origin may add parameter sets)."""
    for nal in nals:
        if nal and nal[0] & 0x1F not in (7, 8, 9):
            crc = zlib.crc32(nal, zlib.crc32(len(nal).to_bytes(4, "big"), crc))
    return crc


def nal_payloads(nal):
    """RTP payloads for one NAL unit (RFC 6184): a single NAL unit packet, or FU-A fragments."""
    if len(nal) <= MAX_PAYLOAD:
        return [nal]
    indicator = (nal[0] & 0xE0) | 28
    ntype = nal[0] & 0x1F
    body = nal[1:]
    chunk = MAX_PAYLOAD - 2
    out = []
    for off in range(0, len(body), chunk):
        start = 0x80 if off == 0 else 0
        end = 0x40 if off + chunk >= len(body) else 0
        out.append(bytes([indicator, start | end | ntype]) + body[off:off + chunk])
    return out


class Clip:
    """A pre-encoded H.264 elementary stream, split into access units and pre-packetized; only
    the SEI is made at send time."""

    def __init__(self, path):
        aus = access_units(split_annexb(Path(path).read_bytes()))
        self.sps = next(n for au in aus for n in au if n[0] & 0x1F == 7)
        self.pps = next(n for au in aus for n in au if n[0] & 0x1F == 8)
        self.units = []  # (payloads before the SEI, payloads after, keyframe, bytes)
        self.nals = []  # (NAL units before the SEI, NAL units after): for the signature
        for au in aus:
            first_vcl = next((i for i, n in enumerate(au) if 1 <= n[0] & 0x1F <= 5), len(au))
            before = [p for n in au[:first_vcl] for p in nal_payloads(n)]
            after = [p for n in au[first_vcl:] for p in nal_payloads(n)]
            key = any(n[0] & 0x1F == 5 for n in au)
            self.units.append((before, after, key, sum(len(n) + 4 for n in au)))
            self.nals.append((au[:first_vcl], au[first_vcl:]))
        if not self.units[0][2]:
            raise SystemExit(f"ingest_bench: {path} does not start with a keyframe")
        self.mbps = sum(u[3] for u in self.units) * 8 / (len(self.units) / FPS) / 1e6

    def sdp(self):
        sprop = ",".join(base64.b64encode(x).decode() for x in (self.sps, self.pps))
        return ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=ingest_bench\r\nc=IN IP4 127.0.0.1\r\n"
                "t=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                f"a=fmtp:96 packetization-mode=1;profile-level-id={self.sps[1:4].hex()};"
                f"sprop-parameter-sets={sprop}\r\na=control:streamid=0\r\n")


# --------------------------------------------------------------------------------------------
# RTSP framing shared by every socket here: RTSP messages and '$' interleaved frames


class Interleaved:
    """Splits a TCP byte stream into RTSP messages (requests or responses) and interleaved
    frames. feed() calls on_message(start_line, headers, body) and on_frame(channel, payload,
    kernel_us, read_us) with the arrival times of the read that completed the frame."""

    def __init__(self, on_message, on_frame):
        self.buf = bytearray()
        self.on_message = on_message
        self.on_frame = on_frame

    def feed(self, data, kernel_us, read_us):
        self.buf += data
        buf = self.buf
        pos = 0
        while pos < len(buf):
            if buf[pos] == 0x24:  # '$'
                if len(buf) - pos < 4:
                    break
                channel = buf[pos + 1]
                size = (buf[pos + 2] << 8) | buf[pos + 3]
                if len(buf) - pos < 4 + size:
                    break
                self.on_frame(channel, bytes(buf[pos + 4:pos + 4 + size]), kernel_us, read_us)
                pos += 4 + size
                continue
            end = buf.find(b"\r\n\r\n", pos)
            if end < 0:
                if len(buf) - pos > 65536:
                    raise ValueError("RTSP message head over 64 KiB")
                break
            head = bytes(buf[pos:end]).decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            length = int(headers.get("content-length", "0"))
            if len(buf) - (end + 4) < length:
                break
            body = bytes(buf[end + 4:end + 4 + length])
            pos = end + 4 + length
            self.on_message(head[0], headers, body)
        del buf[:pos]


def recv_timed(sock, size=262144):
    """recvmsg with the kernel's receive timestamp: (data, kernel_us, read_us)."""
    data, anc, _flags, _addr = sock.recvmsg(size, socket.CMSG_SPACE(16))
    read_us = now_us()
    kernel_us = None
    for level, kind, cdata in anc:
        if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPNS and len(cdata) >= 16:
            sec, nsec = struct.unpack("qq", cdata[:16])
            kernel_us = sec * 1_000_000 + nsec // 1000
    return data, kernel_us if kernel_us is not None else read_us, read_us


# --------------------------------------------------------------------------------------------
# The receiving side: access units from RTP, the SEI stamp, arrival of the last packet


class AuAssembler:
    """RTP (H.264, RFC 6184) -> access units. Counts sequence gaps; per unit records the stamp
    of our SEI, arrival of its last packet (kernel / read), whether it holds an IDR slice and
    whether every packet of it arrived. Used by the floor and by the edge reader alike."""

    def __init__(self):
        self.frames = []  # dicts, see _finish
        self.packets = 0
        self.lost = 0
        self.gaps = []  # (wall us, sequence numbers missing)
        self.out_of_order = 0
        self.malformed = 0
        self.last_seq = None
        self.ssrcs = []  # (first seen wall us, ssrc, first seq, first ts)
        self._reset()

    def _reset(self):
        self.cur_nals = []
        self.cur_ts = None
        self.cur_stamp = None
        self.cur_key = False
        self.cur_broken = False
        self.cur_packets = 0
        self.fu_type = None
        self.fu_buf = None

    def _finish(self, complete, kernel_us, read_us):
        if self.cur_ts is not None:
            types = {n[0] & 0x1F for n in self.cur_nals}
            self.frames.append({"stamp": self.cur_stamp, "kernel": kernel_us, "read": read_us,
                                "key": self.cur_key, "complete": complete and not self.cur_broken,
                                "ts": self.cur_ts, "packets": self.cur_packets,
                                "sig": au_signature(self.cur_nals),
                                "sets": 7 in types and 8 in types})
        self._reset()

    def _nal(self, nal):
        if not nal:
            return
        self.cur_nals.append(nal)
        t = nal[0] & 0x1F
        if t == 5:
            self.cur_key = True
        elif t == 6 and self.cur_stamp is None:
            self.cur_stamp = parse_sei(nal)

    def on_rtp(self, pkt, kernel_us, read_us):
        if len(pkt) < 12 or pkt[0] >> 6 != 2:
            self.malformed += 1
            return
        self.packets += 1
        cc = pkt[0] & 0x0F
        marker = pkt[1] & 0x80
        seq, ts, ssrc = struct.unpack_from("!HII", pkt, 2)
        off = 12 + 4 * cc
        if pkt[0] & 0x10 and len(pkt) >= off + 4:
            off += 4 + 4 * struct.unpack_from("!H", pkt, off + 2)[0]
        end = len(pkt) - (pkt[-1] if pkt[0] & 0x20 else 0)
        payload = pkt[off:end]
        if not self.ssrcs or self.ssrcs[-1][1] != ssrc:
            self.ssrcs.append((read_us, ssrc, seq, ts))
        if self.last_seq is not None:
            d = (seq - self.last_seq) & 0xFFFF
            if d == 0 or d >= 0x8000:
                self.out_of_order += 1
                return
            if d > 1:
                self.lost += d - 1
                self.gaps.append((read_us, d - 1))
                self.cur_broken = True
        self.last_seq = seq
        if self.cur_ts is not None and ts != self.cur_ts:
            self._finish(False, kernel_us, read_us)  # the previous unit's marker never came
        if self.cur_ts is None:
            self.cur_ts = ts
        self.cur_packets += 1
        if not payload:
            self.malformed += 1
        else:
            t = payload[0] & 0x1F
            if 1 <= t <= 23:
                self._nal(payload)
            elif t == 24:  # STAP-A
                i = 1
                while i + 2 <= len(payload):
                    size = (payload[i] << 8) | payload[i + 1]
                    self._nal(payload[i + 2:i + 2 + size])
                    i += 2 + size
            elif t == 28 and len(payload) >= 2:  # FU-A
                fu = payload[1]
                ntype = fu & 0x1F
                if ntype == 5:
                    self.cur_key = True
                if fu & 0x80:
                    self.fu_type = ntype
                    self.fu_buf = bytearray([(payload[0] & 0xE0) | ntype]) + payload[2:]
                elif self.fu_type is None:
                    self.cur_broken = True  # a continuation without its start
                elif self.fu_buf is not None:
                    self.fu_buf += payload[2:]
                if fu & 0x40:
                    if self.fu_buf is not None and self.fu_type == ntype:
                        self._nal(bytes(self.fu_buf))
                    self.fu_type = self.fu_buf = None
            else:
                self.malformed += 1
        if marker:
            self._finish(True, kernel_us, read_us)


class FloorServer:
    """The floor: a socket that takes the publisher's handshake (200 OK to everything) and then
    parses its interleaved RTP with the same code as the edge reader. No origin, no edge."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.au = AuAssembler()
        self.closed = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            conn, _ = self.listener.accept()
            conn.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            conn.settimeout(1.0)
            self.listener.close()

            def on_message(start, headers, _body):
                reply = [f"RTSP/1.0 200 OK", f"CSeq: {headers.get('cseq', '0')}"]
                method = start.split(" ", 1)[0]
                if method == "SETUP":
                    reply.append(f"Transport: {headers.get('transport', '')}")
                if method in ("SETUP", "RECORD"):
                    reply.append("Session: floor;timeout=60")
                conn.sendall(("\r\n".join(reply) + "\r\n\r\n").encode())

            parser = Interleaved(on_message,
                                 lambda ch, p, k, r: ch == 0 and self.au.on_rtp(p, k, r))
            while True:
                try:
                    data, k, r = recv_timed(conn)
                except socket.timeout:
                    continue
                if not data:
                    break
                parser.feed(data, k, r)
        except OSError as e:
            self.error = str(e)
        finally:
            self.closed.set()


class EdgeReader:
    """A Python RTSP client at the edge: DESCRIBE, SETUP (TCP interleaved), PLAY, then reads RTP
    in its own thread into an AuAssembler until stop(). Records when and why its connection
    closed, if it did, and any RTSP message the server sends after PLAY."""

    def __init__(self, url, timeout=15.0):
        m = re.match(r"rtsp://([^:/]+):(\d+)(/.*)?$", url)
        self.url = url
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.au = AuAssembler()
        self.cseq = 0
        self.responses = []
        self.late_messages = []  # RTSP messages after PLAY (server requests, stray answers)
        self.playing = False
        self.closed_at = None
        self.close_reason = None
        self._stop = threading.Event()
        self.parser = Interleaved(self._on_message, self._on_frame)
        self.session = None
        self.channel = 0

    def _on_message(self, start, headers, body):
        if self.playing:
            self.late_messages.append((now_us(), start))
        self.responses.append((start, headers, body))

    def _on_frame(self, channel, payload, kernel_us, read_us):
        if channel == self.channel:
            self.au.on_rtp(payload, kernel_us, read_us)

    def _request(self, method, url, headers=(), deadline_s=10.0):
        self.cseq += 1
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self.cseq}",
                 "User-Agent: ingest_bench"] + list(headers)
        if self.session:
            lines.append(f"Session: {self.session}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            for i, (start, h, body) in enumerate(self.responses):
                if h.get("cseq") == str(self.cseq):
                    del self.responses[i]
                    status = int(start.split()[1])
                    return status, h, body
            data, k, r = recv_timed(self.sock)
            if not data:
                raise ConnectionError(f"{method}: the edge closed the connection")
            self.parser.feed(data, k, r)
        raise TimeoutError(f"{method}: no answer in {deadline_s} s")

    def play(self):
        status, h, body = self._request("DESCRIBE", self.url, ["Accept: application/sdp"])
        if status != 200:
            raise ConnectionError(f"DESCRIBE {self.url}: {status}")
        base = h.get("content-base", self.url).rstrip("/")
        control = None
        in_video = False
        for line in body.decode("latin-1").splitlines():
            if line.startswith("m="):
                in_video = line.startswith("m=video")
            elif in_video and line.startswith("a=control:") and control is None:
                control = line[len("a=control:"):].strip()
        if control is None or control == "*":
            track = base
        elif control.startswith("rtsp://"):
            track = control
        else:
            track = f"{base}/{control}"
        status, h, _ = self._request("SETUP", track,
                                     ["Transport: RTP/AVP/TCP;unicast;interleaved=0-1"])
        if status != 200:
            raise ConnectionError(f"SETUP {track}: {status}")
        self.session = h.get("session", "").split(";")[0]
        m = re.search(r"interleaved=(\d+)", h.get("transport", ""))
        self.channel = int(m.group(1)) if m else 0
        status, _, _ = self._request("PLAY", self.url, ["Range: npt=0.000-"])
        if status != 200:
            raise ConnectionError(f"PLAY {self.url}: {status}")
        self.playing = True
        self.sock.settimeout(0.5)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while not self._stop.is_set():
                try:
                    data, k, r = recv_timed(self.sock)
                except socket.timeout:
                    continue
                if not data:
                    self.closed_at, self.close_reason = now_us(), "the edge closed the connection"
                    return
                self.parser.feed(data, k, r)
        except (OSError, ValueError) as e:
            if not self._stop.is_set():
                self.closed_at, self.close_reason = now_us(), f"read failed: {e}"

    def stop(self):
        self._stop.set()
        if getattr(self, "thread", None):
            self.thread.join(2)
        try:
            self.sock.close()
        except OSError:
            pass


def play_when_ready(url, timeout_s):
    """An EdgeReader playing `url`, retrying while the edge answers 404/503 (no keyframe yet)."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        reader = None
        try:
            reader = EdgeReader(url)
            reader.play()
            return reader
        except (OSError, ConnectionError, TimeoutError) as e:
            last = e
            if reader:
                reader.stop()
            time.sleep(0.3)
    raise SystemExit(f"ingest_bench: could not play {url} within {timeout_s} s: {last}")


# --------------------------------------------------------------------------------------------
# The publisher


class Publisher:
    """Publishes a Clip over RTSP (ANNOUNCE / SETUP mode=record / RECORD, RTP interleaved on the
    TCP connection), paced at 30 fps, stamping our SEI into every access unit. Each session has
    a fresh SSRC, sequence and timestamp base and starts at the clip's first (key)frame."""

    def __init__(self, clip, host, port, path):
        self.clip = clip
        self.host, self.port, self.path = host, port, path
        self.sent = []  # (stamp us, session number, frame number in session, keyframe)
        self.sigs = {}  # stamp -> au_signature of what was sent (our SEI included)
        self.session_no = 0
        self.sock = None
        self.thread = None
        self._stop = threading.Event()
        self._cut = threading.Event()
        self.error = None
        self.handshakes = []  # per session: {"statuses": [...], "ms": ...}

    def _exchange(self, sock, buf, cseq, method, url, headers, body=b""):
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {cseq}", "User-Agent: ingest_bench"]
        lines += headers
        if body:
            lines.append(f"Content-Length: {len(body)}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        got = []
        parser = Interleaved(lambda s, h, b: got.append((s, h, b)), lambda *a: None)
        parser.buf = buf
        deadline = time.monotonic() + 5
        while not got:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method}: no answer in 5 s")
            data = sock.recv(65536)
            if not data:
                raise ConnectionError(f"{method}: the server closed the connection")
            parser.feed(data, 0, 0)
        start, h, _ = got[0]
        return int(start.split()[1]), h

    def connect(self):
        """One handshake; returns the list of statuses, raises ConnectionError when refused."""
        t0 = time.monotonic()
        url = f"rtsp://{self.host}:{self.port}/{self.path}"
        sock = socket.create_connection((self.host, self.port), timeout=5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray()
        statuses = []
        try:
            st, _ = self._exchange(sock, buf, 1, "OPTIONS", url, [])
            statuses.append(("OPTIONS", st))
            st, _ = self._exchange(sock, buf, 2, "ANNOUNCE", url,
                                   ["Content-Type: application/sdp"], self.clip.sdp().encode())
            statuses.append(("ANNOUNCE", st))
            if st != 200:
                raise ConnectionError(f"ANNOUNCE {url}: {st}")
            st, h = self._exchange(sock, buf, 3, "SETUP", f"{url}/streamid=0",
                                   ["Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record"])
            statuses.append(("SETUP", st))
            if st != 200:
                raise ConnectionError(f"SETUP {url}: {st}")
            session = h.get("session", "").split(";")[0]
            st, _ = self._exchange(sock, buf, 4, "RECORD", url,
                                   [f"Session: {session}", "Range: npt=0.000-"])
            statuses.append(("RECORD", st))
            if st != 200:
                raise ConnectionError(f"RECORD {url}: {st}")
        except BaseException:
            sock.close()
            raise
        sock.settimeout(None)
        self.sock = sock
        self.session_no += 1
        self.handshakes.append({"session": self.session_no, "statuses": statuses,
                                "ms": round((time.monotonic() - t0) * 1000, 2)})
        return statuses

    def start(self):
        self._stop.clear()
        self._cut.clear()
        self.thread = threading.Thread(target=self._run, args=(self.sock, self.session_no),
                                       daemon=True)
        self.thread.start()

    def _packets(self, index, frame, seq, ts_base, ssrc, stamp, upto=None):
        before, after, _key, _size = self.clip.units[index]
        payloads = before + [make_sei(stamp)] + after
        if upto is not None:
            payloads = payloads[:upto]
        out = []
        last = len(payloads) - 1
        ts = (ts_base + frame * (CLOCK // FPS)) & 0xFFFFFFFF
        for i, p in enumerate(payloads):
            hdr = struct.pack("!BBHII", 0x80, (0x80 if i == last and upto is None else 0) | 96,
                              (seq + i) & 0xFFFF, ts, ssrc)
            out.append(struct.pack("!cBH", b"$", 0, 12 + len(p)) + hdr + p)
        return out

    def _run(self, sock, session_no):
        rng = random.Random()
        seq, ts_base, ssrc = rng.randrange(65536), rng.randrange(1 << 32), rng.randrange(1 << 32)
        units = self.clip.units
        t0 = time.monotonic()
        frame = 0
        try:
            while not self._stop.is_set():
                due = t0 + frame / FPS
                wait = due - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    break
                index = frame % len(units)
                if self._cut.is_set():
                    # Cut mid access unit: half its packets, then the socket closes (no TEARDOWN).
                    n = max(1, (len(units[index][0]) + 1 + len(units[index][1])) // 2)
                    sock.sendall(b"".join(self._packets(index, frame, seq, ts_base, ssrc,
                                                        now_us(), upto=n)))
                    break
                stamp = now_us()
                pkts = self._packets(index, frame, seq, ts_base, ssrc, stamp)
                sock.sendall(b"".join(pkts))
                self.sent.append((stamp, session_no, frame, units[index][2]))
                before, after = self.clip.nals[index]
                self.sigs[stamp] = au_signature(after, au_signature(before + [make_sei(stamp)]))
                seq += len(pkts)
                frame += 1
        except OSError as e:
            self.error = f"session {session_no}: send failed after {frame} frames: {e}"
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def cut(self):
        """Stops abruptly: half of the next access unit, then close() (no TEARDOWN)."""
        self._cut.set()
        self.thread.join(5)

    def stop(self):
        self._stop.set()
        if self.thread:
            self.thread.join(5)


# --------------------------------------------------------------------------------------------
# Statistics


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else None


def summary(values_ms):
    if not values_ms:
        return {"count": 0, "p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    return {"count": len(values_ms), "p50_ms": round(pct(values_ms, 50), 3),
            "p90_ms": round(pct(values_ms, 90), 3), "p99_ms": round(pct(values_ms, 99), 3),
            "max_ms": round(max(values_ms), 3)}


def latency_window(au, sent, lo_us, hi_us, sigs=None):
    """Latency of the frames stamped in [lo, hi): kernel receive and read, ms; sent/received."""
    stamps = {s for s, *_ in sent if lo_us <= s < hi_us}
    got = [f for f in list(au.frames) if f["stamp"] in stamps]
    complete = [f for f in got if f["complete"]]
    sigs = sigs or {}
    compared = [f for f in complete if f["stamp"] in sigs]
    keys = [f for f in complete if f["key"]]
    return {"sent": len(stamps), "received": len(got), "complete": len(complete),
            "identical": sum(1 for f in compared if f["sig"] == sigs[f["stamp"]]),
            "compared": len(compared),
            "keyframes": len(keys), "keyframes_with_sps_pps": sum(1 for f in keys if f["sets"]),
            "latency": summary([(f["kernel"] - f["stamp"]) / 1000 for f in complete]),
            "read_latency": summary([(f["read"] - f["stamp"]) / 1000 for f in complete])}


def cell(v, fmt="{:.2f}", width=8):
    return f"{'-' if v is None else fmt.format(v):>{width}}"


# --------------------------------------------------------------------------------------------
# Processes and setup


def need(binary):
    if not binary.exists():
        sys.exit(f"ingest_bench: {binary} missing; build it first (cmake --build build) or pass "
                 "--bin=DIR")
    return binary


def free_port_pair():
    """A port p with p + 1 free too (the origin's catch-up endpoint is --publish's port + 1)."""
    p = benchproc.free_port_pair()
    if p is None:
        raise SystemExit("ingest_bench: no two adjacent free ports")
    return p


def wait_port(port, proc, name, timeout_s=15):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"ingest_bench: {name} exited with {proc.returncode} (see its log)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"ingest_bench: {name} not listening on {port} within {timeout_s} s")


def metrics(port):
    """Prometheus text of 127.0.0.1:port/metrics as {(name, frozenset(labels)): value}."""
    out = {}
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode(errors="replace")
        c.close()
    except OSError:
        return out
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if not m:
            continue
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        try:
            out[(m.group(1), labels)] = float(m.group(3))
        except ValueError:
            pass
    return out


def metric(ms, name, **labels):
    want = set(labels.items())
    vals = [v for (n, l), v in ms.items() if n == name and want <= set(l)]
    return sum(vals) if vals else None


def start_origin(args, logs, name, extra):
    zport = free_port_pair()
    hport = benchproc.free_port()
    argv = [str(args.bin / "rtsp-origin"), f"--publish=tcp://127.0.0.1:{zport}",
            f"--http=127.0.0.1:{hport}"] + extra
    log_file = open(logs / f"{name}.log", "w")
    proc = PROCS.start(argv, name, stdout=log_file, stderr=subprocess.STDOUT)
    return proc, zport, hport


def start_edge(args, logs, name, zport, preload):
    hport = benchproc.free_port()
    argv = [str(args.bin / "rtsp-edge"), f"--origin=tcp://127.0.0.1:{zport}",
            "--rtsp=127.0.0.1:0", f"--preload={preload}", f"--http=127.0.0.1:{hport}"]
    proc = PROCS.start(argv, name, stdout=subprocess.PIPE, stderr=open(logs / f"{name}.log", "w"))
    port = int(PROCS.wait_line(proc, r"rtsp-edge listening on 127\.0\.0\.1:(\d+)", 20))
    # Keep draining its stdout into the log so a chatty edge never blocks on a full pipe.
    def drain():
        with open(logs / f"{name}.stdout.log", "ab") as f:
            for chunk in iter(lambda: proc.stdout.read1(4096), b""):
                f.write(chunk)
    threading.Thread(target=drain, daemon=True).start()
    return proc, port, hport


def scan_logs(logs):
    """Warning and error lines of the servers' logs (first few of each)."""
    found = {}
    for path in sorted(logs.glob("*.log")):
        if path.name.startswith("ffmpeg"):
            pattern = re.compile(r"error|fail|invalid|broken|refused|non[- ]monoton", re.I)
        else:
            pattern = re.compile(r"\s(WARN|ERROR|FATAL)\s|abort|terminate|sanitizer")
        lines = [l.rstrip() for l in path.read_text(errors="replace").splitlines()
                 if pattern.search(l)]
        if lines:
            found[path.name] = {"count": len(lines), "first": lines[:8]}
    return found


# --------------------------------------------------------------------------------------------
# Clips


def ensure_clips(args):
    d = args.clip_dir
    d.mkdir(parents=True, exist_ok=True)
    common = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "10",
              "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
              "-b:v", "2M", "-maxrate", "2M", "-bufsize", "2M", "-bf", "0", "-g", "30",
              "-keyint_min", "30", "-sc_threshold", "0"]
    clips = {"h264": d / "clip720_bf0_g30_2M.h264", "mp4": d / "clip720_bf0_g30_2M.mp4"}
    for kind, path in clips.items():
        if path.exists() and path.stat().st_size > 100000:
            continue
        log(f"making {path} with ffmpeg (10 s testsrc2 1280x720 30 fps, libx264 2M -bf 0 -g 30)")
        tmp = path.with_suffix(path.suffix + ".part")
        fmt = ["-f", "h264"] if kind == "h264" else ["-movflags", "+faststart", "-f", "mp4"]
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"] + common + fmt +
                       [str(tmp)], check=True, timeout=600)
        tmp.rename(path)
    return clips


# --------------------------------------------------------------------------------------------
# Part 1 and 2: latency and reconnect


def warm_then_window(pub, au, warmup_s, duration_s, pids):
    time.sleep(warmup_s)
    lo = now_us()
    w = Window(pids)
    time.sleep(duration_s)
    machine = w.stop()
    hi = now_us()
    res = latency_window(au, pub.sent, lo, hi, pub.sigs)
    res["machine"] = machine
    return res


def part_latency(args, clip, logs):
    """Floor, then ours (origin + edge). Leaves ours running for the reconnect part: returns the
    publisher, the reader and the servers."""
    out = {}
    # Floor: the publisher straight into a Python socket.
    floor = FloorServer()
    pub = Publisher(clip, "127.0.0.1", floor.port, "pub1")
    pub.connect()
    pub.start()
    log(f"latency: floor (publisher -> Python socket), {args.warmup:.0f} s warm-up + "
        f"{args.duration:.0f} s")
    out["floor"] = warm_then_window(pub, floor.au, args.warmup, args.duration, {})
    out["floor"]["lost"] = floor.au.lost
    pub.stop()
    floor.closed.wait(3)

    # Ours: publisher -> origin (RTSP ingest) -> ZeroMQ -> edge -> Python reader.
    iport = benchproc.free_port()
    origin, zport, ohttp = start_origin(args, logs, "origin-single",
                                        ["--source=publish:", "--stream=pub1",
                                         f"--ingest_rtsp=127.0.0.1:{iport}"])
    wait_port(iport, origin, "rtsp-origin")
    edge, eport, ehttp = start_edge(args, logs, "edge-single", zport, "pub1")
    pub = Publisher(clip, "127.0.0.1", iport, "pub1")
    pub.connect()
    pub.start()
    url = f"rtsp://127.0.0.1:{eport}/pub1"
    reader = play_when_ready(url, 20)
    log(f"latency: ours (publisher -> rtsp-origin pid {origin.pid} -> rtsp-edge pid {edge.pid} "
        f"-> Python reader at {url}), {args.warmup:.0f} s warm-up + {args.duration:.0f} s")
    m0 = metrics(ehttp)
    out["ours"] = warm_then_window(pub, reader.au, args.warmup, args.duration,
                                   {"origin": origin.pid, "edge": edge.pid})
    m1 = metrics(ehttp)
    out["ours"]["lost"] = reader.au.lost
    out["ours"]["edge_split_ms"] = edge_split(m0, m1)
    out["added"] = {k: (None if out["ours"]["latency"][k] is None or
                        out["floor"]["latency"][k] is None
                        else round(out["ours"]["latency"][k] - out["floor"]["latency"][k], 3))
                    for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")}
    out["peer"] = "none available (MediaMTX is not packaged in Debian)"
    return out, {"pub": pub, "reader": reader, "origin": origin, "edge": edge,
                 "iport": iport, "ohttp": ohttp, "ehttp": ehttp}


def edge_split(m0, m1):
    """Mean origin publish -> edge receive and edge queue delay over the window, from the edge's
    histograms (ms), when it exports them."""
    out = {}
    for key, name in (("origin_to_edge", "rs_edge_origin_delay_seconds"),
                      ("edge_queue", "rs_edge_queue_delay_seconds")):
        s0, s1 = metric(m0, name + "_sum"), metric(m1, name + "_sum")
        c0, c1 = metric(m0, name + "_count"), metric(m1, name + "_count")
        if None not in (s0, s1, c0, c1) and c1 > c0:
            out[key + "_mean_ms"] = round((s1 - s0) / (c1 - c0) * 1000, 3)
    return out


def part_reconnect(args, ctx):
    pub, reader = ctx["pub"], ctx["reader"]
    cycles = []
    for c in range(1, args.cycles + 1):
        time.sleep(args.cycle_run)
        w = Window({"origin": ctx["origin"].pid, "edge": ctx["edge"].pid})
        frames_before = len(reader.au.frames)
        lost_before = reader.au.lost
        t_cut = now_us()
        pub.cut()
        log(f"reconnect {c}/{args.cycles}: publisher cut mid access unit (close, no TEARDOWN); "
            f"back in {args.gap:.0f} s")
        time.sleep(args.gap)
        refusals = []
        t_reconnect = now_us()
        deadline = time.monotonic() + 15
        while True:
            try:
                pub.connect()
                break
            except (OSError, ConnectionError, TimeoutError) as e:
                refusals.append(f"{(now_us() - t_reconnect) / 1000:.0f} ms: {e}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"ingest_bench: the publisher could not reconnect: {e}")
                time.sleep(0.25)
        pub.start()
        session = pub.session_no
        time.sleep(args.cycle_settle)
        machine = w.stop()
        first_sent = next((s for s in pub.sent if s[1] == session), None)
        row = {"cycle": c, "refusals": refusals,
               "handshake_ms": pub.handshakes[-1]["ms"],
               "reader_connected": reader.closed_at is None,
               "reader_close_reason": reader.close_reason,
               "rtsp_messages_from_edge": [m for _, m in reader.late_messages],
               "machine": machine}
        if first_sent is None:
            row["error"] = "the publisher sent nothing after reconnecting"
            cycles.append(row)
            continue
        stamp0 = first_sent[0]
        new = [f for f in reader.au.frames[frames_before:]
               if f["stamp"] is not None and f["stamp"] >= stamp0]
        first_kf = next((f for f in new if f["stamp"] == stamp0), None)
        first_any = new[0] if new else None
        old_after_cut = [f for f in reader.au.frames[frames_before:]
                         if f["stamp"] is not None and f["stamp"] < t_cut]
        last_old = next((f for f in reversed(reader.au.frames)
                         if f["stamp"] is not None and f["stamp"] < t_cut), None)
        row.update({
            "first_keyframe_sent_is_key": first_sent[3],
            "first_keyframe_delivered": first_kf is not None,
            "first_keyframe_ms": (None if first_kf is None
                                  else round((first_kf["kernel"] - stamp0) / 1000, 2)),
            # When the first keyframe never arrived: the first unit of the new session that did.
            "first_frame_ms": (None if first_any is None
                               else round((first_any["kernel"] - stamp0) / 1000, 2)),
            "first_frame_is_key": None if first_any is None else first_any["key"],
            "cut_to_first_frame_ms": (None if first_any is None
                                      else round((first_any["kernel"] - t_cut) / 1000, 1)),
            "first_keyframe_has_sps_pps": None if first_kf is None else first_kf["sets"],
            "frames_new_session": len(new),
            "frames_new_session_identical": sum(1 for f in new
                                                if f["sig"] == pub.sigs.get(f["stamp"])),
            "frames_sent_new_session": sum(1 for s in pub.sent if s[1] == session),
            "old_frames_after_cut": len(old_after_cut),
            "seq_lost_at_reader": reader.au.lost - lost_before,
        })
        if first_any is not None and last_old is not None:
            dts = ((first_any["ts"] - last_old["ts"]) & 0xFFFFFFFF)
            if dts >= 1 << 31:
                dts -= 1 << 32
            row["rtp_ts_step_ms"] = round(dts / 90, 1)
            row["wall_step_ms"] = round((first_any["stamp"] - (last_old["stamp"] or 0)) / 1000, 1)
        cycles.append(row)
        ok = row["first_keyframe_ms"]
        log(f"reconnect {c}: reader {'connected' if row['reader_connected'] else 'CLOSED'}, "
            f"first keyframe {'%.1f ms' % ok if ok is not None else 'not delivered'}")
    return cycles


# --------------------------------------------------------------------------------------------
# Part 3: N streams


def part_multi(args, clips, logs):
    n = args.streams
    names = [f"s{i}" for i in range(1, n + 1)]
    config = logs / "origin_multi.conf"
    config.write_text("".join(f'streams {{ stream: "{s}" source: "publish:" }}\n' for s in names))
    iport = benchproc.free_port()
    origin, zport, ohttp = start_origin(args, logs, "origin-multi",
                                        [f"--config={config}", f"--ingest_rtsp=127.0.0.1:{iport}"])
    wait_port(iport, origin, "rtsp-origin")
    edge, eport, ehttp = start_edge(args, logs, "edge-multi", zport, ",".join(names))
    log(f"{n} streams: rtsp-origin pid {origin.pid} (RTSP ingest {iport}), rtsp-edge pid "
        f"{edge.pid} ({eport}); starting {n} ffmpeg publishers")
    pubs = []
    for s in names:
        argv = ["ffmpeg", "-hide_banner", "-loglevel", "warning", "-nostdin", "-re",
                "-stream_loop", "-1", "-i", str(clips["mp4"]), "-c", "copy", "-f", "rtsp",
                "-rtsp_transport", "tcp", f"rtsp://127.0.0.1:{iport}/{s}"]
        pubs.append(PROCS.start(argv, f"ffmpeg {s}", stdout=subprocess.DEVNULL,
                                stderr=open(logs / f"ffmpeg-{s}.log", "w")))
    deadline = time.monotonic() + 30
    while True:
        ms = metrics(ohttp)
        up = [s for s in names if metric(ms, "rs_origin_source_up", stream=s) == 1]
        if len(up) == n:
            break
        dead = [p.name for p in pubs if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            raise SystemExit(f"ingest_bench: only {len(up)}/{n} streams up at the origin"
                             + (f"; exited: {', '.join(dead)}" if dead else "")
                             + f" (logs in {logs})")
        time.sleep(0.5)
    log(f"{n} streams up at the origin; {n} rtsp-bench readers, 2 s warm-up + "
        f"{args.multi_duration:.0f} s")
    time.sleep(2)  # the edge has a keyframe of every stream
    benches = []
    for s in names:
        j = logs / f"bench-{s}.json"
        argv = [str(args.bin / "rtsp-bench"), f"--url=rtsp://127.0.0.1:{eport}/{s}",
                "--readers=1", "--ramp=0s", "--warmup=2s",
                f"--duration={args.multi_duration}s", f"--json={j}", f"--label={s}", "--quiet"]
        benches.append((s, j, PROCS.start(argv, f"rtsp-bench {s}", stdout=subprocess.DEVNULL,
                                          stderr=open(logs / f"bench-{s}.log", "w"))))
    time.sleep(2.2)  # rtsp-bench's warm-up; the window opens
    o0, e0 = metrics(ohttp), metrics(ehttp)
    w = Window({"origin": origin.pid, "edge": edge.pid, "ffmpeg": [p.pid for p in pubs],
                "rtsp_bench": [b[2].pid for b in benches]})
    time.sleep(args.multi_duration)
    machine = w.stop()
    o1, e1 = metrics(ohttp), metrics(ehttp)
    rows = []
    for s, j, proc in benches:
        PROCS.wait_done(proc, 60, s)
        r = PROCS.read_result(j, s, proc.returncode) if j.exists() else None
        row = {"stream": s, "result": r is not None}

        def delta(m0, m1, name, **labels):
            a, b = metric(m0, name, **labels), metric(m1, name, **labels)
            return None if a is None or b is None else int(b - a)
        row["origin_frames_published"] = delta(o0, o1, "rs_origin_frames_published_total",
                                               stream=s)
        row["edge_frames_from_origin"] = delta(e0, e1, "rs_edge_origin_frames_total", stream=s)
        row["edge_origin_gaps"] = delta(e0, e1, "rs_edge_origin_gaps_total", stream=s)
        if r is not None:
            row.update(benchproc.pick(
                r, playing_at_end="readers_playing_at_end", disconnected="readers_disconnected",
                failures="failures", frames_complete="frames_complete",
                frames_incomplete="frames_incomplete", fps="fps_per_reader",
                mbps="mbps_per_reader", packets="packets", lost="lost",
                lost_whole_run="lost_whole_run", out_of_order="out_of_order",
                malformed="malformed", max_gap_ms="max_gap.max_ms", ttfk_ms="ttfk.p50_ms",
                window_s="window_s"))
        rows.append(row)
    publishers_alive = sum(1 for p in pubs if p.poll() is None)
    ocpu, ecpu = machine["cpu_pct"].get("origin"), machine["cpu_pct"].get("edge")
    result = {
        "streams": n, "window_s": args.multi_duration, "rows": rows, "machine": machine,
        "origin_cpu_pct": ocpu, "origin_cpu_pct_per_stream": None if ocpu is None
        else round(ocpu / n, 2),
        "edge_cpu_pct": ecpu, "edge_cpu_pct_per_stream": None if ecpu is None
        else round(ecpu / n, 2),
        "origin_publish_dropped": delta_total(o0, o1, "rs_origin_publish_dropped_frames_total"),
        "edge_frames_skipped": delta_total(e0, e1, "rs_edge_frames_skipped_total"),
        "edge_readers_dropped_slow": delta_total(e0, e1, "rs_edge_readers_dropped_slow_total"),
        "publishers_alive_at_end": publishers_alive,
        "origin_rss_kib": rss_kib(origin.pid), "edge_rss_kib": rss_kib(edge.pid),
    }
    for p in pubs:  # stop the publishers first: the origin then sees them leave
        if p.poll() is None:
            p.terminate()
    return result


def delta_total(m0, m1, name):
    a, b = metric(m0, name), metric(m1, name)
    return None if a is None or b is None else int(b - a)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------------------------
# Report


def machine_name():
    return f"{os.cpu_count()} cores, " + next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
        "?")


def print_heading(title, legend, head):
    """A part's title, what its columns mean, their heads and a rule under them."""
    print(title)
    print(legend)
    print(head)
    print("-" * len(head))


def print_latency(lat, clip_mbps):
    print_heading(
        f"\n== 1. Added latency publish -> viewer, pass-through, 1 reader (clip 1280x720 30 fps "
        f"{clip_mbps:.2f} Mb/s, GOP 30, no B-frames)",
        "latency = SEI send stamp (as the unit's first packet is written) -> kernel receive time "
        "of its last packet at the reader, ms; read = when the reader got to it; load1 / busy % = "
        "the machine during that window",
        f"{'path':<22} {'sent':>5} {'recv':>5} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8} "
        f"{'read p50':>8} {'read p99':>8} {'CPU %':>12} {'load1':>6} {'busy %':>6}")
    for name, key in (("floor (no servers)", "floor"), ("ours (origin + edge)", "ours")):
        r = lat[key]
        L, R = r["latency"], r["read_latency"]
        cpu = r["machine"]["cpu_pct"]
        cpu_s = "/".join("-" if cpu.get(k) is None else f"{cpu[k]:.0f}"
                         for k in ("origin", "edge", "bench"))
        print(f"{name:<22} {r['sent']:>5} {r['complete']:>5} {cell(L['p50_ms'])} "
              f"{cell(L['p90_ms'])} {cell(L['p99_ms'])} {cell(L['max_ms'])} "
              f"{cell(R['p50_ms'])} {cell(R['p99_ms'])} {cpu_s:>12} {load_cells(r['machine'])}")
    a = lat["added"]
    print(f"{'added (ours - floor)':<22} {'':>5} {'':>5} {cell(a['p50_ms'], '{:+.2f}')} "
          f"{cell(a['p90_ms'], '{:+.2f}')} {cell(a['p99_ms'], '{:+.2f}')} "
          f"{cell(a['max_ms'], '{:+.2f}')}")
    print(f"{'peer':<22} none available (MediaMTX is not packaged in Debian)")
    print("CPU % = rtsp-origin / rtsp-edge / this script (publisher + reader), % of one core")
    for key, name in (("floor", "floor"), ("ours", "ours")):
        r = lat[key]
        print(f"{name}: {r['identical']}/{r['compared']} units byte-identical to what was sent "
              "(every NAL unit but SPS/PPS/AUD, our SEI included); keyframes carrying SPS+PPS "
              f"in band: {r['keyframes_with_sps_pps']}/{r['keyframes']}")
    split = lat["ours"].get("edge_split_ms") or {}
    if split:
        print("ours, edge's own histograms (mean over the window): origin publish -> edge "
              f"receive {split.get('origin_to_edge_mean_ms', '-')} ms, edge queue -> socket "
              f"{split.get('edge_queue_mean_ms', '-')} ms")
    print(f"sequence numbers lost: floor {lat['floor']['lost']}, ours {lat['ours']['lost']}")


def print_reconnect(cycles, gap):
    print_heading(
        f"\n== 2. Publisher reconnect: cut mid access unit (close, no TEARDOWN), back after "
        f"{gap:.0f} s with a new ANNOUNCE/SETUP/RECORD starting at a keyframe; one edge reader "
        "throughout",
        "first KF = new session's first keyframe: send stamp -> kernel receive of its last packet "
        "at the reader, ms; cut->frame = cut -> first frame of the new session at the reader "
        "(includes the gap); load1 / busy % = the machine during the cycle",
        f"{'cycle':>5} {'reader':>10} {'refused':>7} {'first KF':>9} {'KF shown':>8} "
        f"{'cut->frame':>10} {'frames':>7} {'seq lost':>8} {'ts step':>8} {'wall step':>9} "
        f"{'load1':>6} {'busy %':>6}")
    for r in cycles:
        if "error" in r:
            print(f"{r['cycle']:>5} {r['error']}")
            continue
        print(f"{r['cycle']:>5} {'up' if r['reader_connected'] else 'CLOSED':>10} "
              f"{len(r['refusals']):>7} {cell(r['first_keyframe_ms'], '{:.1f}', 9)} "
              f"{'yes' if r['first_keyframe_delivered'] else 'no':>8} "
              f"{cell(r['cut_to_first_frame_ms'], '{:.0f}', 10)} "
              f"{r['frames_new_session']:>3}/{r['frames_sent_new_session']:<3} "
              f"{r['seq_lost_at_reader']:>8} {cell(r.get('rtp_ts_step_ms'), '{:.0f}')} "
              f"{cell(r.get('wall_step_ms'), '{:.0f}', 9)} {load_cells(r['machine'])}")
        if r["refusals"]:
            print(f"      refused: {'; '.join(r['refusals'][:3])}")
        if not r["first_keyframe_delivered"] and r["first_frame_ms"] is not None:
            print(f"      first keyframe not delivered; first frame of the new session after "
                  f"{r['first_frame_ms']:.1f} ms (keyframe: {r['first_frame_is_key']})")
        if r["frames_new_session_identical"] != r["frames_new_session"]:
            print(f"      only {r['frames_new_session_identical']}/{r['frames_new_session']} units "
                  "of the new session byte-identical to what was sent")
        if r["first_keyframe_has_sps_pps"] is False:
            print("      the new session's first keyframe reached the reader without SPS/PPS")
        if r["rtsp_messages_from_edge"]:
            print(f"      RTSP from the edge: {r['rtsp_messages_from_edge']}")
        if not r["reader_connected"]:
            print(f"      reader: {r['reader_close_reason']}")
    print("ts step / wall step = RTP timestamp / send-time difference, ms, between the last "
          "frame of the old session and the first of the new one at the reader")


def print_multi(m):
    mach = m["machine"]
    print_heading(
        f"\n== 3. {m['streams']} streams published at once (ffmpeg -re -c copy, 720p30 ~2 Mb/s "
        f"each) -> one origin -> one edge -> one rtsp-bench reader per stream, "
        f"{m['window_s']:.0f} s window",
        "frames = complete / incomplete access units at the reader in the window; lost = RTP "
        "sequence numbers skipped (window / whole run); origin pub = frames the origin published "
        "in the window; load1 / busy % = the machine during the window",
        f"{'stream':>6} {'frames':>11} {'fps':>6} {'Mb/s':>6} {'lost':>9} {'ooo':>4} "
        f"{'disc':>4} {'max gap':>8} {'origin pub':>10} {'load1':>6} {'busy %':>6}")
    for r in m["rows"]:
        if not r["result"]:
            print(f"{r['stream']:>6} no result from rtsp-bench")
            continue
        frames = f"{r['frames_complete']}/{r['frames_incomplete']}"
        lost = f"{r['lost']}/{r['lost_whole_run']}"
        print(f"{r['stream']:>6} {frames:>11} {r['fps']:6.2f} {r['mbps']:6.2f} {lost:>9} "
              f"{r['out_of_order']:>4} {r['disconnected']:>4} {cell(r['max_gap_ms'], '{:.0f}')} "
              f"{cell(r['origin_frames_published'], '{}', 10)} {load_cells(mach)}")
    ok = [r for r in m["rows"] if r["result"]]
    frames = (f"{sum(r['frames_complete'] for r in ok)}/"
              f"{sum(r['frames_incomplete'] for r in ok)}")
    lost = f"{sum(r['lost'] for r in ok)}/{sum(r['lost_whole_run'] for r in ok)}"
    print(f"{'total':>6} {frames:>11} {'':>6} {sum(r['mbps'] for r in ok):6.2f} {lost:>9} "
          f"{sum(r['out_of_order'] for r in ok):>4} {sum(r['disconnected'] for r in ok):>4} "
          f"{'':>8} {sum(r['origin_frames_published'] or 0 for r in m['rows']):>10} "
          f"{load_cells(mach)}")

    def f(v):
        return "-" if v is None else f"{v:.1f}"
    print(f"rtsp-origin CPU {f(m['origin_cpu_pct'])} % of one core "
          f"({f(m['origin_cpu_pct_per_stream'])} % per stream), RSS {m['origin_rss_kib']} KiB; "
          f"rtsp-edge CPU {f(m['edge_cpu_pct'])} % ({f(m['edge_cpu_pct_per_stream'])} % per "
          f"stream), RSS {m['edge_rss_kib']} KiB; load1 {mach['load1']:.2f} "
          f"(max {mach['load1_max']:.2f}), busy {mach['busy_pct']} % of "
          f"{os.cpu_count()} cores")
    cpu = mach["cpu_pct"]
    print(f"load generators: {m['streams']} ffmpeg publishers {f(cpu.get('ffmpeg'))} %, "
          f"{m['streams']} rtsp-bench {f(cpu.get('rtsp_bench'))} %, this script "
          f"{f(cpu.get('bench'))} % (of one core)")
    print(f"origin publish queue drops {m['origin_publish_dropped']}, edge frames skipped "
          f"{m['edge_frames_skipped']}, edge readers dropped slow "
          f"{m['edge_readers_dropped_slow']}, publishers still running "
          f"{m['publishers_alive_at_end']}/{m['streams']}")


# --------------------------------------------------------------------------------------------


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", type=Path, default=ROOT / "build" / "bin",
                   help="folder with rtsp-origin, rtsp-edge, rtsp-bench")
    p.add_argument("--streams", type=int, default=20, help="streams in part 3")
    p.add_argument("--quick", action="store_true",
                   help="short windows: 5 s latency, 10 s for part 3, 3 s per reconnect cycle")
    p.add_argument("--duration", type=float, help="part 1 window per path, s (20; quick 5)")
    p.add_argument("--multi_duration", type=float, help="part 3 window, s (30; quick 10)")
    p.add_argument("--cycles", type=int, default=3, help="reconnect cycles")
    p.add_argument("--gap", type=float, default=2.0, help="seconds the publisher stays away")
    p.add_argument("--skip", default="", help="parts to skip, e.g. 3 or 1,2 (2 needs 1)")
    p.add_argument("--clip_dir", type=Path,
                   help="where the clips are made once and kept (default: build/ingest_bench "
                        "when build/ exists, else the run's temporary directory)")
    p.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    p.add_argument("--max_total", type=int, default=900, help="hard stop for the whole run, s")
    args = p.parse_args()
    args.duration = args.duration or (5.0 if args.quick else 20.0)
    args.multi_duration = args.multi_duration or (10.0 if args.quick else 30.0)
    args.warmup = 2.0
    args.cycle_run = 2.0 if args.quick else 3.0  # publishing before each cut
    args.cycle_settle = 3.0 if args.quick else 5.0  # publishing after each reconnect
    args.skip = {x.strip() for x in args.skip.split(",") if x.strip()}
    if "1" in args.skip:
        args.skip.add("2")
    args.bin = args.bin.resolve()
    return args


def main():
    args = parse_args()
    for prog in ("rtsp-origin", "rtsp-edge", "rtsp-bench"):
        need(args.bin / prog)
    if subprocess.run(["which", "ffmpeg"], capture_output=True).returncode != 0:
        sys.exit("ingest_bench: ffmpeg not found (apt-get install ffmpeg)")
    PROCS.stop_on_signals()
    signal.alarm(args.max_total)
    tmp = Path(tempfile.mkdtemp(prefix="ingest_bench."))
    logs = tmp / "logs"
    logs.mkdir()
    if args.clip_dir is None:
        args.clip_dir = ROOT / "build" / "ingest_bench" if (ROOT / "build").is_dir() else tmp
    log(f"logs in {logs}; clips in {args.clip_dir}")
    result = {"bench": "ingest", "machine": machine_name(), "cpus": os.cpu_count(),
              "settings": {"quick": args.quick, "latency_window_s": args.duration,
                           "warmup_s": args.warmup, "streams": args.streams,
                           "multi_window_s": args.multi_duration, "cycles": args.cycles,
                           "gap_s": args.gap, "sei_uuid": SEI_UUID.hex()},
              "logs": str(logs),
              "targets": {"added_p50_ms": 3.0, "reconnect_first_keyframe_ms": 1000,
                          "multi_loss": 0}}
    lat = cycles = multi = None
    clip = None
    try:
        clips = ensure_clips(args)
        clip = Clip(clips["h264"])
        result["settings"]["clip_mbps"] = round(clip.mbps, 3)
        result["settings"]["clip_frames"] = len(clip.units)
        if "1" not in args.skip:
            lat, ctx = part_latency(args, clip, logs)
            result["latency"] = lat
            if "2" not in args.skip:
                cycles = part_reconnect(args, ctx)
                result["reconnect"] = {"cycles": cycles,
                                       "reader_connected_throughout":
                                           ctx["reader"].closed_at is None,
                                       "publisher_errors": ctx["pub"].error}
            ctx["pub"].stop()
            ctx["reader"].stop()
            for name in ("origin", "edge"):
                proc = ctx[name]
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(5)
                    except subprocess.TimeoutExpired:
                        proc.kill()
        if "3" not in args.skip and args.streams > 0:
            multi = part_multi(args, clips, logs)
            result["multi"] = multi
    finally:
        PROCS.stop_all()
    result["log_findings"] = scan_logs(logs)

    print(f"machine: {machine_name()}; publisher, readers, origin and edge share these cores "
          "(127.0.0.1 only)")
    if lat:
        print_latency(lat, clip.mbps)
    if cycles:
        print_reconnect(cycles, args.gap)
    if multi:
        print_multi(multi)
    verdict = {}
    if lat:
        a = lat["added"]["p50_ms"]
        verdict["added_p50_le_3ms"] = a is not None and a <= 3.0
    if cycles:
        verdict["reader_stayed_connected"] = all(c.get("reader_connected") for c in cycles)
        verdict["reconnect_keyframe_le_1s"] = all(
            c.get("first_keyframe_ms") is not None and c["first_keyframe_ms"] <= 1000
            for c in cycles)
    if multi:
        verdict["multi_no_loss"] = all(r["result"] and r["lost_whole_run"] == 0
                                       and r["disconnected"] == 0 for r in multi["rows"])
    result["verdict"] = verdict
    print("\ntargets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in verdict.items()))
    if result["log_findings"]:
        print("warnings/errors in the logs (first lines):")
        for name, f in result["log_findings"].items():
            print(f"  {name}: {f['count']} lines")
            for line in f["first"][:4]:
                print(f"    {line[:200]}")
    print(f"logs: {logs}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.json}")
    produced = ((lat is None or lat["ours"]["complete"] > 0) and
                (multi is None or any(r["result"] for r in multi["rows"])))
    return 0 if produced else 1


if __name__ == "__main__":
    sys.exit(main())
