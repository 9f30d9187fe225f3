#!/usr/bin/env python3
"""Redundancy drills (docs/deploy.md, "Redundant layout"), measured at the viewers' seat like
cluster_drills.py and with its network-namespace hosts: coordinator replicas and hot-standby
origins, each fault next to its no-fault figure.

  redundancy_drills.py --bin=build/bin --drill=coordinator_replica|standby_passthrough|
                       standby_encoded|origin_partition|all [--table=FILE]

  coordinator_replica   two replicas; new viewers start at 10/s; one replica is killed
  standby_passthrough   two origins pull one camera (pass-through); the primary is killed, comes
                        back, then the standby is killed
  standby_encoded       two origins encode the test pattern independently; the same faults
  origin_partition      one edge loses its path to the active origin only

Exit status: 0 passed, 1 failed, 77 skipped (as cluster_drills.py).
"""
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_drills as cd  # noqa: E402  (the namespace cluster, viewers, recorders, table)
from cluster_drills import Failed, record, p95, METER, STREAM, SUBNET  # noqa: E402

COORD, COORD2 = cd.COORD, f"{SUBNET}.4"
ORIGIN_A, ORIGIN_B, CAMERA = cd.ORIGIN, f"{SUBNET}.5", cd.CAMERA
PASS_FPS = 30  # the camera's frame rate in the pass-through drills
FRAME_S = 1.0 / PASS_FPS
# Two independent encoders: 320x180, 30 fps, GOP 1 s (at 30 fps the silence threshold is 50 ms,
# leaving the 1 GOP + 200 ms target room for the wait for the standby's keyframe).
ENCODED_SOURCE = "test://pattern?size=320x180&fps=30&bitrate=300k&gop=30"
SEI_UUID = bytes([0x52, 0x54, 0x53, 0x50, 0x2d, 0x53, 0x54, 0x52,
                  0x9b, 0x3c, 0x4e, 0x71, 0xa2, 0x0d, 0x5f, 0xe8])  # media/sei.hpp


def coordinators(replicas):
    return ",".join(f"{ip}:50051" for ip in replicas)


def start_coordinator(c, node, ip):
    return c.start(node, f"{node}-{time.time():.3f}", [
        c.program("rtsp-coordinator"), f"--listen={ip}:50051", f"--http={ip}:9090", "--warmup=1s"])


def start_origin(c, node, ip, name, priority, source, replicas, extra=()):
    return c.start(node, f"{name}-{time.time():.3f}", [
        c.program("rtsp-origin"), f"--source={source}", f"--stream={STREAM}",
        "--publish=tcp://0.0.0.0:5556", f"--advertise=tcp://{ip}:5556",
        f"--coordinator={coordinators(replicas)}", f"--name={name}", f"--priority={priority}", *extra])


def start_edge(c, i, replicas):
    ip = c.nodes[f"edge{i}"][1]
    return c.start(f"edge{i}", f"edge{i}", [
        c.program("rtsp-edge"), f"--coordinator={coordinators(replicas)}", "--rtsp=0.0.0.0:8554",
        f"--advertise=rtsp://{ip}:8554", f"--name=edge-{i}", "--capacity_readers=200",
        "--http=0.0.0.0:9101", f"--preload={STREAM}", "--io_threads=1"])


def start_viewer(c, name, args):
    """An rtsp-client with exactly these arguments (headless, software decoding)."""
    argv = [c.program("rtsp-client"), "--headless", "--hwdec=none", "--decoder_threads=1",
            "--connect_retries=40", *args]
    out = os.path.join(c.dir, f"{name}.jsonl")
    p = c.start("viewers", name, argv, stdout_path=out)
    return cd.Viewer(name, p, out, os.path.join(c.dir, f"{name}.log"))


def start_camera(c):
    """A live camera: camera_sim (one pre-encoded 320x180 clip, a send-time SEI in every frame)
    behind an rtsp-edge on the camera host, rtsp://CAMERA:8554/cam. Every puller gets the same
    frames at the same time, as from a real camera."""
    clip = os.path.join(c.dir, "camera.h264")
    cd.sh("ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate={PASS_FPS}",
          "-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-g", str(PASS_FPS), "-bf", "0",
          "-x264-params", "repeat-headers=1", "-pix_fmt", "yuv420p", "-f", "h264", "-y", clip)
    c.start("camera", "camera-sim", [c.program("camera_sim"), f"--clip={clip}", f"--fps={PASS_FPS}",
                                     "--publish=tcp://127.0.0.1:5600", "--stream=cam"])
    c.start("camera", "camera-edge", [c.program("rtsp-edge"), "--origin=tcp://127.0.0.1:5600",
                                      "--rtsp=0.0.0.0:8554", "--catchup=none", "--preload=cam"])
    deadline = time.time() + 10 * cd.time_scale()
    while time.time() < deadline:
        r = c.ns_exec("viewers", "ffprobe", "-v", "quiet", "-rtsp_transport", "tcp", "-timeout", "2000000",
                      "-show_entries", "stream=codec_name", f"rtsp://{CAMERA}:8554/cam", check=False)
        if r.returncode == 0:
            return
        time.sleep(0.3)
    raise Failed(f"the camera stand-in did not start; see {c.dir}")


def proc_of(c, prefix):
    return next(p for name, p, _ in reversed(c.procs) if name.startswith(prefix) and p.poll() is None)


def active_origin(c, edge=1):
    """Which origin the edge takes the stream from: the origin whose epoch its log names last."""
    epoch = None
    with open(os.path.join(c.dir, f"edge{edge}.log"), errors="replace") as f:
        for line in f:
            if "taking frames from origin " in line:
                epoch = line.rsplit("taking frames from origin ", 1)[1].split()[0]
            elif "takes over" in line and ": origin " in line:
                part = line.split("takes over")[0]
                epoch = part.rsplit("origin ", 1)[1].split()[0]
    if epoch is None:
        return None
    for name, _, log in reversed(c.procs):
        if name.startswith(("originA-", "originB-")):
            with open(log, errors="replace") as f:
                if f"epoch {epoch}" in f.read():
                    return name.split("-")[0]
    return None


def sei_times(h264_path):
    """Capture times (µs) of the SEI in each access unit of an Annex-B recording, in order."""
    with open(h264_path, "rb") as f:
        data = f.read()
    out = []
    i = 0
    while True:
        i = data.find(SEI_UUID, i)
        if i < 0:
            break
        raw = data[i + 16:i + 16 + 12].replace(b"\x00\x00\x03", b"\x00\x00")
        if len(raw) >= 8:
            out.append(int.from_bytes(raw[:8], "big"))
        i += 16
    return out


def recording_losses(times_us, interval_s):
    """(lost, repeated) camera frames in a recording. camera_sim sends frame n at t0 + n/fps and
    stamps the send time in its SEI: a repeated frame carries a time already seen, and the number
    of frames between the first and the last is their time span over the interval (send jitter
    moves single frames, never the count)."""
    if not times_us:
        return 0, 0
    repeated = sum(1 for a, b in zip(times_us, times_us[1:]) if b <= a)
    expected = round((times_us[-1] - times_us[0]) / 1e6 / interval_s) + 1
    lost = max(0, expected - (len(times_us) - repeated))
    return lost, repeated


def start_h264_recorder(c, name, url):
    path = os.path.join(c.dir, f"{name}.h264")
    p = c.start("viewers", name, ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
                                  "-rtsp_transport", "tcp", "-i", url, "-c", "copy", "-f", "h264", "-y", path])
    return p, path


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=10)
        except Exception:
            p.kill()
            p.wait()


def viewer_figures(viewers, t0, t1):
    gap = max(v.max_gap_ms(t0, t1) for v in viewers) / 1000.0
    recon = sum(max((r.get("reconnects", 0) for r in v.seconds()), default=0) for v in viewers)
    assigns = sum(v.counter_at("assign_requests", t1) - v.counter_at("assign_requests", t0) for v in viewers)
    return gap, recon, assigns


# ---- drills ---------------------------------------------------------------------------------

def standby_cluster(c, source, extra=(), camera=False):
    c.up()
    c.add_node("coord", COORD)
    c.add_node("originA", ORIGIN_A)
    c.add_node("originB", ORIGIN_B)
    if camera:
        c.add_node("camera", CAMERA)
    for i in (1, 2):
        c.add_node(f"edge{i}", f"{SUBNET}.{10 + i}")
    c.add_node("viewers", f"{SUBNET}.100")
    start_coordinator(c, "coord", COORD)
    if camera:
        start_camera(c)
    start_origin(c, "originA", ORIGIN_A, "originA", 0, source, [COORD], extra)
    time.sleep(0.5)
    start_origin(c, "originB", ORIGIN_B, "originB", 1, source, [COORD], extra)
    for i in (1, 2):
        start_edge(c, i, [COORD])
    c.wait_ready([1, 2])


def standby_faults(c, drill, source, extra, gap_bound_s, passthrough):
    """Kill the active origin; bring it back; kill the other. Viewers must not notice."""
    viewers = cd.launch_viewers(c, drill.split()[1][:3], n=cd.VIEWERS)
    cd.wait_playing(viewers)
    probe = c.start_probe("probe-edge1", cd.edge_url(1))
    if passthrough:
        rec, rec_path = start_h264_recorder(c, "rec-edge1", cd.edge_url(1))
    mp4 = c.start_recorder("rec-mp4-edge1", cd.edge_url(1))
    time.sleep(4)
    ok = True
    node_of = {"originA": ("originA", ORIGIN_A, 0), "originB": ("originB", ORIGIN_B, 1)}
    for round_ in ("primary killed", "it returns, the other killed"):
        active = active_origin(c) or "originA"
        METER.reset()
        t_kill = time.time()
        victim = proc_of(c, active + "-")
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        time.sleep(4)
        gap, recon, assigns = viewer_figures(viewers, t_kill - 0.5, t_kill + 3.5)
        ok &= record(drill, f"{round_} ({active}): viewers' largest gap", gap, f"<= {gap_bound_s:g} s",
                     gap <= gap_bound_s)
        ok &= record(drill, f"{round_}: client reconnects + coordinator calls", recon + assigns, "= 0",
                     recon + assigns == 0, "")
        node, ip, prio = node_of[active]
        start_origin(c, node, ip, node, prio, source, [COORD], extra)  # it comes back as the standby
        time.sleep(6)
    stop(mp4.proc)
    ok &= cd.record_dts(drill, mp4)
    d = probe.finish()
    continuous = len(d["ssrcs"]) == 1 and d["seq_gaps"] == 0 and d["disconnected"] is None
    ok &= record(drill, f"RTP at edge-1 through both switches: SSRCs {len(d['ssrcs'])}, sequence gaps",
                 d["seq_gaps"], "1 SSRC, 0 gaps", continuous, "")
    if passthrough:
        stop(rec)
        times = sei_times(rec_path)
        lost, repeated = recording_losses(times, FRAME_S)
        ok &= record(drill, f"camera frames lost / repeated in an ffmpeg -c copy recording ({len(times)} frames)",
                     f"{lost} / {repeated}", "0 / 0", lost == 0 and repeated == 0 and len(times) > 0, "")
    m = c.edge_metrics(1)
    record(drill, "edge-1 origin switches (info: aligned+keyframe+cold)",
           int(m.get("rs_edge_origin_switches_total", 0)), "info", True, "")
    for v in viewers:
        v.proc.terminate()
    return ok


def drill_standby_passthrough(c):
    source = f"rtsp://{CAMERA}:8554/cam"
    extra = ["--source_transport=tcp", "--reconnect_initial=200ms", "--reconnect_max=500ms"]
    standby_cluster(c, source, extra, camera=True)
    return standby_faults(c, "8 standby-passthrough", source, extra, 0.100, True)


def drill_standby_encoded(c):
    standby_cluster(c, ENCODED_SOURCE)
    return standby_faults(c, "9 standby-encoded", ENCODED_SOURCE, (), cd.GOP_S + 0.2, False)


def drill_origin_partition(c):
    source = f"rtsp://{CAMERA}:8554/cam"
    extra = ["--source_transport=tcp"]
    standby_cluster(c, source, extra, camera=True)
    viewers = [cd.launch(c, f"op-{k}", url=cd.edge_url(1)) for k in range(6)]
    cd.wait_playing(viewers)
    time.sleep(3)
    active = active_origin(c) or "originA"
    ip = ORIGIN_A if active == "originA" else ORIGIN_B
    rules = [["OUTPUT", "-d", ip, "-j", "DROP"], ["INPUT", "-s", ip, "-j", "DROP"]]
    METER.reset()
    t_cut = time.time()
    for r in rules:
        c.ns_exec("edge1", "iptables", "-A", *r)
    time.sleep(4)
    gap, recon, _ = viewer_figures(viewers, t_cut - 0.5, t_cut + 3.5)
    ok = record("10 origin partition", f"edge-1 cut from {active} only: its viewers' largest gap", gap,
                "<= 0.1 s", gap <= 0.100)
    ok &= record("10 origin partition", "client reconnects", recon, "= 0", recon == 0, "")
    for r in rules:
        c.ns_exec("edge1", "iptables", "-D", *r, check=False)
    return ok


def drill_coordinator_replica(c):
    c.up()
    c.add_node("coord", COORD)
    c.add_node("coord2", COORD2)
    c.add_node("origin", ORIGIN_A)
    for i in (1, 2):
        c.add_node(f"edge{i}", f"{SUBNET}.{10 + i}")
    c.add_node("viewers", f"{SUBNET}.100")
    both = [COORD, COORD2]
    start_coordinator(c, "coord", COORD)
    start_coordinator(c, "coord2", COORD2)
    start_origin(c, "origin", ORIGIN_A, "origin-1", 0, ENCODED_SOURCE, both)
    for i in (1, 2):
        start_edge(c, i, both)
    c.wait_ready([1, 2])
    extra = ["--frames=3"]

    def wave(prefix, n, kill_at=None):
        started, t_kill = [], None
        for k in range(n):
            if kill_at is not None and k == kill_at:
                victim = proc_of(c, "coord-")
                t_kill = time.time()
                os.kill(victim.pid, signal.SIGKILL)
            v = start_viewer(c, f"{prefix}-{k}", [*extra, f"--coordinator={coordinators(both)}",
                                                  f"--stream={STREAM}"])
            started.append(v)
            # 10 new viewers a second; a sanitizer build's viewer costs about time_scale() times
            # as much CPU, so it starts them that much more slowly (the same load on the machine).
            time.sleep(0.1 * cd.time_scale())
        deadline = time.time() + 15 * cd.time_scale()
        while time.time() < deadline and any(v.proc.poll() is None for v in started):
            time.sleep(0.2)
        startup, failed = [], 0
        for v in started:
            f = v.first_frame_after(0)
            if f is None or v.proc.returncode not in (0, None):
                failed += 1
            else:
                startup.append(f - v.asked_at())
        return startup, failed, t_kill

    METER.reset()
    base, base_failed, _ = wave("cr-base", 30)
    record("11 coordinator replica",
           f"no fault: start-up p95 (30 viewers at {10 / cd.time_scale():g}/s)", p95(base), "info",
           base_failed == 0)
    METER.reset()
    fault, failed, _ = wave("cr-kill", 30, kill_at=10)
    ok = record("11 coordinator replica", "one of two replicas killed: failed starts", failed, "= 0", failed == 0, "")
    extra_p95 = p95(fault) - p95(base)
    measure = (f"start-up p95 over the no-fault run (p95 {p95(fault):.3f} s, median "
               f"{statistics.median(fault) if fault else float('nan'):.3f} s)")
    if cd.time_scale() > 1:
        # A 0.1 s difference between two p95s cannot be stretched: in a sanitizer build the
        # surviving replica and every viewer are instrumented, and a new channel's connect can
        # stall for seconds at that load (docs/testing.md). Failed starts above are still judged;
        # this gap is judged by the normal build.
        record("11 coordinator replica", measure, extra_p95, "info (sanitizer build)", True)
    else:
        ok &= record("11 coordinator replica", measure, extra_p95, "< 0.1 s", extra_p95 < 0.100)
    return ok and base_failed == 0


DRILLS = {
    "coordinator_replica": drill_coordinator_replica,
    "standby_passthrough": drill_standby_passthrough,
    "standby_encoded": drill_standby_encoded,
    "origin_partition": drill_origin_partition,
}


def main():
    return cd.run_drills(DRILLS, needs=("camera_sim",))


if __name__ == "__main__":
    sys.exit(main())
