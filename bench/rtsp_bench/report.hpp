// Turns the readers' counters and the /proc samples into one run's summary: a table for
// stdout and JSON for bench/results/.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/rtsp_bench/bench_options.hpp"
#include "bench/rtsp_bench/proc_sampler.hpp"
#include "bench/rtsp_bench/worker.hpp"

namespace rtsp_bench {

struct Percentiles {
  uint64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // milliseconds
};

struct RunInputs {
  const BenchOptions* options = nullptr;
  std::vector<WorkerResult> workers;
  int64_t window_start_mono_us = 0;
  int64_t window_end_mono_us = 0;
  int64_t wall_minus_mono_us = 0;  // wall clock = monotonic + this (for the origin probe)
  std::vector<ProcSample> server;  // first one taken before any reader started
  std::vector<ProcSample> self;
  const std::unordered_map<int64_t, int64_t>* origin_arrivals = nullptr;  // may be null
  bool origin_publish_stamped = false;  // origin_arrivals hold the origin's publish times
};

struct Summary {
  std::string label, url, transport;
  double window_s = 0;
  uint64_t readers = 0, played = 0, failed = 0, disconnected = 0, playing_at_end = 0;
  std::map<std::string, uint64_t> failures;  // reason -> readers
  // Normal (not throttled) readers, measurement window.
  double mbps_total = 0, mbps_per_reader = 0, mbps_min_reader = 0;
  uint64_t packets = 0, lost = 0, lost_total = 0, out_of_order = 0, malformed = 0;
  double loss_percent = 0;
  uint64_t frames_complete = 0, frames_incomplete = 0, frames_without_sei = 0;
  double fps_per_reader = 0;
  // From the origin probe: frames the origin published during the window, and the share of
  // them that readers received complete (1.0: every reader got every frame).
  uint64_t origin_frames = 0;
  double origin_fps = 0;
  double delivered_share = 0;
  uint64_t readers_with_loss = 0;
  // "Receive" is the kernel's receive timestamp of the frame's last bytes at the reader's socket
  // (ReceiveTime); "read" is when rtsp-bench got to them, its own scheduling delay included.
  Percentiles latency;                  // capture -> reader receive (last packet of the frame)
  Percentiles added_latency;            // origin publish -> reader receive
  Percentiles added_read_latency;       // origin publish -> rtsp-bench read
  Percentiles origin_latency;           // capture -> origin publish
  bool origin_publish_stamped = false;  // false: publish = the probe's arrival time
  Percentiles ttfk, ttfp, max_gap;
  // Per reader, the most bytes waiting unread in rtsp-bench's own socket during the window,
  // in "ms of stream" (bytes / per-reader rate): large values mean the load generator, not the
  // server, was behind.
  Percentiles client_backlog;
  // Server.
  bool have_server = false;
  double server_cpu_avg = 0, server_cpu_max = 0;
  int64_t rss_start_kib = 0, rss_end_kib = 0, rss_max_kib = 0;
  double rss_per_reader_kib = 0;
  double bench_cpu_avg = 0;
  // Throttled readers.
  uint64_t slow_readers = 0, slow_disconnected = 0, slow_lost = 0;
  uint64_t slow_frames_complete = 0, slow_frames_incomplete = 0;
  double slow_read_bytes_per_s = 0;
  Percentiles slow_latency;  // capture -> receive of the frames the slow readers got
  std::string slow_failure;
};

Summary summarize(const RunInputs& in);
std::string format_table(const Summary& s);
std::string to_json(const Summary& s);

}  // namespace rtsp_bench
