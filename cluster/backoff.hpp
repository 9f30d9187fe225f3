// Exponential backoff with full jitter (the "Full Jitter" scheme of the AWS architecture note
// "Exponential Backoff And Jitter"): wait = max(min, uniform(0, min(max, initial * 2^attempt))).
// Spreads reconnects of many nodes and clients after a coordinator restart (docs/coordinator.md)
// and an origin's reconnects to a lost source (the floor keeps a source that fails at once from
// making the origin busy-loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace cluster {

struct BackoffOptions {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max{1000};  // a max below initial counts as initial
  std::chrono::milliseconds min{0};     // no wait is shorter than this
};

// Not thread-safe: one owner. Pure apart from its own random generator (seedable for tests).
class Backoff {
 public:
  explicit Backoff(BackoffOptions options, uint64_t seed = std::random_device{}());

  // The next wait: uniform in [0, cap], where cap doubles per call up to options.max.
  std::chrono::milliseconds next();
  // The cap the next call will draw under.
  std::chrono::milliseconds cap() const;
  // After a success: the next wait starts from `initial` again.
  void reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  BackoffOptions options_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace cluster
