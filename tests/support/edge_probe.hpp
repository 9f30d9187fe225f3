// Probes for edge tests: Prometheus /metrics over plain HTTP, a process's open descriptors and
// RSS from /proc, raw TCP sockets for hostile input, media clips made at test time, and ffprobe
// and gst-launch-1.0 as viewers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace rstest {

// GET http://127.0.0.1:`port``path` (HTTP/1.0); the body of a 200 answer, else nullopt.
std::optional<std::string> http_get(uint16_t port, const std::string& path,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(3));

// The value of one Prometheus sample: `series` is the name with its labels exactly as the
// exposition writes them, e.g. `rs_edge_readers{stream="cam1",transport="tcp"}`.
std::optional<double> metric_value(std::string_view metrics_text, std::string_view series);

// Open file descriptors of `pid` (entries of /proc/PID/fd); -1 on error.
int open_fd_count(pid_t pid);
// VmRSS of `pid` in KiB; -1 on error.
long rss_kib(pid_t pid);

// A blocking TCP connection to 127.0.0.1:`port`; -1 on failure.
int tcp_connect(uint16_t port);
// Closes with a reset (SO_LINGER 0) instead of a FIN.
void close_with_reset(int fd);

// A clip made with ffmpeg: `video` "h264" or "h265", optional AAC audio, 320x180 at 25 fps,
// GOP 25, no B-frames, parameter sets in band. Returns an error message, empty on success.
std::string make_clip(const std::string& path, const std::string& video, bool audio, int seconds);
// A fresh temporary directory (removed at exit).
std::string temp_dir();

// Runs ffprobe with `args` (after -v error); out/err captured, killed after `timeout`.
struct ToolResult {
  bool ok = false;  // exited with status 0 in time
  std::string out;
  std::string err;
  std::string describe() const;
};
ToolResult run_tool(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                    std::vector<std::string> extra_env = {});
ToolResult ffprobe(std::vector<std::string> args,
                   std::chrono::milliseconds timeout = std::chrono::seconds(20));

// gst-launch-1.0 as a viewer. `pipeline` is what follows gst-launch-1.0 on a command line, each
// branch ending in `fakesink num-buffers=N`. A fakesink goes EOS after its N-th buffer, so with
// one branch the pipeline's EOS says the viewer played N buffers. With several branches on one
// TCP connection, rtspsrc ends them all once the first sink has its N (video 17-26 of 30 when
// AAC reached 30, counted with GST_DEBUG=basesink:6).
struct GstPlayback {
  ToolResult run;
  bool eos = false;                 // "Got EOS from element "pipeline0"."
  std::vector<std::string> errors;  // each "ERROR: from element ..." with its debug info
  // Whether the viewer played: EOS, and no error from gst but the one its rtspsrc makes when
  // closing interrupts its own PAUSE (docs/interop.md).
  ::testing::AssertionResult played() const;
};
GstPlayback gst_play(std::vector<std::string> pipeline, std::chrono::milliseconds timeout,
                     std::vector<std::string> extra_env = {});

}  // namespace rstest
