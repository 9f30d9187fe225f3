"""GStreamer's gst-rtsp-server (which no one here wrote) serving one launch line at one mount
point, as the tests' camera stand-in (tests/support/camera_server.py) and the benchmarks' peer
relay (bench/peer/gst_rtsp_relay.py) use it.

Needs the system Python (/usr/bin/python3) with python3-gi and gir1.2-gst-rtsp-server-1.0."""

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def serve(address, port, path, launch, shared):
    """An RTSP server on address:port (0: an ephemeral port, see get_bound_port()) serving the
    pipeline `launch` at `path`, one media for all clients when `shared`; None when it cannot
    listen."""
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(address)
    server.set_service(str(port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(shared)
    server.get_mount_points().add_factory(path, factory)
    if server.attach(None) == 0:
        return None
    return server


def run(ready, signals, max_seconds=None):
    """Prints `ready` on stdout once the signals that end it are handled, then serves until one of
    `signals` arrives (or `max_seconds` have passed)."""
    loop = GLib.MainLoop()
    for sig in signals:
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    if max_seconds is not None:
        GLib.timeout_add(int(max_seconds * 1000), loop.quit)
    print(ready, flush=True)
    loop.run()
