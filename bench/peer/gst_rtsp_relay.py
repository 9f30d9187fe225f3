#!/usr/bin/python3
"""Peer relay for the edge benchmark: Debian's gst-rtsp-server re-serving one upstream RTSP
stream (our edge's) through rtspsrc, shared between all its readers.

Run with the system Python (/usr/bin/python3): it needs python3-gi,
gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-rtsp. Prints
"peer listening on 127.0.0.1:<port>" once it serves rtsp://127.0.0.1:<port>/<path>.
Stops on SIGINT/SIGTERM, or by itself after --max_seconds.
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="rtsp://host:port/cam1 to relay")
    parser.add_argument("--listen", default="127.0.0.1", help="address to serve on")
    parser.add_argument("--port", type=int, default=0, help="RTSP port; 0 = ephemeral")
    parser.add_argument("--path", default="/cam1", help="mount point")
    parser.add_argument("--max_seconds", type=float, default=3600, help="exit after this long")
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.listen)
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    # The launch line the benchmark brief prescribes: depayload, repayload, no re-encoding.
    factory.set_launch(
        f"( rtspsrc location={args.upstream} latency=0 ! rtph264depay ! "
        "rtph264pay name=pay0 pt=96 config-interval=-1 )")
    factory.set_shared(True)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print("peer: cannot listen", file=sys.stderr)
        return 1
    print(f"peer listening on {args.listen}:{server.get_bound_port()}", flush=True)

    loop = GLib.MainLoop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    GLib.timeout_add(int(args.max_seconds * 1000), loop.quit)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
