// rtsp-client: plays a stream from the edge the coordinator assigns (or any RTSP URL) with a
// live overlay of latency, FPS and throughput, and fails over on its own (docs/client.md).
// Wiring only.
#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/log.h>
}

#include "base/cli.hpp"
#include "base/log.hpp"
#include "client/client_app.hpp"
#include "client/client_options.hpp"

namespace {

constexpr char kProgram[] = "rtsp-client";

constexpr char kUsage[] =
    "plays a stream with a live overlay of latency, FPS and throughput.\n"
    "  rtsp-client --coordinator=HOST:50051 --stream=cam1   ask the coordinator for an edge\n"
    "  rtsp-client rtsp://HOST:8554/cam1                    play any RTSP URL directly\n"
    "  rtsp-client --headless --duration=10s URL            JSON lines instead of a window\n"
    "keys: q quit, o toggle the overlay, s save a PNG screenshot";

void on_signal(int) {
  client::request_stop();
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> positional =
      base::parse_flags(argc, argv, kProgram, kUsage, "client/", /*max_positional=*/1);
  const std::string url = positional.empty() ? std::string() : positional[0];
  const char* display = std::getenv("DISPLAY");
  auto options = client::options_from_flags(url, display != nullptr && *display != '\0');
  if (!options.ok()) base::fail_usage(kProgram, options.status().message());
  av_log_set_level(base::log_level() == base::LogLevel::Debug ? AV_LOG_INFO : AV_LOG_ERROR);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  client::ClientApp app(*options);
  return app.run();
}
