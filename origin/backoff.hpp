// Backoff: exponential reconnect delays with full jitter (the "Full Jitter" scheme of the AWS
// architecture note "Exponential Backoff And Jitter"): attempt n waits a uniformly random time in
// [0, min(max, initial * 2^n)], but never less than kMinReconnectDelay, so a source that fails at
// once can never make the origin busy-loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace origin {

inline constexpr std::chrono::milliseconds kMinReconnectDelay{100};

class Backoff {
 public:
  // Preconditions: 0 < initial <= max. `seed` makes the jitter reproducible in tests.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);

  // The delay before the next attempt; advances the attempt counter.
  std::chrono::milliseconds next();
  // The ceiling the next call to next() draws under (for logs and tests).
  std::chrono::milliseconds ceiling() const;
  // After a successful session: start again from `initial`.
  void reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace origin
