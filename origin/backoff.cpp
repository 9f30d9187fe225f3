// Reconnect backoff with full jitter; see backoff.hpp.
#include "origin/backoff.hpp"

#include <algorithm>

namespace origin {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), rng_(seed) {}

std::chrono::milliseconds Backoff::ceiling() const {
  // initial * 2^attempt, saturating at max (the shift is bounded so it cannot overflow).
  const int shift = std::min(attempt_, 30);
  const int64_t scaled = initial_.count() * (int64_t{1} << shift);
  return std::chrono::milliseconds(std::min<int64_t>(scaled, max_.count()));
}

std::chrono::milliseconds Backoff::next() {
  const std::chrono::milliseconds top = ceiling();
  ++attempt_;
  std::uniform_int_distribution<int64_t> jitter(0, top.count());
  return std::max(kMinReconnectDelay, std::chrono::milliseconds(jitter(rng_)));
}

}  // namespace origin
