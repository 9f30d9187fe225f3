// rtsp-bench flags (docs/benchmarks.md shows examples).
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/strings.hpp"
#include "bench/rtsp_bench/bench_options.hpp"
#include "rtsp/url.hpp"

ABSL_FLAG(std::string, url, "", "RTSP URL to play, e.g. rtsp://127.0.0.1:8554/cam1");
ABSL_FLAG(int, readers, 1, "Concurrent RTSP sessions");
ABSL_FLAG(std::string, transport, "tcp", "tcp (interleaved) or udp");
ABSL_FLAG(int, threads, 1, "epoll threads for the readers (1 or 2 is plenty)");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(20), "Measurement window");
ABSL_FLAG(absl::Duration, ramp, absl::Seconds(2), "Readers start evenly spread over this time");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1),
          "Pause between the end of the ramp and the start of the window (late-joiner bursts)");
ABSL_FLAG(absl::Duration, setup_timeout, absl::Seconds(10),
          "A reader not playing this long after it started counts as failed");
ABSL_FLAG(std::string, json, "", "Write the results as JSON to this file");
ABSL_FLAG(std::string, label, "", "Name of this run in the JSON (e.g. edge-200)");
ABSL_FLAG(std::string, server_pid, "",
          "PID(s) of the server, comma-separated: CPU% and RSS sampled every second");
ABSL_FLAG(int, slow_readers, 0, "The first K readers read at most --slow_rate bytes/s (TCP)");
ABSL_FLAG(int64_t, slow_rate, 100000, "Read rate of slow readers in bytes per second");
ABSL_FLAG(int, slow_rcvbuf, 65536, "SO_RCVBUF of slow readers' sockets");
ABSL_FLAG(int, udp_rcvbuf, 1 << 20, "SO_RCVBUF of UDP readers' RTP sockets");
ABSL_FLAG(int, udp_base_port, 40000, "First local UDP port tried for client_port pairs");
ABSL_FLAG(std::string, origin_zmq, "",
          "Origin ZeroMQ endpoint; when set, frames are also received straight from the origin "
          "and latency is reported relative to that (origin publish -> reader receive)");
ABSL_FLAG(bool, quiet, false, "No progress lines on stderr");

namespace rtsp_bench {

absl::StatusOr<BenchOptions> options_from_flags() {
  BenchOptions o;
  o.url = absl::GetFlag(FLAGS_url);
  if (o.url.empty()) return absl::InvalidArgumentError("--url is required");
  auto url = rtsp::Url::parse(o.url);
  if (!url.ok() || url->scheme != "rtsp" || url->host.empty()) {
    return absl::InvalidArgumentError(base::cat("--url: not an rtsp:// URL: ", o.url));
  }
  o.host = url->host;
  o.port = url->port.value_or(554);
  const size_t slash = url->path.find_last_of('/');
  o.stream = url->path.substr(slash == std::string::npos ? 0 : slash + 1);
  const int readers = absl::GetFlag(FLAGS_readers);
  if (readers < 1 || readers > 100000) return absl::InvalidArgumentError("--readers: 1..100000");
  o.readers = static_cast<size_t>(readers);
  const std::string transport = absl::GetFlag(FLAGS_transport);
  if (transport != "tcp" && transport != "udp") {
    return absl::InvalidArgumentError("--transport must be tcp or udp");
  }
  o.udp = transport == "udp";
  const int threads = absl::GetFlag(FLAGS_threads);
  if (threads < 1 || threads > 64) return absl::InvalidArgumentError("--threads: 1..64");
  o.threads = static_cast<size_t>(threads);
  o.duration_us = absl::ToInt64Microseconds(absl::GetFlag(FLAGS_duration));
  o.ramp_us = absl::ToInt64Microseconds(absl::GetFlag(FLAGS_ramp));
  o.warmup_us = absl::ToInt64Microseconds(absl::GetFlag(FLAGS_warmup));
  o.setup_timeout_us = absl::ToInt64Microseconds(absl::GetFlag(FLAGS_setup_timeout));
  if (o.duration_us <= 0) return absl::InvalidArgumentError("--duration must be positive");
  if (o.ramp_us < 0 || o.warmup_us < 0) {
    return absl::InvalidArgumentError("--ramp and --warmup must not be negative");
  }
  if (o.setup_timeout_us <= 0)
    return absl::InvalidArgumentError("--setup_timeout must be positive");
  o.json_path = absl::GetFlag(FLAGS_json);
  o.label = absl::GetFlag(FLAGS_label);
  for (absl::string_view p :
       absl::StrSplit(absl::GetFlag(FLAGS_server_pid), ',', absl::SkipWhitespace())) {
    int pid = 0;
    if (!absl::SimpleAtoi(p, &pid) || pid <= 0) {
      return absl::InvalidArgumentError(base::cat("--server_pid: not a PID: ", base::sv(p)));
    }
    o.server_pids.push_back(static_cast<pid_t>(pid));
  }
  const int slow = absl::GetFlag(FLAGS_slow_readers);
  if (slow < 0 || static_cast<size_t>(slow) >= o.readers) {
    return absl::InvalidArgumentError("--slow_readers must be >= 0 and < --readers");
  }
  if (slow > 0 && o.udp) return absl::InvalidArgumentError("--slow_readers needs --transport=tcp");
  o.slow_readers = static_cast<size_t>(slow);
  o.slow_rate = absl::GetFlag(FLAGS_slow_rate);
  if (o.slow_rate < 1000) return absl::InvalidArgumentError("--slow_rate must be >= 1000");
  o.slow_rcvbuf = absl::GetFlag(FLAGS_slow_rcvbuf);
  o.udp_rcvbuf = absl::GetFlag(FLAGS_udp_rcvbuf);
  if (o.slow_rcvbuf < 0 || o.udp_rcvbuf < 0) {
    return absl::InvalidArgumentError("--slow_rcvbuf and --udp_rcvbuf must not be negative");
  }
  const int base_port = absl::GetFlag(FLAGS_udp_base_port);
  if (base_port < 1024 || base_port > 65000) {
    return absl::InvalidArgumentError("--udp_base_port: 1024..65000");
  }
  o.udp_base_port = static_cast<uint16_t>(base_port);
  o.origin_zmq = absl::GetFlag(FLAGS_origin_zmq);
  o.quiet = absl::GetFlag(FLAGS_quiet);
  return o;
}

}  // namespace rtsp_bench
