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

void on_signal(int) {
  client::request_stop();
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> positional =
      base::parse_flags(argc, argv, kProgram, client::kUsage, "client/", /*max_positional=*/1);
  const std::string url = positional.empty() ? std::string() : positional[0];
  const char* display = std::getenv("DISPLAY");
  const auto options = base::value_or_exit(
      kProgram, client::options_from_flags(url, display != nullptr && *display != '\0'));
  av_log_set_level(base::log_level() == base::LogLevel::Debug ? AV_LOG_INFO : AV_LOG_ERROR);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  client::ClientApp app(options);
  return app.run();
}
