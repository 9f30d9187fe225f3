// client_latency: end-to-end latency of rtsp-client (capture -> decoded, headless) at 720p30 and
// 1080p30, split into encode (capture -> frame published, seen by a ZeroMQ subscriber in this
// process), network + edge (-> packet received by the client) and decode (-> frame decoded);
// plus time from client start to first decoded frame with a 2 s GOP (--gop=60).
// Prints a table and writes JSON (default bench/results/client_latency.json). Measures, never
// gates. Usage: client_latency [--bin=build/bin] [--out=FILE] [--seconds=10] [--runs=5]
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "base/clock.hpp"
#include "relay/frame_subscriber.hpp"
#include "tests/support/process.hpp"

namespace {

using namespace std::chrono_literals;

struct Args {
  std::string bin;
  std::string out;
  int seconds = 10;
  int runs = 5;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

std::optional<double> nested(const std::string& line, const std::string& outer,
                             const std::string& inner) {
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains(outer) || !j[outer].is_object()) return {};
  const auto& o = j[outer];
  if (!o.contains(inner) || !o[inner].is_number()) return {};
  return o[inner].get<double>();
}

std::optional<double> number(const std::string& line, const std::string& key) {
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return {};
  return j[key].get<double>();
}

std::string summary_of(const std::string& out) {
  const size_t at = out.find("{\"summary\":true");
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

// Origin + edge on ephemeral ports, and a ZeroMQ subscriber timing capture -> published.
class Rig {
 public:
  bool start(const std::string& size, const std::string& bitrate, int gop) {
    const uint16_t publish = rstest::free_tcp_port();
    std::string error;
    origin_ = rstest::Process::start(
        {.argv = {rstest::bin_path("rtsp-origin"), "--source=test://pattern", "--stream=cam1",
                  "--publish=tcp://127.0.0.1:" + std::to_string(publish), "--size=" + size,
                  "--fps=30", "--gop=" + std::to_string(gop), "--bitrate=" + bitrate}},
        &error);
    edge_ = rstest::Process::start({.argv = {rstest::bin_path("rtsp-edge"),
                                             "--origin=tcp://127.0.0.1:" + std::to_string(publish),
                                             "--rtsp=127.0.0.1:0", "--preload=cam1"}},
                                   &error);
    if (!origin_ || !edge_) return false;
    auto m = edge_->wait_for_stdout_line(std::regex(R"(rtsp-edge listening on [\d.]+:(\d+))"), 10s);
    if (!m) return false;
    url_ = "rtsp://127.0.0.1:" + (*m)[1] + "/cam1";
    subscriber_ = std::thread([this, publish] { subscribe(publish); });
    std::this_thread::sleep_for(1500ms);  // encoder warm, edge has a GOP
    return true;
  }
  ~Rig() {
    stop_ = true;
    if (subscriber_.joinable()) subscriber_.join();
  }
  const std::string& url() const { return url_; }
  std::vector<double> encode_ms() {
    std::lock_guard lock(mu_);
    return encode_ms_;
  }
  void clear() {
    std::lock_guard lock(mu_);
    encode_ms_.clear();
  }

 private:
  void subscribe(uint16_t port) {
    zmq::context_t context;
    auto sub = relay::FrameSubscriber::create(
        context, {.endpoints = {"tcp://127.0.0.1:" + std::to_string(port)}});
    if (!sub.ok()) return;
    (*sub)->subscribe("cam1");
    while (!stop_) {
      auto got = (*sub)->receive(100ms);
      if (!got) continue;
      if (auto* frame = std::get_if<media::FramePtr>(&*got)) {
        const double ms =
            static_cast<double>(base::wall_clock_us() - (*frame)->capture_time_us) / 1000.0;
        std::lock_guard lock(mu_);
        encode_ms_.push_back(ms);
      }
    }
  }
  std::unique_ptr<rstest::Process> origin_;
  std::unique_ptr<rstest::Process> edge_;
  std::string url_;
  std::thread subscriber_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<double> encode_ms_;
};

struct LatencyRow {
  std::string name;
  double join_p95 = NAN;        // p95 including the first second (the cached GOP burst)
  double p50 = NAN, p95 = NAN;  // capture -> decoded (headless "displayed")
  double encode_p50 = NAN;      // capture -> published
  double receive_p50 = NAN;     // capture -> packet at the client
  double decoded_p50 = NAN;     // capture -> decoded
  double decode_ms_p50 = NAN;   // decoder alone
  double fps = NAN;
  std::string decoder;
};

LatencyRow measure_latency(const Args& args, const std::string& name, const std::string& size,
                           const std::string& bitrate) {
  LatencyRow row;
  row.name = name;
  Rig rig;
  if (!rig.start(size, bitrate, 30)) {
    std::fprintf(stderr, "%s: rig did not start\n", name.c_str());
    return row;
  }
  rig.clear();
  const auto r = rstest::run_command({rstest::bin_path("rtsp-client"), rig.url(), "--headless",
                                      "--duration=" + std::to_string(args.seconds) + "s"},
                                     std::chrono::seconds(args.seconds + 20), {"DISPLAY="});
  const std::string s = summary_of(r.out);
  if (s.empty()) {
    std::fprintf(stderr, "%s: no summary\n%s\n", name.c_str(), r.err.c_str());
    return row;
  }
  // Steady state: without the first second, when the edge's cached GOP arrives in a burst.
  row.p50 = nested(s, "steady_latency_ms", "p50").value_or(NAN);
  row.p95 = nested(s, "steady_latency_ms", "p95").value_or(NAN);
  row.join_p95 = nested(s, "latency_ms", "p95").value_or(NAN);
  row.receive_p50 = nested(s, "receive_latency_ms", "p50").value_or(NAN);
  row.decoded_p50 = nested(s, "decoded_latency_ms", "p50").value_or(NAN);
  row.decode_ms_p50 = nested(s, "decode_ms", "p50").value_or(NAN);
  row.fps = number(s, "fps").value_or(NAN);
  std::smatch m;
  if (std::regex_search(s, m, std::regex("\"decoder\":\"([^\"]*)\""))) row.decoder = m[1];
  row.encode_p50 = percentile(rig.encode_ms(), 50);
  return row;
}

struct FirstFrame {
  std::vector<double> client_ms;   // client start -> first decoded frame (inside the client)
  std::vector<double> process_ms;  // process spawn -> exit after one frame
};

FirstFrame measure_first_frame(const Args& args) {
  FirstFrame f;
  Rig rig;
  if (!rig.start("1280x720", "2M", 60)) return f;
  for (int i = 0; i < args.runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = rstest::run_command(
        {rstest::bin_path("rtsp-client"), rig.url(), "--headless", "--frames=1"}, 15s,
        {"DISPLAY="});
    const double wall =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (auto v = number(summary_of(r.out), "first_frame_ms")) {
      f.client_ms.push_back(*v);
      f.process_ms.push_back(wall);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + 350 * i));  // any GOP phase
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  args.bin = std::filesystem::path(argv[0]).parent_path().string();
  const std::filesystem::path source = std::filesystem::path(__FILE__).parent_path();
  args.out = (source / "results" / "client_latency.json").string();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--bin=", 0) == 0)
      args.bin = a.substr(6);
    else if (a.rfind("--out=", 0) == 0)
      args.out = a.substr(6);
    else if (a.rfind("--seconds=", 0) == 0)
      args.seconds = std::stoi(a.substr(10));
    else if (a.rfind("--runs=", 0) == 0)
      args.runs = std::stoi(a.substr(7));
    else {
      std::fprintf(stderr,
                   "usage: client_latency [--bin=DIR] [--out=FILE] [--seconds=N] [--runs=N]\n");
      return 2;
    }
  }
  ::setenv("RS_BIN_DIR", args.bin.c_str(), 1);
  std::vector<LatencyRow> rows = {measure_latency(args, "720p30", "1280x720", "2M"),
                                  measure_latency(args, "1080p30", "1920x1080", "4M")};
  const FirstFrame ff = measure_first_frame(args);

  std::printf(
      "rtsp-client end-to-end latency, capture -> decoded (headless), %d s per row, %u cores\n",
      args.seconds, std::thread::hardware_concurrency());
  std::printf("%-8s %8s %8s %9s | %10s %12s %10s | %9s %6s  %s\n", "stream", "p50 ms", "p95 ms",
              "join p95", "encode", "network+edge", "decode", "dec. only", "fps", "decoder");
  std::string json = "{\n  \"latency\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const double network = r.receive_p50 - r.encode_p50;
    const double decode = r.decoded_p50 - r.receive_p50;
    std::printf("%-8s %8.1f %8.1f %9.1f | %10.1f %12.1f %10.1f | %9.2f %6.1f  %s\n", r.name.c_str(),
                r.p50, r.p95, r.join_p95, r.encode_p50, network, decode, r.decode_ms_p50, r.fps,
                r.decoder.c_str());
    json += absl::StrFormat(
        "    {\"stream\":\"%s\",\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"join_p95_ms\":%.2f,"
        "\"encode_p50_ms\":%.2f,"
        "\"network_edge_p50_ms\":%.2f,\"decode_p50_ms\":%.2f,\"decoder_only_p50_ms\":%.2f,"
        "\"fps\":%.1f,\"decoder\":\"%s\"}%s\n",
        r.name, r.p50, r.p95, r.join_p95, r.encode_p50, network, decode, r.decode_ms_p50, r.fps,
        r.decoder, i + 1 < rows.size() ? "," : "");
  }
  const double ff50 = percentile(ff.client_ms, 50);
  const double ff95 = percentile(ff.client_ms, 95);
  const double pf50 = percentile(ff.process_ms, 50);
  std::printf(
      "\nfirst decoded frame, 720p30 with a 2 s GOP (--gop=60), %zu runs: p50 %.0f ms, "
      "p95 %.0f ms after client start (%.0f ms p50 from process spawn to exit)\n",
      ff.client_ms.size(), ff50, ff95, pf50);
  std::printf(
      "p50/p95: steady state (first second left out); join p95: with the edge's cached "
      "GOP burst of the first second\n");
  std::printf(
      "encode = capture -> frame published (ZeroMQ subscriber here); network+edge = -> "
      "packet at the client; decode = -> frame out of the decoder (p50 differences)\n");
  json += absl::StrFormat(
      "  ],\n  \"first_frame\": {\"gop\":60,\"runs\":%d,\"p50_ms\":%.1f,\"p95_ms\":%.1f,"
      "\"process_p50_ms\":%.1f},\n  \"seconds_per_row\": %d,\n  \"cores\": %u\n}\n",
      static_cast<int>(ff.client_ms.size()), ff50, ff95, pf50, args.seconds,
      std::thread::hardware_concurrency());
  std::filesystem::create_directories(std::filesystem::path(args.out).parent_path());
  std::ofstream(args.out) << json;
  std::printf("results written to %s\n", args.out.c_str());
  return 0;
}
