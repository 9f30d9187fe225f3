// LatencyMeter: percentiles (p50/p95/max) of latency samples over a sliding time window.
// Pure: the caller passes the time of each sample and of each query (tests use a fake clock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace client {

struct LatencySummary {
  size_t count = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double max_ms = 0;
  friend bool operator==(const LatencySummary&, const LatencySummary&) = default;
};

// Nearest-rank percentile (p in (0, 100]) of unsorted samples in microseconds, as milliseconds.
// Empty input gives nullopt.
std::optional<double> percentile_ms(std::vector<int64_t> samples_us, double p);

// Summary of all `samples_us` (count 0 when empty).
LatencySummary summarize(const std::vector<int64_t>& samples_us);

// Not thread-safe: one owner.
class LatencyMeter {
 public:
  // window_us: samples older than this (relative to the query time) are forgotten. 0 = keep all.
  explicit LatencyMeter(int64_t window_us) : window_us_(window_us) {}

  // Records a latency sample taken at `now_us` (any monotonic or wall time base, used
  // consistently). Negative latencies (clock skew) are kept: they show that clocks disagree.
  void add(int64_t now_us, int64_t latency_us);
  // p50/p95/max of the samples within the window ending at `now_us`; drops older ones.
  LatencySummary summary(int64_t now_us);
  size_t size() const { return samples_.size(); }

 private:
  void prune(int64_t now_us);

  struct Sample {
    int64_t at_us;
    int64_t latency_us;
  };
  int64_t window_us_;
  std::deque<Sample> samples_;
};

}  // namespace client
