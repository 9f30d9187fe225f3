// Slow-reader isolation: five normal TCP readers and one that drains its socket at 100 kB/s
// from a 720p stream well above that rate, with --latency_budget=1s. The normal readers lose
// nothing and keep a low latency (capture-time SEI to arrival); the slow one skips to keyframes
// (never half a GOP) or is disconnected, and /metrics counts it within a few seconds.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/edge_probe.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace rstest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kNormalReaders = 5;
constexpr size_t kSlowBytesPerSecond = 100'000;
constexpr auto kRun = milliseconds(8000);

// Latencies (ms) from each unit's capture-time SEI (wall clock, µs) to its arrival, for units
// that arrived after `from`.
std::vector<double> latencies_ms(const RtspTestClient& c, int64_t wall_minus_steady_us,
                                 SteadyTime from) {
  std::vector<double> out;
  for (const auto& u : c.access_units()) {
    if (!u.capture_time_us || u.arrival < from) continue;
    const int64_t arrival_us =
        std::chrono::duration_cast<std::chrono::microseconds>(u.arrival.time_since_epoch())
            .count() +
        wall_minus_steady_us;
    out.push_back(static_cast<double>(arrival_us - *u.capture_time_us) / 1000.0);
  }
  std::sort(out.begin(), out.end());
  return out;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

TEST(EdgeSlowReader, SlowReaderSkipsOrIsDroppedAndNormalReadersLoseNothing) {
  std::string error;
  auto cluster = Cluster::start(
      {.size = "1280x720", .bitrate = "3M", .metrics = true, .edge_args = {"--latency_budget=1s"}},
      &error);
  ASSERT_NE(cluster, nullptr) << error;

  std::vector<std::unique_ptr<RtspTestClient>> normal;
  for (int i = 0; i < kNormalReaders; ++i) {
    normal.push_back(std::make_unique<RtspTestClient>(cluster->url()));
    ASSERT_TRUE(normal.back()->start_playing(Lower::Tcp).ok()) << "reader " << i;
  }
  RtspTestClient slow(cluster->url());
  slow.set_receive_buffer(8 * 1024);
  ASSERT_TRUE(slow.start_playing(Lower::Tcp).ok());

  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (auto& c : normal) threads.emplace_back([&c] { c->receive_for(kRun); });
  threads.emplace_back([&] { slow.receive_throttled(kRun, kSlowBytesPerSecond); });

  // Watch /metrics for the edge noticing the slow reader.
  double noticed_ms = -1;
  double skipped = 0, dropped = 0;
  while (Clock::now() - start < kRun) {
    const std::string m = cluster->metrics();
    skipped = metric_value(m, "rs_edge_frames_skipped_total").value_or(0);
    dropped = metric_value(m, "rs_edge_readers_dropped_slow_total").value_or(0);
    if (noticed_ms < 0 && (skipped > 0 || dropped > 0)) {
      noticed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  for (auto& t : threads) t.join();
  const int64_t wall_minus_steady_us =
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count() -
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
          .count();

  // The stream is well above the slow reader's rate.
  const RtspTestClient& ref = *normal[0];
  ASSERT_GT(ref.access_units().size(), 150u) << ref.summary();
  size_t ref_bytes = 0;
  for (const auto& p : ref.packets()) ref_bytes += p.size;
  const double run_s = std::chrono::duration<double>(kRun).count();
  const double stream_kBps = static_cast<double>(ref_bytes) / run_s / 1000.0;
  size_t slow_bytes = 0;
  for (const auto& p : slow.packets()) slow_bytes += p.size;
  std::printf("stream %.0f kB/s; slow reader got %.0f kB/s, %zu units, closed=%d\n", stream_kBps,
              static_cast<double>(slow_bytes) / run_s / 1000.0, slow.access_units().size(),
              slow.connection_closed() ? 1 : 0);
  ASSERT_GT(stream_kBps, 1.5 * kSlowBytesPerSecond / 1000.0)
      << "stream too thin to make the reader slow";

  // The normal readers: every packet, low latency.
  for (int i = 0; i < kNormalReaders; ++i) {
    SCOPED_TRACE("normal reader " + std::to_string(i));
    const RtspTestClient& c = *normal[i];
    EXPECT_FALSE(c.connection_closed()) << c.summary();
    EXPECT_EQ(c.stats().sequence_gaps, 0u) << c.summary();
    EXPECT_EQ(c.stats().lost_packets, 0u) << c.summary();
    EXPECT_EQ(c.depacketizer_stats().dropped_units, 0u) << c.summary();
    EXPECT_GT(c.access_units().size(), 200u) << c.summary();
    // Live units only: skip the first second (the cached GOP arrives at once, already old).
    const std::vector<double> live =
        latencies_ms(c, wall_minus_steady_us, start + milliseconds(1000));
    ASSERT_FALSE(live.empty());
    std::printf("normal reader %d: latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu units)\n", i,
                percentile(live, 0.5), percentile(live, 0.99), live.back(), live.size());
    EXPECT_LT(percentile(live, 0.5), 100.0);
    EXPECT_LT(percentile(live, 0.99), 300.0);
  }

  // The slow reader: noticed within a few seconds, skipped to keyframes or dropped.
  std::printf(
      "slow reader noticed after %.0f ms: frames_skipped_total=%.0f "
      "readers_dropped_slow_total=%.0f\n",
      noticed_ms, skipped, dropped);
  RecordProperty("slow_reader_noticed_ms", std::to_string(noticed_ms));
  EXPECT_GE(noticed_ms, 0) << "no skip or drop counted in " << kRun.count() << " ms";
  EXPECT_LT(noticed_ms, 5000) << "with --latency_budget=1s";
  EXPECT_TRUE(skipped > 0 || dropped > 0);
  // Whatever the slow reader got is whole: after each gap in its sequence numbers, the next
  // complete unit is a keyframe (it resumed at a keyframe, never mid-GOP).
  const auto& packets = slow.packets();
  const auto& units = slow.access_units();
  size_t gaps_checked = 0;
  for (size_t i = 1; i < packets.size(); ++i) {
    if (packets[i].sequence == static_cast<uint16_t>(packets[i - 1].sequence + 1)) continue;
    const uint32_t ts = packets[i].timestamp;
    auto it = std::find_if(units.begin(), units.end(), [&](const AccessUnitRecord& u) {
      return static_cast<int32_t>(u.rtp_timestamp - ts) >= 0;
    });
    if (it == units.end()) continue;
    ++gaps_checked;
    EXPECT_TRUE(it->keyframe) << "slow reader resumed mid-GOP after packet " << i;
  }
  std::printf("slow reader: %zu skips checked to resume at a keyframe\n", gaps_checked);
  EXPECT_TRUE(cluster->edge().running()) << cluster->logs();
}

}  // namespace
}  // namespace rstest
