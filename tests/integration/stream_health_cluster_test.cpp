// Stream health end to end with real processes on 127.0.0.1: a camera stand-in
// (gst-rtsp-server), rtsp-origin pulling it, rtsp-edge and rtsp-coordinator. A reader asks the
// edge on its open session (GET_PARAMETER stream_state, edge_state) while the camera and then the
// origin go away, and the coordinator's /api/cluster, /metrics and --status say the same.
#include <signal.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <thread>

#include "cluster/stream_health.hpp"
#include "rtsp/client_session.hpp"
#include "tests/support/camera_stand_in.hpp"
#include "tests/support/edge_probe.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace {

using namespace std::chrono_literals;
using rstest::Process;

struct Nodes {
  std::unique_ptr<rstest::CameraServer> camera;
  std::unique_ptr<Process> coordinator, origin, edge;
  uint16_t coordinator_port = 0, coordinator_http = 0, rtsp_port = 0;
  std::string logs() const {
    std::string out;
    for (auto* p : {coordinator.get(), origin.get(), edge.get()}) {
      if (p) out += p->name() + ":\n" + p->stderr_tail(1500) + "\n";
    }
    return out;
  }
};

std::unique_ptr<Process> spawn(std::vector<std::string> argv, std::string name,
                               std::string* error) {
  return Process::start({.argv = std::move(argv), .name = std::move(name)}, error);
}

// Camera -> origin -> edge, all registered with the coordinator.
bool start_nodes(Nodes& n, std::string* error) {
  const auto& media = rstest::camera_media();
  if (!media.error.empty()) {
    *error = media.error;
    return false;
  }
  n.camera = rstest::CameraServer::start({.file = media.h264_mp4}, error);
  if (!n.camera) return false;
  n.coordinator_port = rstest::free_tcp_port();
  n.coordinator_http = rstest::free_tcp_port();
  n.rtsp_port = rstest::free_tcp_port();
  const std::string coordinator = "--coordinator=127.0.0.1:" + std::to_string(n.coordinator_port);
  n.coordinator = spawn({rstest::bin_path("rtsp-coordinator"),
                         "--listen=127.0.0.1:" + std::to_string(n.coordinator_port),
                         "--http=127.0.0.1:" + std::to_string(n.coordinator_http), "--warmup=0s"},
                        "coordinator", error);
  if (!n.coordinator ||
      !n.coordinator->wait_for_stdout_line(std::regex("rtsp-coordinator listening on .*"), 10s)) {
    *error += "coordinator did not start";
    return false;
  }
  n.origin = rstest::start_origin(
      {"--source=" + n.camera->url(), "--stream=cam1", coordinator, "--source_transport=tcp",
       "--reconnect_initial=200ms", "--reconnect_max=500ms"},
      rstest::free_publish_endpoint(), error);
  if (!n.origin) return false;
  n.edge = spawn({rstest::bin_path("rtsp-edge"), coordinator,
                  "--rtsp=127.0.0.1:" + std::to_string(n.rtsp_port), "--name=edge-a",
                  "--preload=cam1", "--io_threads=1"},
                 "edge", error);
  if (!n.edge ||
      !n.edge->wait_for_stderr_line(std::regex("registering with the coordinator"), 10s)) {
    *error += "edge did not start";
    return false;
  }
  return true;
}

// One question on the open session; the parsed stream_state and the edge_state value.
struct Answer {
  int status = 0;
  std::optional<rs::cluster::StreamStatus> stream;
  std::string edge;
};

Answer ask(rstest::RtspTestClient& c) {
  Answer a;
  auto r = c.request("GET_PARAMETER", c.url(), {{"Content-Type", "text/parameters"}},
                     /*timeout=*/1s, "stream_state\r\nedge_state\r\n");
  if (!r.ok()) return a;
  a.status = r->status;
  for (const auto& [name, value] : rtsp::parse_parameters(r->body)) {
    if (name == "stream_state") a.stream = cluster::parse_stream_state(value);
    if (name == "edge_state") a.edge = value;
  }
  return a;
}

// Asks every 100 ms until the edge says `want` or `timeout` passes; the last answer.
Answer ask_until(rstest::RtspTestClient& c, rs::cluster::StreamHealth want,
                 std::chrono::milliseconds timeout, std::chrono::milliseconds* took) {
  const auto start = std::chrono::steady_clock::now();
  Answer a;
  while (std::chrono::steady_clock::now() - start < timeout) {
    a = ask(c);
    if (a.stream && a.stream->health() == want) break;
    c.receive_for(100ms);
  }
  *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                start);
  return a;
}

// The coordinator's view of cam1 as JSON, /metrics and --status all name `state`.
bool coordinator_says(const Nodes& n, std::string_view state, std::chrono::milliseconds timeout,
                      std::string* seen) {
  const std::string series =
      "rs_coordinator_stream_health{stream=\"cam1\",state=\"" + std::string(state) + "\"}";
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    auto metrics = rstest::http_get(n.coordinator_http, "/metrics");
    if (metrics && rstest::metric_value(*metrics, series) == 1.0) {
      *seen = *metrics;
      return true;
    }
    std::this_thread::sleep_for(100ms);
  }
  *seen = rstest::http_get(n.coordinator_http, "/metrics").value_or("(no answer)");
  return false;
}

TEST(StreamHealth, EdgeAndCoordinatorTellSourceDownFromOriginSilent) {
  Nodes n;
  std::string error;
  ASSERT_TRUE(start_nodes(n, &error)) << error << n.logs();
  rstest::RtspTestClient c("rtsp://127.0.0.1:" + std::to_string(n.rtsp_port) + "/cam1");
  bool playing = false;
  for (int i = 0; i < 100 && !playing; ++i) {
    c.close();
    playing = c.connect().ok() && c.start_playing(rstest::RtspTestClient::Lower::Tcp).ok();
    if (!playing) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(playing) << n.logs();
  c.receive_for(500ms);

  // Live: the edge says so on the session, and so does the coordinator everywhere.
  std::chrono::milliseconds took{};
  Answer a = ask_until(c, rs::cluster::STREAM_HEALTH_LIVE, 3s, &took);
  ASSERT_EQ(a.status, 200) << n.logs();
  ASSERT_TRUE(a.stream.has_value());
  EXPECT_EQ(a.stream->health(), rs::cluster::STREAM_HEALTH_LIVE);
  EXPECT_EQ(a.edge, "ready");
  std::string seen;
  EXPECT_TRUE(coordinator_says(n, "live", 5s, &seen)) << seen;
  auto body = rstest::http_get(n.coordinator_http, "/api/cluster");
  ASSERT_TRUE(body.has_value());
  const auto json = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(json.is_object()) << *body;
  ASSERT_EQ(json["streams"].size(), 1u) << *body;
  const auto& stream = json["streams"][0];
  EXPECT_EQ(stream["stream"], "cam1") << *body;
  EXPECT_EQ(stream["status"]["health"], "STREAM_HEALTH_LIVE") << *body;
  ASSERT_FALSE(stream["per_edge"].empty()) << *body;
  EXPECT_EQ(stream["per_edge"][0]["edge"], "edge-a") << *body;

  // The camera dies: the origin is alive and says its source is down, with the reason.
  ASSERT_TRUE(n.camera->process().send_signal(SIGKILL));
  a = ask_until(c, rs::cluster::STREAM_HEALTH_SOURCE_DOWN, 3s, &took);
  ASSERT_TRUE(a.stream.has_value()) << n.logs();
  EXPECT_EQ(a.stream->health(), rs::cluster::STREAM_HEALTH_SOURCE_DOWN)
      << cluster::format_stream_state(*a.stream) << "\n"
      << n.logs();
  EXPECT_NE(a.stream->reason().find("at the origin:"), std::string::npos) << a.stream->reason();
  EXPECT_NE(a.stream->since_unix_ms(), 0);
  EXPECT_LE(took, 1500ms);
  EXPECT_TRUE(coordinator_says(n, "source-down", 3s, &seen)) << seen;
  const auto status =
      rstest::run_command({rstest::bin_path("rtsp-coordinator"),
                           "--status=127.0.0.1:" + std::to_string(n.coordinator_port)},
                          5s);
  EXPECT_TRUE(std::regex_search(status.out, std::regex("cam1 +source-down")))
      << status.out << status.err;
  EXPECT_NE(status.out.find("edge-a"), std::string::npos) << status.out;

  // The origin dies too: no frames and no StreamInfo from any origin.
  ASSERT_TRUE(n.origin->send_signal(SIGKILL));
  a = ask_until(c, rs::cluster::STREAM_HEALTH_ORIGIN_SILENT, 5s, &took);
  ASSERT_TRUE(a.stream.has_value()) << n.logs();
  EXPECT_EQ(a.stream->health(), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT)
      << cluster::format_stream_state(*a.stream);
  EXPECT_TRUE(coordinator_says(n, "origin-silent", 3s, &seen)) << seen;
  // Through all of it the reader kept its session: every answer came on the same connection.
  EXPECT_FALSE(c.connection_closed());
  EXPECT_EQ(ask(c).status, 200);
}

}  // namespace
