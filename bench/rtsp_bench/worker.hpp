// One epoll thread driving a share of the readers: starts them on schedule (the ramp),
// dispatches socket events, ticks timers, and stops them all at the end of the window.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "bench/rtsp_bench/bench_options.hpp"
#include "bench/rtsp_bench/reader.hpp"

namespace rtsp_bench {

struct WorkerResult {
  std::vector<ReaderResult> readers;
  std::vector<LatencySample> samples;
  std::vector<LatencySample> slow_samples;
};

class Worker {
 public:
  struct Plan {
    size_t index = 0;  // global reader index
    bool slow = false;
    int64_t start_mono_us = 0;
  };

  // Readers start at their planned time; everything stops at `end_mono_us` or when `stop` is set.
  Worker(const BenchOptions& options, std::vector<Plan> plan, int64_t window_start_mono_us,
         int64_t window_end_mono_us, std::atomic<uint32_t>* next_udp_port,
         const std::atomic<bool>* stop);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Joins the thread and hands over the results.
  WorkerResult finish();
  // Readers currently playing (read from other threads for progress lines).
  size_t playing() const { return playing_.load(std::memory_order_relaxed); }

 private:
  void run();

  std::vector<Plan> plan_;
  const std::atomic<bool>* stop_;
  WorkerContext ctx_;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::atomic<size_t> playing_{0};
  std::thread thread_;
};

}  // namespace rtsp_bench
