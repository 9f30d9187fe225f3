// Issue "a lost source is not the viewers' problem" end to end: camera outages, origin restarts
// and a frozen edge, watched from real RTSP readers on real edges.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/camera_stand_in.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace rstest {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

std::unique_ptr<Process> start_edge(const std::string& origin, std::vector<std::string> extra,
                                    uint16_t* port, std::string* error) {
  std::vector<std::string> argv = {bin_path("rtsp-edge"), "--origin=" + origin,
                                   "--rtsp=127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto edge = Process::start({.argv = argv, .name = "edge"}, error);
  if (!edge) return nullptr;
  auto line =
      edge->wait_for_stdout_line(std::regex(R"(rtsp-edge listening on 127\.0\.0\.1:(\d+))"), 10s);
  if (!line) {
    *error = "edge did not start: " + edge->stderr_tail();
    return nullptr;
  }
  *port = static_cast<uint16_t>(std::stoi(line->at(1)));
  return edge;
}

// Plays `url` over TCP, retrying DESCRIBE until the stream is there.
std::unique_ptr<RtspTestClient> play(const std::string& url) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto client = std::make_unique<RtspTestClient>(url);
    if (client->start_playing(RtspTestClient::Lower::Tcp).ok()) return client;
    std::this_thread::sleep_for(200ms);
  }
  return nullptr;
}

// Continuity a reader sees: no RTP sequence gaps, no timestamp going back, one SSRC.
void expect_continuous(const RtspTestClient& reader, const std::string& who) {
  EXPECT_EQ(reader.stats().sequence_gaps, 0u) << who << ": " << reader.summary();
  EXPECT_EQ(reader.stats().timestamp_decreases, 0u) << who << ": " << reader.summary();
  EXPECT_EQ(reader.stats().ssrc_changes, 0u) << who << ": " << reader.summary();
  EXPECT_FALSE(reader.connection_closed()) << who << " was disconnected";
}

int64_t rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

// Latencies (ms, capture -> arrival) of the access units a reader got after `from`.
std::vector<double> latencies_since(const RtspTestClient& reader, size_t from) {
  const auto offset = std::chrono::system_clock::now().time_since_epoch() -
                      std::chrono::steady_clock::now().time_since_epoch();
  std::vector<double> out;
  const auto& units = reader.access_units();
  for (size_t i = from; i < units.size(); ++i) {
    if (!units[i].capture_time_us) continue;
    const auto arrival_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                units[i].arrival.time_since_epoch() + offset)
                                .count();
    out.push_back(static_cast<double>(arrival_us - *units[i].capture_time_us) / 1000.0);
  }
  return out;
}

TEST(CameraOutage, EdgeReaderStaysConnectedAndSeesOneContinuousStream) {
  const CameraMedia& media = camera_media();
  ASSERT_TRUE(media.error.empty()) << media.error;
  std::string error;
  auto camera = CameraServer::start({.file = media.h264_mp4}, &error);
  ASSERT_TRUE(camera) << error;
  const std::string publish = free_publish_endpoint();
  // Backoff ceilings 0.5 s doubling to 2 s (full jitter) keep the outage test short.
  auto origin = start_origin({"--source=" + camera->url(), "--stream=cam1", "--reconnect_max=2s"},
                             publish, &error);
  ASSERT_TRUE(origin) << error;
  uint16_t port = 0;
  auto edge = start_edge(publish, {}, &port, &error);
  ASSERT_TRUE(edge) << error;
  auto reader = play("rtsp://127.0.0.1:" + std::to_string(port) + "/cam1");
  ASSERT_TRUE(reader) << origin->stderr_tail() << edge->stderr_tail();
  reader->receive_for(2s);
  ASSERT_GT(reader->access_units().size(), 20u) << reader->summary();

  camera->process().kill();  // the camera reboots
  const auto killed = std::chrono::steady_clock::now();
  reader->receive_for(3s);
  const size_t before = reader->packets().size();
  camera = CameraServer::start({.file = media.h264_mp4, .port = camera->port()}, &error);
  ASSERT_TRUE(camera) << error;
  const auto back = std::chrono::steady_clock::now();
  ASSERT_TRUE(reader->receive_until([&] { return reader->packets().size() > before + 50; }, 15s))
      << "frames did not resume\n"
      << origin->stderr_tail() << edge->stderr_tail();
  reader->receive_for(1s);
  SteadyTime resumed{};
  for (size_t i = before; i < reader->packets().size(); ++i) {
    if (reader->packets()[i].arrival > back) {
      resumed = reader->packets()[i].arrival;
      break;
    }
  }
  const double resume_ms = std::chrono::duration<double, std::milli>(resumed - back).count();
  std::printf("camera_outage: down %.1f s, frames resumed %.0f ms after the camera returned\n",
              std::chrono::duration<double>(back - killed).count(), resume_ms);
  std::printf("origin log:\n%s\n", origin->stderr_tail(1500).c_str());
  RecordProperty("camera_resume_ms", static_cast<int>(resume_ms));
  // At most one backoff ceiling (2 s) plus one GOP (1 s) plus the camera's own start-up.
  EXPECT_LT(resume_ms, 5000);
  expect_continuous(*reader, "edge reader");
}

TEST(OriginRestarts, FiftyRestartsEveryEdgeFollowsWithinTwoSeconds) {
  const std::string publish = free_publish_endpoint();
  const std::vector<std::string> origin_args = {"--source=test://pattern", "--stream=cam1",
                                                "--size=320x180",          "--fps=15",
                                                "--bitrate=300k",          "--gop=15"};
  std::string error;
  auto origin = start_origin(origin_args, publish, &error);
  ASSERT_TRUE(origin) << error;
  std::vector<std::unique_ptr<Process>> edges;
  std::vector<std::unique_ptr<RtspTestClient>> readers;
  for (int i = 0; i < 2; ++i) {
    uint16_t port = 0;
    edges.push_back(start_edge(publish, {"--preload=cam1"}, &port, &error));
    ASSERT_TRUE(edges.back()) << error;
    readers.push_back(play("rtsp://127.0.0.1:" + std::to_string(port) + "/cam1"));
    ASSERT_TRUE(readers.back());
  }
  auto pump_all = [&](milliseconds d) {
    for (auto& r : readers) r->receive_for(d / static_cast<int>(readers.size()));
  };
  pump_all(1s);
  std::vector<double> recovery_ms;
  constexpr int kRestarts = 50;
  for (int round = 0; round < kRestarts; ++round) {
    origin.reset();  // SIGKILL
    origin = start_origin(origin_args, publish, &error);
    ASSERT_TRUE(origin) << "round " << round << ": " << error;
    const auto back = std::chrono::steady_clock::now();
    std::vector<size_t> counts;
    for (auto& r : readers) counts.push_back(r->packets().size());
    std::vector<double> round_ms(readers.size(), -1);
    while (std::chrono::steady_clock::now() - back < 4s &&
           std::any_of(round_ms.begin(), round_ms.end(), [](double v) { return v < 0; })) {
      for (size_t i = 0; i < readers.size(); ++i) {
        readers[i]->receive_for(20ms);
        const auto& packets = readers[i]->packets();
        for (size_t p = counts[i]; p < packets.size() && round_ms[i] < 0; ++p) {
          if (packets[p].arrival >= back) {
            round_ms[i] =
                std::chrono::duration<double, std::milli>(packets[p].arrival - back).count();
          }
        }
      }
    }
    for (double v : round_ms) {
      ASSERT_GE(v, 0) << "round " << round << ": an edge stayed stuck\n" << edges[0]->stderr_tail();
      recovery_ms.push_back(v);
    }
  }
  const double p50 = percentile(recovery_ms, 0.5), p95 = percentile(recovery_ms, 0.95),
               max = percentile(recovery_ms, 1.0);
  std::printf("origin_restarts=%d edges=2 recovery_ms p50=%.0f p95=%.0f max=%.0f\n", kRestarts, p50,
              p95, max);
  RecordProperty("restart_recovery_p95_ms", static_cast<int>(p95));
  EXPECT_LE(p95, 2000);
  for (size_t i = 0; i < readers.size(); ++i)
    expect_continuous(*readers[i], "edge " + std::to_string(i));
}

TEST(FrozenEdge, OtherEdgesUnaffectedAndItRecoversOnItsOwn) {
  const std::string publish = free_publish_endpoint();
  std::string error;
  auto origin = start_origin(
      {"--source=test://pattern", "--stream=cam1", "--size=640x360", "--gop=30"}, publish, &error);
  ASSERT_TRUE(origin) << error;
  uint16_t port_a = 0, port_b = 0;
  auto edge_a = start_edge(publish, {"--preload=cam1"}, &port_a, &error);
  ASSERT_TRUE(edge_a) << error;
  auto edge_b = start_edge(publish, {"--preload=cam1"}, &port_b, &error);
  ASSERT_TRUE(edge_b) << error;
  auto reader_a = play("rtsp://127.0.0.1:" + std::to_string(port_a) + "/cam1");
  auto reader_b = play("rtsp://127.0.0.1:" + std::to_string(port_b) + "/cam1");
  ASSERT_TRUE(reader_a && reader_b);
  auto pump = [&](milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      reader_a->receive_for(10ms);
      reader_b->receive_for(10ms);
    }
  };
  pump(3s);
  const int64_t origin_rss_before = rss_kib(origin->pid());
  const size_t baseline_from = reader_a->access_units().size() / 3;
  const std::vector<double> baseline = latencies_since(*reader_a, baseline_from);
  const size_t frozen_from = reader_a->access_units().size();
  ASSERT_TRUE(edge_b->send_signal(SIGSTOP));
  // Only reader A is read while B's edge is frozen (B's reader would only wait).
  reader_a->receive_for(2s);
  const std::vector<double> during = latencies_since(*reader_a, frozen_from);
  ASSERT_TRUE(edge_b->send_signal(SIGCONT));
  const size_t b_before = reader_b->access_units().size();
  const auto resumed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      reader_b->receive_until([&] { return reader_b->access_units().size() > b_before + 30; }, 10s))
      << "the frozen edge did not recover\n"
      << edge_b->stderr_tail();
  const double recover_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - resumed_at)
          .count();
  pump(2s);
  const int64_t origin_rss_after = rss_kib(origin->pid());
  const double p99_before = percentile(baseline, 0.99), p99_during = percentile(during, 0.99);
  std::printf(
      "frozen_edge: other edge latency p99 %.2f ms before, %.2f ms during (%+.1f%%); frozen edge "
      "back to 30 frames in %.0f ms; origin RSS %lld -> %lld KiB\n",
      p99_before, p99_during, 100.0 * (p99_during - p99_before) / std::max(p99_before, 0.001),
      recover_ms, static_cast<long long>(origin_rss_before),
      static_cast<long long>(origin_rss_after));
  ASSERT_GT(during.size(), 40u) << "edge A kept delivering at 30 fps";
  // Generous on a shared 2-core machine (the figure printed above is what we report); a frozen
  // edge that stalled the origin or the other edge would show seconds here.
  EXPECT_LT(p99_during, p99_before * 2 + 25.0);
  EXPECT_LT(origin_rss_after - origin_rss_before, 64 * 1024) << "origin memory stays bounded";
  expect_continuous(*reader_a, "other edge's reader");
  EXPECT_FALSE(reader_b->connection_closed());
  EXPECT_EQ(reader_b->stats().sequence_gaps, 0u)
      << "the frozen edge's reader sees no RTP gap: " << reader_b->summary();
  EXPECT_EQ(reader_b->stats().depacketizer_errors, 0u);
}

}  // namespace
}  // namespace rstest
