// rtsp-edge: subscribes to origins over ZeroMQ and serves RTSP readers. Wiring only.
#include <cstdio>

#include "absl/strings/str_join.h"
#include "base/cli.hpp"
#include "base/log.hpp"
#include "edge/edge_flags.hpp"
#include "edge/edge_server.hpp"

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, "rtsp-edge",
                    "serves the origin's streams to RTSP readers.\n"
                    "  rtsp-edge --origin=tcp://127.0.0.1:5556 --rtsp=127.0.0.1:8554\n"
                    "Readers play rtsp://HOST:PORT/<stream> over TCP or UDP.",
                    "edge/edge_flags.");
  auto options = edge::options_from_flags();
  if (!options.ok()) base::fail_usage("rtsp-edge", options.status().message());
  base::block_termination_signals();
  auto server = edge::EdgeServer::create(*options);
  if (!server.ok()) base::fail_usage("rtsp-edge", server.status().message());
  (*server)->start();
  LOG_INFO("edge", "serving rtsp://", options->rtsp_host, ":", (*server)->rtsp_port(),
           "/<stream> from ", absl::StrJoin(options->origins, ","));
  std::printf("rtsp-edge listening on %s:%u\n", options->rtsp_host.c_str(), (*server)->rtsp_port());
  std::fflush(stdout);
  const int sig = base::wait_for_termination();
  LOG_INFO("edge", "signal ", sig, ": shutting down");
  (*server)->stop();
  (*server)->wait();
  return 0;
}
