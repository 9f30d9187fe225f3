// One origin (test pattern) and one edge on 127.0.0.1 ephemeral ports, for tests.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace rstest {

struct ClusterOptions {
  std::string stream = "cam1";
  std::string size = "640x360";  // small by default: tests share two cores
  int fps = 30;
  std::string bitrate = "1M";
  int gop = 30;
  // Origin source: empty = the test pattern with the settings above; else a --source value
  // (e.g. a file made at test time; add "--loop" to origin_args to play it forever).
  std::string source;
  std::vector<std::string> origin_args;  // extra flags
  // Serve the edge's Prometheus /metrics on a free port (--http=127.0.0.1:PORT).
  bool metrics = false;
  std::vector<std::string> edge_args;  // extra flags
  // Wait until DESCRIBE of the stream answers 200 before returning.
  bool wait_for_stream = true;
  std::chrono::milliseconds start_timeout = std::chrono::seconds(15);
};

class Cluster {
 public:
  // Starts origin then edge; nullptr and *error (with the processes' stderr) on failure.
  static std::unique_ptr<Cluster> start(ClusterOptions options, std::string* error);
  ~Cluster();

  // rtsp://127.0.0.1:<port>/<stream> (the configured stream when empty).
  std::string url(const std::string& stream = {}) const;
  uint16_t rtsp_port() const { return rtsp_port_; }
  uint16_t publish_port() const { return publish_port_; }
  const ClusterOptions& options() const { return options_; }
  Process& origin() { return *origin_; }
  // SIGKILLs the origin and starts it again at once with the same flags on the same publish
  // port; false (and *error) when it does not come back.
  bool restart_origin(std::string* error);
  // The edge's /metrics text ("" when --http is off or the request failed).
  std::string metrics() const;
  uint16_t http_port() const { return http_port_; }
  Process& edge() { return *edge_; }
  // The origin's and the edge's stderr tails, for failure messages.
  std::string logs() const;

  // Repeats DESCRIBE until it answers 200 or `timeout` passes.
  bool wait_for_stream(std::chrono::milliseconds timeout, std::string* last_error = nullptr) const;

 private:
  Cluster() = default;
  ClusterOptions options_;
  uint16_t publish_port_ = 0;
  uint16_t rtsp_port_ = 0;
  uint16_t http_port_ = 0;
  std::vector<std::string> origin_argv_;
  std::unique_ptr<Process> origin_;
  std::unique_ptr<Process> edge_;
};

// A normal reader playing `url` over TCP on its own thread until stop() (or `max_run`): the
// reader that bad input, hostile connections and slow readers must never disturb. Its records
// are read after stop().
class BackgroundReader {
 public:
  // Starts playing; nullptr and *error when the reader cannot play.
  static std::unique_ptr<BackgroundReader> start(const std::string& url,
                                                 std::chrono::milliseconds max_run,
                                                 std::string* error);
  ~BackgroundReader();  // stop()
  void stop();
  const RtspTestClient& client() const { return client_; }

  // Stops, then checks (gtest) that the reader lost nothing: still connected, more than
  // `min_units` access units, no sequence gap, lost packet, backwards timestamp or dropped unit.
  void stop_and_expect_lost_nothing(size_t min_units);

 private:
  explicit BackgroundReader(const std::string& url) : client_(url) {}
  RtspTestClient client_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A GoogleTest fixture whose tests share one Cluster, started once per suite by
// `Derived::start_cluster(std::string* error)`; a test fails at once if it did not start, and the
// cluster's logs are printed after any failing test.
template <typename Derived>
class SharedClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    cluster_ = Derived::start_cluster(&error).release();
    if (cluster_ == nullptr) start_error_ = error;
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << start_error_; }
  void TearDown() override {
    if (HasFailure() && cluster_ != nullptr) std::fprintf(stderr, "%s\n", cluster_->logs().c_str());
  }
  static inline Cluster* cluster_ = nullptr;
  static inline std::string start_error_;
};

}  // namespace rstest
