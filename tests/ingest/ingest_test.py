#!/usr/bin/env python3
"""Push ingest with real publishers, read back at an edge (docs/ingest.md).

One origin (streams `pub`, source publish:, and `pattern`, the test pattern), one edge, one
coordinator, all on 127.0.0.1 with free ports. Cases:

  publishers  ffmpeg RTSP over TCP and UDP, ffmpeg RTMP, ffmpeg SRT and GStreamer rtspclientsink
              each publish a clip; an ffmpeg reader at the edge decodes what it receives and its
              frames (decoded MD5 per frame) must be a contiguous run of the clip's frames, audio
              included where sent; the coordinator lists the publisher while it publishes.
  hostile     garbage after ANNOUNCE, a 1 MB SDP, RECORD without SETUP, interleaved data on a
              channel nobody set up, a publisher that vanishes mid-frame, one that stalls, bad
              ANNOUNCEs (no SDP type, malformed SDP, play-only or unknown stream, a second
              publisher), credentials (none, a reader's, a publisher's) and a picture above
              --ingest_max_size; meanwhile a viewer of `pattern` must lose nothing (no RTP
              sequence gap, no gap between frames over 200 ms) and the origin's fds come back.
  reconnect   a publisher vanishes (SIGKILL) and another one comes back 1 s later; a viewer at
              the edge stays connected, frames resume, and RTP time keeps increasing.

  ingest_test.py --bin=build/bin --case=publishers|hostile|reconnect
"""
import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import procs  # noqa: E402  (tests/support: free ports, the programs started and stopped)
from procs import Failed, free_port  # noqa: E402

PROBE = os.path.join(HERE, "..", "cluster", "rtp_probe.py")
FPS = 25


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def make_clip(path, size="320x240", seconds=6, audio=True):
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            f"testsrc2=size={size}:rate={FPS}"]
    if audio:
        argv += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    argv += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", str(FPS),
             "-bf", "0", "-pix_fmt", "yuv420p"]
    argv += ["-c:a", "aac", "-b:a", "64k"] if audio else []
    argv += [path]
    r = run(argv)
    if r.returncode != 0:
        raise Failed(f"cannot make the clip: {r.stderr}")


def video_hashes(lines):
    """Decoded-frame MD5s of stream 0 from ffmpeg -f framemd5 output."""
    out = []
    for line in lines.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if parts[0] == "0":
            out.append(parts[-1])
    return out


def audio_lines(lines):
    return sum(1 for line in lines.splitlines()
               if not line.startswith("#") and line.split(",")[0].strip() == "1")


class Cluster(procs.Programs):
    def __init__(self, bin_dir, workdir, extra_origin=()):
        super().__init__(workdir)
        self.bin = bin_dir
        self.ingest = free_port()
        self.rtmp = free_port()
        self.srt = free_port(socket.SOCK_DGRAM)
        self.zmq = free_port()
        self.edge = free_port()
        self.http = free_port()
        self.coord = free_port()
        self.coord_http = free_port()
        conf = os.path.join(workdir, "origin.conf")
        with open(conf, "w") as f:
            f.write('streams { stream: "pub" source: "publish:" }\n'
                    'streams { stream: "pattern" '
                    'source: "test://pattern?size=320x180&fps=15&bitrate=300k&gop=15" }\n')
        self.coordinator = self.start("coordinator", [
            f"{bin_dir}/rtsp-coordinator", f"--listen=127.0.0.1:{self.coord}",
            f"--http=127.0.0.1:{self.coord_http}"])
        self.origin = self.start("origin", [
            f"{bin_dir}/rtsp-origin", f"--config={conf}", f"--publish=tcp://127.0.0.1:{self.zmq}",
            "--catchup=none", f"--ingest_rtsp=127.0.0.1:{self.ingest}",
            f"--ingest_rtmp=127.0.0.1:{self.rtmp}", f"--ingest_srt=127.0.0.1:{self.srt}",
            f"--http=127.0.0.1:{self.http}", f"--coordinator=127.0.0.1:{self.coord}",
            "--name=origin-1", "--encoder=libx264", *extra_origin])
        self.edge_proc = self.start("edge", [
            f"{bin_dir}/rtsp-edge", f"--origin=tcp://127.0.0.1:{self.zmq}",
            f"--rtsp=127.0.0.1:{self.edge}", "--preload=pub,pattern", "--io_threads=1"])
        self.wait_port(self.ingest)
        self.wait_port(self.edge)

    def url(self, stream):
        return f"rtsp://127.0.0.1:{self.edge}/{stream}"

    def log(self, name):
        with open(os.path.join(self.dir, f"{name}.log"), errors="replace") as f:
            return f.read()

    def origin_fds(self):
        return len(os.listdir(f"/proc/{self.origin.pid}/fd"))

    def cluster_view(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.coord_http}/api/cluster", timeout=3) as r:
            return json.load(r)

    def check_alive(self):
        for name, p in self.procs:
            if name in ("coordinator", "origin", "edge") and p.poll() is not None:
                raise Failed(f"{name} exited with {p.returncode}; see {self.dir}/{name}.log")


def wait_live(cluster, stream, timeout=10):
    """Until the edge answers DESCRIBE for `stream` with an SDP (the stream is live)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = run(["ffprobe", "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp",
                 "-show_entries", "stream=codec_name", "-of", "csv=p=0", cluster.url(stream)],
                timeout=15)
        if r.returncode == 0 and "h264" in r.stdout:
            return r.stdout.split()
        time.sleep(0.3)
    raise Failed(f"{stream} did not become playable at the edge")


# ---------------------------------------------------------------- publishers

def publisher_argv(kind, clip, cluster):
    ff = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-i", clip, "-c", "copy"]
    if kind == "ffmpeg-rtsp-tcp":
        return ff + ["-f", "rtsp", "-rtsp_transport", "tcp", f"rtsp://127.0.0.1:{cluster.ingest}/pub"]
    if kind == "ffmpeg-rtsp-udp":
        return ff + ["-f", "rtsp", "-rtsp_transport", "udp", f"rtsp://127.0.0.1:{cluster.ingest}/pub"]
    if kind == "ffmpeg-rtmp":
        return ff + ["-f", "flv", f"rtmp://127.0.0.1:{cluster.rtmp}/live/pub"]
    if kind == "ffmpeg-srt":
        return ff + ["-f", "mpegts", f"srt://127.0.0.1:{cluster.srt}?pkt_size=1316"]
    if kind == "gst-rtspclientsink":
        return ["gst-launch-1.0", "-q", "filesrc", f"location={clip}", "!", "qtdemux", "!",
                "h264parse", "!", "rtspclientsink", f"location=rtsp://127.0.0.1:{cluster.ingest}/pub",
                "protocols=tcp"]
    raise ValueError(kind)


def case_publishers(cluster, workdir):
    clip = os.path.join(workdir, "clip.mp4")
    make_clip(clip, seconds=7)
    r = run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", clip, "-map", "0:v",
             "-fps_mode", "passthrough", "-f", "framemd5", "-"])
    source = video_hashes(r.stdout)
    if len(source) < FPS * 6:
        raise Failed(f"the clip decodes to {len(source)} frames")
    results = []
    kinds = ["ffmpeg-rtsp-tcp", "ffmpeg-rtsp-udp", "ffmpeg-rtmp", "ffmpeg-srt", "gst-rtspclientsink"]
    for kind in os.environ.get("INGEST_PUBLISHERS", ",".join(kinds)).split(","):
        pub = cluster.start(f"publisher-{kind}", publisher_argv(kind, clip, cluster))
        try:
            codecs = wait_live(cluster, "pub", timeout=12)
            listed = None
            if kind == "ffmpeg-rtsp-tcp":
                deadline = time.time() + 5
                while time.time() < deadline and not listed:
                    for s in cluster.cluster_view().get("streams", []):
                        if s.get("stream") == "pub" and s.get("publisher"):
                            listed = s["publisher"]
                    time.sleep(0.3)
                if not listed or listed.get("protocol") != "rtsp" or \
                        not listed.get("address", "").startswith("127.0.0.1:"):
                    raise Failed(f"the coordinator does not list the RTSP publisher: {listed}")
            # Every decoded frame, as it came (no frame-rate conversion), 60 video frames.
            rec = run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-timeout", "5000000",
                       "-rtsp_transport", "tcp", "-i", cluster.url("pub"), "-map", "0",
                       "-fps_mode", "passthrough", "-frames:v", "60", "-f", "framemd5", "-"],
                      timeout=20)
        finally:
            try:
                pub.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(pub.pid, signal.SIGKILL)
                pub.wait()
        got = video_hashes(rec.stdout)
        if len(got) < 60:
            raise Failed(f"{kind}: the edge reader decoded {len(got)} frames; {rec.stderr[-400:]}")
        try:
            first = source.index(got[0])
        except ValueError:
            raise Failed(f"{kind}: the first frame read at the edge is not a frame of the clip")
        if source[first:first + len(got)] != got:
            bad = next(i for i, h in enumerate(got) if first + i >= len(source) or source[first + i] != h)
            where = source.index(got[bad]) if got[bad] in source else None
            with open(os.path.join(workdir, f"{kind}.framemd5"), "w") as f:
                f.write(rec.stdout)
            raise Failed(f"{kind}: frame {bad} read at the edge is clip frame {where}; "f"{kind}: frame {bad} of {len(got)} read at the edge differs from the clip's "
                         f"frame {first + bad} (lost, repeated or corrupted)")
        want_audio = kind.startswith("ffmpeg")
        audio = audio_lines(rec.stdout)
        if want_audio and ("aac" not in codecs or audio == 0):
            raise Failed(f"{kind}: no audio at the edge (codecs {codecs}, {audio} audio frames)")
        results.append(f"{kind}: {len(got)} frames identical to clip frames {first}..{first + len(got) - 1}"
                       f", {audio} audio frames" + (f", listed as {listed['protocol']} {listed['address']}"
                                                    if listed else ""))
        print("  " + results[-1], flush=True)
        time.sleep(0.5)  # the publisher's end reaches the origin (TEARDOWN, EOF)
    cluster.check_alive()


# ---------------------------------------------------------------- hostile

SDP = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=hostile\r\nt=0 0\r\n"
       "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
       "a=fmtp:96 packetization-mode=1\r\na=control:streamid=0\r\n")


class Raw:
    """A hand-driven RTSP connection to the ingest port."""

    def __init__(self, port):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.cseq = 0
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method, path, headers=None, body=b""):
        self.cseq += 1
        lines = [f"{method} rtsp://127.0.0.1:{self.port}/{path} RTSP/1.0", f"CSeq: {self.cseq}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return self.response()

    def response(self):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return 0, {}
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode(errors="replace").split("\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        length = int(headers.get("content-length", ["0"])[0])
        while len(self.buf) < length:
            self.buf += self.sock.recv(65536)
        self.buf = self.buf[length:]
        return int(lines[0].split()[1]), headers

    def closed(self, timeout=3):
        """True when the server closes the connection within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except (socket.timeout, TimeoutError):
            return False
        except OSError:
            return True

    def close(self):
        self.sock.close()


def expect(what, got, want):
    if got != want:
        raise Failed(f"{what}: got {got}, want {want}")
    print(f"  {what}: {got}", flush=True)


def announce(c, path="pub", body=SDP, headers=None):
    h = {"Content-Type": "application/sdp"}
    h.update(headers or {})
    return c.request("ANNOUNCE", path, h, body.encode())


def record_session(c, path="pub", headers=None):
    st, _ = announce(c, path, headers=headers)
    if st != 200:
        raise Failed(f"ANNOUNCE {st}")
    st, h = c.request("SETUP", f"{path}/streamid=0",
                      {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record", **(headers or {})})
    if st != 200:
        raise Failed(f"SETUP {st}")
    session = h["session"][0].split(";")[0]
    st, _ = c.request("RECORD", path, {"Session": session, **(headers or {})})
    if st != 200:
        raise Failed(f"RECORD {st}")
    return session


def case_hostile(cluster, workdir, bin_dir):
    wait_live(cluster, "pattern")
    time.sleep(1)
    baseline = cluster.origin_fds()
    probe_json = os.path.join(workdir, "viewer.json")
    viewer = cluster.start("viewer", [sys.executable, PROBE, cluster.url("pattern"),
                                      f"--json={probe_json}"])
    time.sleep(2)
    port = cluster.ingest

    c = Raw(port)
    expect("ANNOUNCE then garbage: ANNOUNCE", announce(c)[0], 200)
    c.send(os.urandom(3000).replace(b"$", b"x"))
    expect("ANNOUNCE then garbage: connection closed", c.closed(), True)
    c.close()

    c = Raw(port)
    big = "v=0\r\n" + "a=x:" + "y" * (1 << 20) + "\r\n"
    c.send(f"ANNOUNCE rtsp://127.0.0.1:{port}/pub RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\n"
           f"Content-Length: {len(big)}\r\n\r\n".encode())
    try:
        c.send(big.encode())
    except OSError:
        pass
    expect("1 MB SDP: status", c.response()[0], 413)
    c.close()

    c = Raw(port)
    announce(c)
    expect("RECORD without SETUP", c.request("RECORD", "pub")[0], 455)
    c.close()

    c = Raw(port)
    record_session(c)
    c.send(b"$\xc8\x00\x10" + os.urandom(16))  # channel 200: nobody set it up
    expect("interleaved channel out of range: still answers", c.request("OPTIONS", "pub")[0], 200)
    c.send(b"$\x00\x05\xdc" + os.urandom(200))  # a 1500-byte frame cut after 200 bytes
    c.close()  # vanishes mid-frame

    c = Raw(port)
    expect("ANNOUNCE without Content-Type", c.request("ANNOUNCE", "pub", {}, SDP.encode())[0], 415)
    expect("ANNOUNCE with a malformed SDP",
           announce(c, body="this is not an SDP\r\n")[0], 400)
    st, h = announce(c, "pattern")
    expect("ANNOUNCE to a play-only stream", st, 405)
    expect("  its Allow header", h.get("allow"), ["OPTIONS"])
    expect("RECORD on a play-only stream", c.request("RECORD", "pattern")[0], 405)
    expect("ANNOUNCE to an unknown stream", announce(c, "nosuch")[0], 404)
    expect("DESCRIBE at the ingest port", c.request("DESCRIBE", "pub")[0], 405)
    c.close()

    first = Raw(port)
    record_session(first)
    second = Raw(port)
    expect("a second publisher", announce(second)[0], 409)
    second.close()
    # The first one now stalls (sends nothing): dropped after --ingest_timeout (2 s here).
    expect("a stalled publisher is dropped", first.closed(timeout=6), True)
    first.close()
    if "publisher stalled" not in cluster.log("origin"):
        raise Failed("the origin did not log the stalled publisher")
    print("  a stalled publisher: dropped with 'publisher stalled'", flush=True)

    # Credentials are checked by a second origin with an auth file (its own ingest port).
    check_auth(bin_dir, workdir)

    # A picture above --ingest_max_size (640x480 here).
    big_clip = os.path.join(workdir, "big.mp4")
    make_clip(big_clip, size="1280x720", seconds=3, audio=False)
    r = run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-i", big_clip,
             "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp",
             f"rtsp://127.0.0.1:{port}/pub"], timeout=20)
    if "--ingest_max_size" not in cluster.log("origin"):
        raise Failed(f"a 1280x720 publisher was not refused by --ingest_max_size=640x480: {r.stderr[-300:]}")
    print("  a 1280x720 publisher over --ingest_max_size=640x480: dropped", flush=True)

    time.sleep(3)
    os.kill(viewer.pid, signal.SIGTERM)
    viewer.wait(timeout=10)
    with open(probe_json) as f:
        v = json.load(f)
    times = [fr[0] for fr in v["frames"]]
    gaps = [b - a for a, b in zip(times, times[1:])]
    worst = max(gaps) if gaps else 99
    print(f"  viewer of 'pattern': {len(times)} frames, {v['seq_gaps']} sequence gaps, "
          f"largest gap {worst * 1000:.0f} ms, disconnected: {v['disconnected']}", flush=True)
    if not v["connected"] or v["disconnected"] or v["seq_gaps"] or worst > 0.2 or len(times) < 50:
        raise Failed("the normal viewer lost something during the hostile publishers")
    time.sleep(1)
    fds = cluster.origin_fds()
    print(f"  origin fds: {baseline} before, {fds} after", flush=True)
    if fds > baseline + 2:
        raise Failed(f"the origin holds {fds - baseline} more fds than before")
    cluster.check_alive()


def check_auth(bin_dir, workdir):
    auth = os.path.join(workdir, "publish.auth")
    with open(auth, "w") as f:
        f.write("user viewer vpass\nuser cam campass\nstream pub viewer\npublish pub cam\n")
    port, zmq = free_port(), free_port()
    log = open(os.path.join(workdir, "origin-auth.log"), "w")
    p = subprocess.Popen([f"{bin_dir}/rtsp-origin", "--source=publish:", "--stream=pub",
                          f"--publish=tcp://127.0.0.1:{zmq}", "--catchup=none",
                          f"--ingest_rtsp=127.0.0.1:{port}", f"--ingest_auth_file={auth}",
                          "--encoder=libx264"], stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise Failed("the origin with an auth file did not start")
                time.sleep(0.1)
        c = Raw(port)
        st, h = announce(c)
        expect("publishing without credentials", st, 401)
        if not h.get("www-authenticate"):
            raise Failed("a 401 without WWW-Authenticate")
        basic = lambda u, pw: {"Authorization": "Basic " + base64.b64encode(f"{u}:{pw}".encode()).decode()}
        expect("publishing with a reader's credentials", announce(c, headers=basic("viewer", "vpass"))[0], 403)
        c.close()
        c = Raw(port)
        record_session(c, headers=basic("cam", "campass"))
        print("  publishing with the publisher's credentials: 200 through RECORD", flush=True)
        c.close()
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=10)


# ---------------------------------------------------------------- reconnect

def case_reconnect(cluster, workdir):
    clip = os.path.join(workdir, "clip.mp4")
    make_clip(clip, seconds=4, audio=False)
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1",
            "-i", clip, "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp",
            f"rtsp://127.0.0.1:{cluster.ingest}/pub"]
    a = cluster.start("publisher-a", argv)
    wait_live(cluster, "pub")
    probe_json = os.path.join(workdir, "viewer.json")
    viewer = cluster.start("viewer", [sys.executable, PROBE, cluster.url("pub"), f"--json={probe_json}"])
    time.sleep(3)
    killed = time.time()
    os.killpg(a.pid, signal.SIGKILL)  # vanishes: no TEARDOWN, the socket just closes
    a.wait()
    time.sleep(1)
    restarted = time.time()
    b = cluster.start("publisher-b", argv)
    time.sleep(4)
    os.kill(viewer.pid, signal.SIGTERM)
    viewer.wait(timeout=10)
    os.killpg(b.pid, signal.SIGTERM)
    b.wait(timeout=10)
    with open(probe_json) as f:
        v = json.load(f)
    frames = v["frames"]
    before = [f for f in frames if f[0] < killed]
    after = [f for f in frames if f[0] > restarted]
    if not v["connected"] or v["disconnected"]:
        raise Failed(f"the viewer was disconnected: {v['disconnected']}")
    if len(before) < FPS or len(after) < FPS * 2:
        raise Failed(f"frames before the loss {len(before)}, after the new publisher {len(after)}")
    resumed = after[0][0] - restarted
    ts = [f[1] for f in frames]
    back = sum(1 for x, y in zip(ts, ts[1:]) if ((y - x) & 0xFFFFFFFF) >= 0x80000000)
    print(f"  viewer stayed connected; {len(before)} frames before, {len(after)} after; first frame "
          f"{resumed:.2f} s after the new publisher started (its connect + probe included); RTP time "
          f"went back {back} times; {len(v['ssrcs'])} SSRC(s)", flush=True)
    if back:
        raise Failed("RTP time went back across the publisher's reconnect")
    if resumed > 3.0:
        raise Failed(f"frames resumed {resumed:.2f} s after the new publisher started")
    cluster.check_alive()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--case", required=True, choices=["publishers", "hostile", "reconnect"])
    args = ap.parse_args()
    workdir = procs.scratch_dir(f"ingest-{args.case}")
    extra = ["--ingest_timeout=2s", "--ingest_max_size=640x480"] if args.case == "hostile" else []
    cluster = Cluster(os.path.abspath(args.bin), workdir, extra)
    try:
        if args.case == "publishers":
            case_publishers(cluster, workdir)
        elif args.case == "hostile":
            case_hostile(cluster, workdir, os.path.abspath(args.bin))
        else:
            case_reconnect(cluster, workdir)
    except (Failed, subprocess.TimeoutExpired) as e:
        print(f"FAILED: {e} (logs in {workdir})", flush=True)
        return 1
    finally:
        cluster.stop()
    reports = procs.sanitizer_reports(workdir)
    if reports:
        print(f"FAILED: sanitizer reports (logs in {workdir}):\n  " + "\n  ".join(reports))
        return 1
    print(f"PASSED ({args.case}; {procs.keep_logs_if(False, workdir)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
