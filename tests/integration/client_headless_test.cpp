// rtsp-client as a real process, headless, against a local origin + edge (640x360 to save CPU):
// 10 s of playback, JSON lines, latency plausibility; bad URLs and an unknown stream end with a
// clear message and a non-zero exit, without retrying; a coordinator that is down at start gives
// a clear error after the configured retries.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/integration/client_test_util.hpp"
#include "tests/support/cluster.hpp"
#include "tests/support/process.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using rstest::client::json_nested;
using rstest::client::json_number;

class ClientHeadless : public rstest::SharedClusterTest<ClientHeadless> {
 public:
  static std::unique_ptr<rstest::Cluster> start_cluster(std::string* error) {
    return rstest::Cluster::start(
        {.size = "640x360", .fps = 30, .edge_args = {"--describe_timeout=1s"}}, error);
  }

 protected:
  static rstest::RunResult client(std::vector<std::string> args,
                                  std::chrono::milliseconds timeout) {
    args.insert(args.begin(), rstest::bin_path("rtsp-client"));
    return rstest::run_command(args, timeout, {"DISPLAY="});
  }
};

TEST_F(ClientHeadless, PlaysTenSecondsWithPlausibleLatency) {
  ASSERT_NE(cluster_, nullptr);
  // No --headless: an unset $DISPLAY must switch to headless on its own.
  const auto r = client({cluster_->url(), "--duration=10s"}, 30s);
  ASSERT_TRUE(r.status) << "timed out\n" << r.err;
  ASSERT_TRUE(r.status->exited && r.status->code == 0) << r.status->describe() << "\n" << r.err;
  const std::string summary = rstest::client::summary_line(r.out);
  ASSERT_FALSE(summary.empty()) << r.out;
  std::printf("summary: %s\n", summary.c_str());
  const double frames = json_number(summary, "frames").value_or(0);
  const double first_ms = json_number(summary, "first_frame_ms").value_or(10000);
  const double expected = 30.0 * (10.0 - first_ms / 1000.0);
  std::printf("frames %.0f, expected %.0f (first frame after %.0f ms)\n", frames, expected,
              first_ms);
  EXPECT_GE(frames, 0.95 * expected);
  const auto p50 = json_nested(summary, "latency_ms", "p50");
  const auto p95 = json_nested(summary, "latency_ms", "p95");
  const auto max = json_nested(summary, "latency_ms", "max");
  ASSERT_TRUE(p50 && p95 && max) << summary;
  EXPECT_GT(*p50, 0);
  EXPECT_LT(*p50, 1000);
  EXPECT_LE(*p50, *p95);
  EXPECT_LE(*p95, *max);
  EXPECT_TRUE(json_nested(summary, "receive_latency_ms", "p50").has_value()) << summary;
  EXPECT_EQ(json_number(summary, "reconnects").value_or(-1), 0);
  EXPECT_NE(summary.find("\"decoder\":\"h264 ("), std::string::npos) << summary;
  // Every line on stdout is one JSON object (what log shippers and `jq` expect).
  for (const std::string& line : rstest::client::lines_of(r.out)) {
    const auto j = rstest::client::parse_json_line(line);
    EXPECT_TRUE(j && j->is_object()) << "not a JSON object: " << line;
  }

  const auto seconds = rstest::client::second_lines(r.out);
  EXPECT_GE(seconds.size(), 9u) << r.out;
  for (size_t i = 1; i < seconds.size(); ++i) {  // the first second includes the start
    SCOPED_TRACE(seconds[i]);
    for (const char* key : {"t", "fps", "kbps", "frames", "drops"}) {
      EXPECT_TRUE(json_number(seconds[i], key).has_value()) << key;
    }
    EXPECT_TRUE(json_nested(seconds[i], "latency_ms", "p50").has_value());
    EXPECT_TRUE(json_nested(seconds[i], "latency_ms", "p95").has_value());
    EXPECT_TRUE(json_nested(seconds[i], "latency_ms", "max").has_value());
    const auto j = rstest::client::parse_json_line(seconds[i]);
    ASSERT_TRUE(j.has_value());
    EXPECT_TRUE((*j)["edge"].get<std::string>().starts_with("127.0.0.1:")) << (*j)["edge"];
    EXPECT_GT(json_number(seconds[i], "kbps").value_or(0), 0);
  }
  EXPECT_NE(r.err.find("first frame from"), std::string::npos) << r.err;
}

TEST_F(ClientHeadless, FramesLimitStopsEarly) {
  ASSERT_NE(cluster_, nullptr);
  const auto r = client({cluster_->url(), "--headless", "--frames=15", "--transport=udp"}, 20s);
  ASSERT_TRUE(r.status) << r.err;
  EXPECT_TRUE(r.status->exited && r.status->code == 0) << r.status->describe() << "\n" << r.err;
  const std::string summary = rstest::client::summary_line(r.out);
  EXPECT_EQ(json_number(summary, "frames").value_or(0), 15) << r.out;
  EXPECT_NE(summary.find("15 frames decoded"), std::string::npos) << summary;
}

TEST_F(ClientHeadless, UnknownPathOnTheEdgeExitsWithoutRetry) {
  ASSERT_NE(cluster_, nullptr);
  const auto start = Clock::now();
  const auto r = client({cluster_->url("nosuchstream"), "--headless"}, 20s);
  ASSERT_TRUE(r.status) << "retried instead of exiting\n" << r.err;
  EXPECT_TRUE(r.status->exited && r.status->code == 3) << r.status->describe() << "\n" << r.err;
  EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("reconnecting"), std::string::npos) << r.err;
  EXPECT_LT(Clock::now() - start, 6s);
}

TEST_F(ClientHeadless, MalformedUrlIsAUsageError) {
  const auto r = client({"rtsp//oops", "--headless"}, 10s);
  ASSERT_TRUE(r.status);
  EXPECT_TRUE(r.status->exited && r.status->code == 2) << r.status->describe();
  EXPECT_NE(r.err.find("is not an RTSP URL"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(ClientHeadless, CoordinatorDownAtStartGivesUpAfterRetries) {
  const uint16_t port = rstest::free_tcp_port();  // nothing listens there
  const auto start = Clock::now();
  const auto r = client({"--coordinator=127.0.0.1:" + std::to_string(port), "--stream=cam1",
                         "--headless", "--connect_retries=3", "--coordinator_timeout=300ms"},
                        30s);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(r.status) << r.err;
  EXPECT_TRUE(r.status->exited && r.status->code == 4) << r.status->describe() << "\n" << r.err;
  EXPECT_NE(r.err.find("coordinator unreachable: gave up on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("after 3 attempts"), std::string::npos) << r.err;
  // One line per attempt: the first ask, two unconnected attempts (asked again at once: the
  // channel's reconnect backoff spaces them), the final error.
  EXPECT_NE(r.err.find("unreachable on attempt 1 (DEADLINE_EXCEEDED"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unreachable on attempt 2 (DEADLINE_EXCEEDED"), std::string::npos) << r.err;
  EXPECT_LT(took, 10s);
  std::printf(
      "coordinator down: exit %d after %lld ms\n%s", r.status->code,
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()),
      r.err.c_str());
}

}  // namespace
