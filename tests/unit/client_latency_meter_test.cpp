// LatencyMeter: nearest-rank percentiles and the sliding window (fake times, no sleeps).
#include "client/latency_meter.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace client {
namespace {

struct Case {
  const char* name;
  std::vector<int64_t> samples_us;
  LatencySummary want;
};

const Case kCases[] = {
    {"empty", {}, {0, 0, 0, 0}},
    {"one sample", {42'000}, {1, 42.0, 42.0, 42.0}},
    {"two samples: p50 is the lower", {10'000, 20'000}, {2, 10.0, 20.0, 20.0}},
    {"unsorted", {30'000, 10'000, 20'000}, {3, 20.0, 30.0, 30.0}},
    {"clock skew gives negative values", {-5'000, 1'000, 2'000}, {3, 1.0, 2.0, 2.0}},
    {"sub-millisecond", {500, 1'500}, {2, 0.5, 1.5, 1.5}},
};

TEST(LatencyMeter, SummarizesTable) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(summarize(c.samples_us), c.want);
  }
}

TEST(LatencyMeter, PercentilesOfOneToHundred) {
  std::vector<int64_t> v(100);
  std::iota(v.begin(), v.end(), 1);
  for (auto& x : v) x *= 1000;  // 1..100 ms
  EXPECT_DOUBLE_EQ(*percentile_ms(v, 50), 50.0);
  EXPECT_DOUBLE_EQ(*percentile_ms(v, 95), 95.0);
  EXPECT_DOUBLE_EQ(*percentile_ms(v, 99), 99.0);
  EXPECT_DOUBLE_EQ(*percentile_ms(v, 100), 100.0);
  EXPECT_DOUBLE_EQ(*percentile_ms(v, 0.1), 1.0);
  EXPECT_FALSE(percentile_ms({}, 50).has_value());
}

TEST(LatencyMeter, ForgetsSamplesOutsideTheWindow) {
  LatencyMeter meter(1'000'000);                                 // 1 s
  meter.add(0, 500'000);                                         // 500 ms, at t = 0
  for (int i = 1; i <= 10; ++i) meter.add(i * 100'000, 20'000);  // 20 ms, t = 0.1 .. 1.0 s
  auto s = meter.summary(900'000);
  EXPECT_EQ(s.count, 11u);  // nothing is a window old yet
  EXPECT_DOUBLE_EQ(s.max_ms, 500.0);
  s = meter.summary(1'000'000);  // the t = 0 sample is now exactly one window old
  EXPECT_EQ(s.count, 10u);
  EXPECT_DOUBLE_EQ(s.max_ms, 20.0);
  EXPECT_DOUBLE_EQ(s.p50_ms, 20.0);
  s = meter.summary(5'000'000);
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(meter.size(), 0u);
}

TEST(LatencyMeter, ZeroWindowKeepsEverything) {
  LatencyMeter meter(0);
  for (int i = 0; i < 1000; ++i) meter.add(i * 1'000'000, (i % 10) * 1000);
  const auto s = meter.summary(1'000'000'000);
  EXPECT_EQ(s.count, 1000u);
  EXPECT_DOUBLE_EQ(s.p50_ms, 4.0);
  EXPECT_DOUBLE_EQ(s.p95_ms, 9.0);
}

}  // namespace
}  // namespace client
