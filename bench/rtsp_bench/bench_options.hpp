// rtsp-bench settings, filled from flags by options_from_flags() (bench_flags.cpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rtsp_bench {

struct BenchOptions {
  std::string url;  // rtsp://host:port/path
  std::string host;
  uint16_t port = 554;
  std::string stream;  // last path segment, for the origin probe topic
  size_t readers = 1;
  bool udp = false;
  size_t threads = 1;
  int64_t duration_us = 20'000'000;  // measurement window, after ramp + warmup
  int64_t ramp_us = 2'000'000;       // readers start evenly spread over this time
  int64_t warmup_us = 1'000'000;     // after the ramp, before the window opens
  int64_t setup_timeout_us = 10'000'000;
  std::string json_path;
  std::string label;
  std::vector<pid_t> server_pids;  // sampled for CPU and RSS (summed)
  size_t slow_readers = 0;         // the first K readers read at most slow_rate bytes/s
  int64_t slow_rate = 100'000;
  int slow_rcvbuf = 65536;  // small kernel buffer so the server feels the slow reader soon
  int udp_rcvbuf = 1 << 20;
  uint16_t udp_base_port = 40000;
  std::string origin_zmq;  // optional: subscribe to the origin for the publish-time baseline
  bool quiet = false;
};

absl::StatusOr<BenchOptions> options_from_flags();

}  // namespace rtsp_bench
