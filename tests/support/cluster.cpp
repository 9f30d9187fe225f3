// One origin and one edge for tests (see cluster.hpp).
#include "tests/support/cluster.hpp"

#include <regex>
#include <thread>

#include "tests/support/edge_probe.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace rstest {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::unique_ptr<Cluster> Cluster::start(ClusterOptions options, std::string* error) {
  if (bin_dir().empty()) {
    *error = "RS_BIN_DIR is not set (run the test through ctest)";
    return nullptr;
  }
  std::unique_ptr<Cluster> c(new Cluster());
  c->options_ = std::move(options);
  const ClusterOptions& o = c->options_;
  const auto deadline = Clock::now() + o.start_timeout;

  // The publish port is picked here, so another process may take it in between: retry.
  for (int attempt = 0; attempt < 3 && !c->origin_; ++attempt) {
    c->publish_port_ = free_tcp_port();
    std::vector<std::string> argv = {
        bin_path("rtsp-origin"), "--stream=" + o.stream,
        "--publish=tcp://127.0.0.1:" + std::to_string(c->publish_port_)};
    if (o.source.empty()) {
      argv.insert(argv.end(),
                  {"--source=test://pattern", "--size=" + o.size, "--fps=" + std::to_string(o.fps),
                   "--bitrate=" + o.bitrate, "--gop=" + std::to_string(o.gop)});
    } else {
      argv.push_back("--source=" + o.source);
    }
    argv.insert(argv.end(), o.origin_args.begin(), o.origin_args.end());
    c->origin_argv_ = argv;
    auto origin = Process::start({.argv = argv, .name = "origin"}, error);
    if (!origin) return nullptr;
    // A bind failure exits at once; give it a moment to fail.
    if (auto st = origin->wait(milliseconds(300))) {
      *error = "rtsp-origin exited (" + st->describe() + "): " + origin->stderr_tail();
      continue;
    }
    c->origin_ = std::move(origin);
  }
  if (!c->origin_) return nullptr;

  std::vector<std::string> argv = {bin_path("rtsp-edge"),
                                   "--origin=tcp://127.0.0.1:" + std::to_string(c->publish_port_),
                                   "--rtsp=127.0.0.1:0"};
  if (o.metrics) {
    c->http_port_ = free_tcp_port();
    argv.push_back("--http=127.0.0.1:" + std::to_string(c->http_port_));
  }
  argv.insert(argv.end(), o.edge_args.begin(), o.edge_args.end());
  c->edge_ = Process::start({.argv = argv, .name = "edge"}, error);
  if (!c->edge_) return nullptr;
  static const std::regex kListening(R"(rtsp-edge listening on 127\.0\.0\.1:(\d+))");
  auto line = c->edge_->wait_for_stdout_line(
      kListening, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
  if (!line) {
    *error = "rtsp-edge did not print its listening line. " + c->logs();
    return nullptr;
  }
  c->rtsp_port_ = static_cast<uint16_t>(std::stoi((*line)[1]));
  if (o.wait_for_stream) {
    std::string why;
    if (!c->wait_for_stream(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()),
                            &why)) {
      *error = "stream never became available: " + why + ". " + c->logs();
      return nullptr;
    }
  }
  return c;
}

Cluster::~Cluster() {
  // Edge first so that it does not log the origin going away.
  if (edge_) edge_->kill();
  if (origin_) origin_->kill();
}

bool Cluster::restart_origin(std::string* error) {
  if (origin_) origin_->kill();
  origin_.reset();
  // The port was ours a moment ago; ZeroMQ binds with SO_REUSEADDR, but retry briefly anyway.
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto origin = Process::start({.argv = origin_argv_, .name = "origin"}, error);
    if (!origin) return false;
    if (auto st = origin->wait(milliseconds(200))) {
      *error = "rtsp-origin exited (" + st->describe() + "): " + origin->stderr_tail();
      continue;
    }
    origin_ = std::move(origin);
    return true;
  }
  return false;
}

std::string Cluster::metrics() const {
  if (http_port_ == 0) return "";
  return http_get(http_port_, "/metrics").value_or("");
}

std::string Cluster::url(const std::string& stream) const {
  return "rtsp://127.0.0.1:" + std::to_string(rtsp_port_) + "/" +
         (stream.empty() ? options_.stream : stream);
}

std::string Cluster::logs() const {
  std::string out;
  if (origin_) out += "\n--- origin stderr ---\n" + origin_->stderr_tail();
  if (edge_) out += "\n--- edge stderr ---\n" + edge_->stderr_tail();
  return out;
}

bool Cluster::wait_for_stream(milliseconds timeout, std::string* last_error) const {
  const auto deadline = Clock::now() + timeout;
  std::string why = "timed out";
  while (Clock::now() < deadline) {
    RtspTestClient client(url());
    if (auto st = client.connect(); !st.ok()) {
      why = std::string(st.message());
    } else if (auto r = client.describe(milliseconds(5000)); !r.ok()) {
      why = std::string(r.status().message());
    } else if (r->status == 200) {
      return true;
    } else {
      why = "DESCRIBE answered " + std::to_string(r->status);
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  if (last_error) *last_error = why;
  return false;
}

std::unique_ptr<BackgroundReader> BackgroundReader::start(const std::string& url,
                                                          std::chrono::milliseconds max_run,
                                                          std::string* error) {
  std::unique_ptr<BackgroundReader> r(new BackgroundReader(url));
  if (auto st = r->client_.start_playing(RtspTestClient::Lower::Tcp); !st.ok()) {
    *error = "normal reader: " + std::string(st.message());
    return nullptr;
  }
  BackgroundReader* raw = r.get();
  r->thread_ = std::thread(
      [raw, max_run] { raw->client_.receive_until([raw] { return raw->stop_.load(); }, max_run); });
  return r;
}

BackgroundReader::~BackgroundReader() {
  stop();
}

void BackgroundReader::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void BackgroundReader::stop_and_expect_lost_nothing(size_t min_units) {
  stop();
  const RtspTestClient& r = client_;
  EXPECT_FALSE(r.connection_closed()) << r.summary();
  EXPECT_GT(r.access_units().size(), min_units) << r.summary();
  EXPECT_EQ(r.stats().sequence_gaps, 0u) << r.summary();
  EXPECT_EQ(r.stats().lost_packets, 0u) << r.summary();
  EXPECT_EQ(r.stats().timestamp_decreases, 0u) << r.summary();
  EXPECT_EQ(r.depacketizer_stats().dropped_units, 0u) << r.summary();
}

}  // namespace rstest
