#!/usr/bin/env python3
"""A plain RTSP reader for the cluster drills (TCP interleaved, no decoding, no failover).

It plays one URL and records, per RTP video packet, the arrival time, sequence number, RTP
timestamp and SSRC; it writes the H.264 elementary stream it received (Annex B) to --h264 so
that ffmpeg can tell whether any picture was broken. On SIGTERM, SIGINT, --duration or a lost
connection it writes a JSON summary to --json:

  {"url", "connected", "disconnected": null | reason, "packets", "ssrcs", "seq_gaps",
   "gap_times": [arrival_unix_s of the packet after each gap, ...],
   "frames": [[arrival_unix_s, rtp_ts, first_seq], ...]}
"""
import argparse
import base64
import json
import signal
import socket
import struct
import sys
import time
import urllib.parse

stop = False


def on_signal(_signum, _frame):
    global stop
    stop = True


class Rtsp:
    def __init__(self, url, timeout):
        self.url = url
        u = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((u.hostname, u.port or 554), timeout=timeout)
        self.cseq = 0
        self.buf = b""
        self.session = None

    def request(self, method, url, headers=None):
        self.cseq += 1
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self.cseq}", "User-Agent: rs-rtp-probe"]
        if self.session:
            lines.append(f"Session: {self.session}")
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def fill(self, n):
        """Reads until n bytes are buffered; a timeout leaves the buffer intact."""
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buf += chunk

    def read_item(self):
        """Returns ('rtp', channel, payload) or ('rtsp', status, headers, body)."""
        self.fill(1)
        if self.buf[:1] == b"$":
            self.fill(4)
            channel, length = struct.unpack("!BH", self.buf[1:4])
            self.fill(4 + length)
            payload, self.buf = self.buf[4:4 + length], self.buf[4 + length:]
            return ("rtp", channel, payload)
        while b"\r\n\r\n" not in self.buf:
            self.fill(len(self.buf) + 1)
        head_len = self.buf.index(b"\r\n\r\n") + 4
        text = self.buf[:head_len].decode(errors="replace").split("\r\n")
        status = int(text[0].split()[1])
        headers = {}
        for line in text[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        total = head_len + int(headers.get("content-length", "0"))
        self.fill(total)
        body, self.buf = self.buf[head_len:total], self.buf[total:]
        return ("rtsp", status, headers, body)

    def response(self):
        while True:
            item = self.read_item()
            if item[0] == "rtsp":
                return item[1], item[2], item[3]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--json", required=True)
    ap.add_argument("--h264", default="")
    ap.add_argument("--duration", type=float, default=0)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    summary = {"url": args.url, "connected": False, "disconnected": None, "packets": 0,
               "ssrcs": [], "seq_gaps": 0, "gap_times": [], "frames": []}
    out = open(args.h264, "wb") if args.h264 else None
    start = time.time()
    try:
        c = Rtsp(args.url, 5)
        c.request("DESCRIBE", args.url, {"Accept": "application/sdp"})
        status, headers, body = c.response()
        if status != 200:
            raise RuntimeError(f"DESCRIBE {status}")
        base = headers.get("content-base", args.url).rstrip("/")
        control, sprops = None, None
        in_video = False
        for line in body.decode(errors="replace").splitlines():
            if line.startswith("m="):
                in_video = line.startswith("m=video")
            elif in_video and line.startswith("a=control:") and control is None:
                control = line[len("a=control:"):].strip()
            elif in_video and "sprop-parameter-sets=" in line:
                sprops = line.split("sprop-parameter-sets=")[1].split(";")[0].strip()
        track = control if control and control.startswith("rtsp://") else f"{base}/{control or ''}"
        c.request("SETUP", track, {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
        status, headers, _ = c.response()
        if status != 200:
            raise RuntimeError(f"SETUP {status}")
        c.session = headers.get("session", "").split(";")[0]
        c.request("PLAY", base, {"Range": "npt=0.000-"})
        status, _, _ = c.response()
        if status != 200:
            raise RuntimeError(f"PLAY {status}")
        summary["connected"] = True
        if out and sprops:
            for ps in sprops.split(","):
                out.write(b"\x00\x00\x00\x01" + base64.b64decode(ps))
        c.sock.settimeout(0.5)
        last_seq, last_keepalive = None, time.time()
        au = bytearray()
        frame_open = True
        while not stop and (args.duration <= 0 or time.time() - start < args.duration):
            if time.time() - last_keepalive > 15:
                c.request("GET_PARAMETER", base)
                last_keepalive = time.time()
            try:
                item = c.read_item()
            except socket.timeout:
                continue
            if item[0] != "rtp" or item[1] != 0 or len(item[2]) < 12:
                continue
            pkt = item[2]
            now = time.time()
            b0, b1, seq, ts, ssrc = struct.unpack("!BBHII", pkt[:12])
            offset = 12 + 4 * (b0 & 0x0F)
            if b0 & 0x10:
                ext_len = struct.unpack("!H", pkt[offset + 2:offset + 4])[0]
                offset += 4 + 4 * ext_len
            end = len(pkt) - (pkt[-1] if b0 & 0x20 else 0)
            payload = pkt[offset:end]
            summary["packets"] += 1
            if ssrc not in summary["ssrcs"]:
                summary["ssrcs"].append(ssrc)
            if last_seq is not None and seq != (last_seq + 1) & 0xFFFF:
                summary["seq_gaps"] += 1
                summary["gap_times"].append(round(now, 4))
            last_seq = seq
            if frame_open:
                summary["frames"].append([round(now, 4), ts, seq])
                frame_open = False
            if out and payload:
                au += depacketize(payload)
            if b1 & 0x80:
                frame_open = True
                if out:  # whole access units only: a run cut mid-frame leaves no stub
                    out.write(au)
                au = bytearray()
    except Exception as e:  # noqa: BLE001 - every failure is reported in the summary
        summary["disconnected"] = f"{type(e).__name__}: {e}"
    if out:
        out.close()
    with open(args.json, "w") as f:
        json.dump(summary, f)
    return 0


def depacketize(payload):
    """RFC 6184 payload (single NAL, STAP-A, FU-A) -> Annex B bytes."""
    out = bytearray()
    nal_type = payload[0] & 0x1F
    if 1 <= nal_type <= 23:
        out += b"\x00\x00\x00\x01" + payload
    elif nal_type == 24:
        i = 1
        while i + 2 <= len(payload):
            n = struct.unpack("!H", payload[i:i + 2])[0]
            out += b"\x00\x00\x00\x01" + payload[i + 2:i + 2 + n]
            i += 2 + n
    elif nal_type == 28 and len(payload) >= 2:
        if payload[1] & 0x80:
            out += b"\x00\x00\x00\x01" + bytes([(payload[0] & 0xE0) | (payload[1] & 0x1F)])
        out += payload[2:]
    return out


if __name__ == "__main__":
    sys.exit(main())
