// RS_TIME_SCALE: how many times slower than a normal build this run may be. `make asan` and
// `make tsan` set it (a sanitizer run checks memory and races, and its programs run several times
// slower); unset, it is 1. Tests stretch their waits and their timing targets by it, so that a
// sanitizer run fails on what it is for and the normal build keeps judging time.
#pragma once

#include <chrono>
#include <cstdlib>

namespace rstest {

// RS_TIME_SCALE as a number >= 1 (1 when unset or not a number).
inline double time_scale() {
  static const double scale = [] {
    const char* text = std::getenv("RS_TIME_SCALE");
    const double value = text != nullptr ? std::atof(text) : 1.0;
    return value >= 1.0 ? value : 1.0;
  }();
  return scale;
}

// `d` stretched by time_scale().
template <typename Rep, typename Period>
std::chrono::milliseconds scaled(std::chrono::duration<Rep, Period> d) {
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::chrono::duration<double, std::milli>(d).count() * time_scale()));
}

}  // namespace rstest
