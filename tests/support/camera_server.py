#!/usr/bin/python3
"""Camera stand-in for the origin's tests: GStreamer's gst-rtsp-server (which no one here wrote)
serving an MP4 file's H.264 or H.265 video, and its AAC audio when present, over RTSP (TCP and
UDP), paced in real time. Prints "READY <url>" on stdout once it listens; runs until killed.

  camera_server.py --port 8554 --file clip.mp4 --video h264 [--audio] [--path /cam]
                   [--address 127.0.0.1]
"""
import argparse
import signal
import sys

import gst_rtsp  # tests/support, beside this script


def launch_line(path, video, audio):
    pay = "rtph264pay" if video == "h264" else "rtph265pay"
    # qtdemux hands the payloader the samples as stored (AVCC/HVCC); no parser touches them, so
    # the NAL units on the wire are the file's, byte for byte. config-interval=0: the payloader
    # adds no parameter sets of its own.
    line = (f'( filesrc location="{path}" ! qtdemux name=d '
            f"d.video_0 ! queue ! {pay} name=pay0 pt=96 config-interval=0 ")
    if audio:
        line += "d.audio_0 ! queue ! rtpmp4gpay name=pay1 pt=97 "
    return line + ")"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--video", choices=["h264", "h265"], default="h264")
    parser.add_argument("--audio", action="store_true")
    parser.add_argument("--path", default="/cam")
    parser.add_argument("--address", default="127.0.0.1", help="listen address (0.0.0.0: all)")
    parser.add_argument("--shared", action="store_true",
                        help="one live pipeline for every client, like a camera (two origins "
                             "pulling it see the same frames at the same time)")
    args = parser.parse_args()

    server = gst_rtsp.serve(args.address, args.port, args.path,
                            launch_line(args.file, args.video, args.audio), args.shared)
    if server is None:
        print(f"cannot listen on port {args.port}", file=sys.stderr, flush=True)
        return 1
    gst_rtsp.run(f"READY rtsp://{args.address}:{args.port}{args.path}", [signal.SIGTERM])
    return 0


if __name__ == "__main__":
    sys.exit(main())
