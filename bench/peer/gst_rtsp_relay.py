#!/usr/bin/python3
"""Peer relay for the edge benchmark: Debian's gst-rtsp-server re-serving one upstream RTSP
stream (our edge's) through rtspsrc, shared between all its readers.

Run with the system Python (/usr/bin/python3): it needs python3-gi,
gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-rtsp. Prints
"peer listening on 127.0.0.1:<port>" once it serves rtsp://127.0.0.1:<port>/<path>.
Stops on SIGINT/SIGTERM, or by itself after --max_seconds.
"""

import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "support"))
import gst_rtsp  # noqa: E402  (tests/support: the gst-rtsp-server setup the camera stand-in uses)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="rtsp://host:port/cam1 to relay")
    parser.add_argument("--listen", default="127.0.0.1", help="address to serve on")
    parser.add_argument("--port", type=int, default=0, help="RTSP port; 0 = ephemeral")
    parser.add_argument("--path", default="/cam1", help="mount point")
    parser.add_argument("--max_seconds", type=float, default=3600, help="exit after this long")
    args = parser.parse_args()

    # The launch line the benchmark brief prescribes: depayload, repayload, no re-encoding.
    server = gst_rtsp.serve(
        args.listen, args.port, args.path,
        f"( rtspsrc location={args.upstream} latency=0 ! rtph264depay ! "
        "rtph264pay name=pay0 pt=96 config-interval=-1 )", shared=True)
    if server is None:
        print("peer: cannot listen", file=sys.stderr)
        return 1
    gst_rtsp.run(f"peer listening on {args.listen}:{server.get_bound_port()}",
                 (signal.SIGINT, signal.SIGTERM), args.max_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
