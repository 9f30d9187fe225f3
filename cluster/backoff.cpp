// Exponential backoff with full jitter (see backoff.hpp).
#include "cluster/backoff.hpp"

#include <algorithm>

namespace cluster {

Backoff::Backoff(BackoffOptions options, uint64_t seed) : options_(options), rng_(seed) {}

std::chrono::milliseconds Backoff::cap() const {
  const int64_t initial = std::max<int64_t>(1, options_.initial.count());
  const int shift = std::min(attempt_, 30);
  const int64_t grown = initial << shift;
  return std::chrono::milliseconds(
      std::min<int64_t>(grown, std::max<int64_t>(initial, options_.max.count())));
}

std::chrono::milliseconds Backoff::next() {
  const int64_t c = cap().count();
  ++attempt_;
  std::uniform_int_distribution<int64_t> dist(0, c);
  return std::max(options_.min, std::chrono::milliseconds(dist(rng_)));
}

}  // namespace cluster
