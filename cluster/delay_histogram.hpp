// DelayHistogram: a Prometheus-style cumulative histogram of delays, written by one thread and
// read by the metrics thread (relaxed atomics). Used for the edge's queue delay (edge receive ->
// socket hand-off) and origin delay (origin publish -> edge receive), and the origin's encode time.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace cluster {

// Bucket upper bounds, seconds ("le" labels).
inline constexpr double kDelayBuckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01,
                                           0.02,   0.05,    0.1,    0.2,   0.5,   1.0,   2.0};
inline constexpr size_t kDelayBucketCount = std::size(kDelayBuckets);

struct DelayHistogram {
  std::atomic<uint64_t> buckets[kDelayBucketCount] = {};  // cumulative: delay <= bound
  std::atomic<uint64_t> count{0};                         // the +Inf bucket
  std::atomic<uint64_t> sum_us{0};

  // Negative delays (clock steps between hosts) count as zero.
  void observe(int64_t delay_us) {
    const int64_t us = std::max<int64_t>(delay_us, 0);
    const double seconds = static_cast<double>(us) / 1e6;
    for (size_t i = 0; i < kDelayBucketCount; ++i) {
      if (seconds <= kDelayBuckets[i]) buckets[i].fetch_add(1, std::memory_order_relaxed);
    }
    count.fetch_add(1, std::memory_order_relaxed);
    sum_us.fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
  }
};

}  // namespace cluster
