// Time sources: wall clock in microseconds (capture times on the wire) and a monotonic clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace base {

// Microseconds since the Unix epoch (system clock). Used for capture times, which cross machines.
inline int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Monotonic microseconds; only differences are meaningful, and only inside one process.
inline int64_t monotonic_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace base
