// cluster::Backoff, as the origin's source reconnects and the coordinator links use it: caps
// double from the initial delay up to the max, delays are drawn under the cap (full jitter) but
// never below the floor.
#include "cluster/backoff.hpp"

#include <gtest/gtest.h>

namespace cluster {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinReconnectDelay{100};

Backoff origin_backoff(milliseconds initial, milliseconds max, uint64_t seed) {
  return Backoff({.initial = initial, .max = max, .min = kMinReconnectDelay}, seed);
}

TEST(Backoff, CeilingDoublesUpToTheCap) {
  Backoff backoff = origin_backoff(milliseconds(500), milliseconds(30'000), 1);
  const int64_t want[] = {500, 1000, 2000, 4000, 8000, 16'000, 30'000, 30'000, 30'000};
  for (int64_t ceiling : want) {
    SCOPED_TRACE(ceiling);
    EXPECT_EQ(backoff.cap(), milliseconds(ceiling));
    const milliseconds delay = backoff.next();
    EXPECT_GE(delay, kMinReconnectDelay);
    EXPECT_LE(delay, milliseconds(ceiling));
  }
}

TEST(Backoff, ManyAttemptsNeverOverflow) {
  Backoff backoff = origin_backoff(milliseconds(500), milliseconds(30'000), 2);
  for (int i = 0; i < 200; ++i) backoff.next();
  EXPECT_EQ(backoff.cap(), milliseconds(30'000));
}

TEST(Backoff, JitterSpreadsDelaysAcrossTheWholeRange) {
  Backoff backoff = origin_backoff(milliseconds(10'000), milliseconds(10'000), 3);
  milliseconds lowest{10'000};
  milliseconds highest{0};
  for (int i = 0; i < 500; ++i) {
    const milliseconds d = backoff.next();
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  EXPECT_LT(lowest, milliseconds(1'000)) << "full jitter reaches near zero";
  EXPECT_GT(highest, milliseconds(9'000)) << "and near the ceiling";
}

TEST(Backoff, ResetStartsOver) {
  Backoff backoff = origin_backoff(milliseconds(500), milliseconds(30'000), 4);
  for (int i = 0; i < 5; ++i) backoff.next();
  backoff.reset();
  EXPECT_EQ(backoff.attempt(), 0);
  EXPECT_EQ(backoff.cap(), milliseconds(500));
}

TEST(Backoff, NeverBusyLoopsEvenWithTinySettings) {
  Backoff backoff = origin_backoff(milliseconds(1), milliseconds(1), 5);
  for (int i = 0; i < 50; ++i) EXPECT_GE(backoff.next(), kMinReconnectDelay);
}

}  // namespace
}  // namespace cluster
