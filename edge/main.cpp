// rtsp-edge: subscribes to origins over ZeroMQ and serves RTSP readers. Wiring only.
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "base/cli.hpp"
#include "base/log.hpp"
#include "edge/coordinator_link.hpp"
#include "edge/edge_flags.hpp"
#include "edge/edge_server.hpp"
#include "relay/curve.hpp"

ABSL_FLAG(std::string, keygen, "",
          "Write a new CURVE key pair to PREFIX.key and PREFIX.pub, then exit");

namespace {
constexpr std::string_view kProgram = "rtsp-edge";
}  // namespace

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, kProgram, edge::kUsage, "edge/");
  if (!absl::GetFlag(FLAGS_keygen).empty()) {
    const std::string prefix = absl::GetFlag(FLAGS_keygen);
    base::ok_or_exit(kProgram, relay::write_keypair_files(prefix));
    std::printf("wrote %s.key (secret, keep private) and %s.pub\n", prefix.c_str(), prefix.c_str());
    return 0;
  }
  const auto options = base::value_or_exit(kProgram, edge::options_from_flags());
  base::block_termination_signals();
  auto server = base::value_or_exit(kProgram, edge::EdgeServer::create(options));
  server->start();
  LOG_INFO("edge", "serving rtsp://", options.rtsp_host, ":", server->rtsp_port(),
           "/<stream> from ",
           options.origins.empty() ? std::string("the coordinator's origins")
                                   : absl::StrJoin(options.origins, ","));
  std::printf("rtsp-edge listening on %s:%u\n", options.rtsp_host.c_str(), server->rtsp_port());
  std::fflush(stdout);
  std::unique_ptr<edge::CoordinatorLink> link;
  if (!options.coordinator.empty()) {
    link = base::value_or_exit(kProgram, edge::CoordinatorLink::start(options, *server));
  }
  const int sig = base::wait_for_termination();
  if (link && sig == SIGTERM) {
    // Drain: the coordinator sends no new clients, new sessions get 503, and we exit when the
    // readers are gone or the grace period ends.
    LOG_INFO("edge", "SIGTERM: draining (", server->readers(), " readers, grace ",
             options.drain_grace.count(), " ms)");
    link->drain();
    server->set_draining();
    const auto deadline = std::chrono::steady_clock::now() + options.drain_grace;
    while (server->readers() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  LOG_INFO("edge", "signal ", sig, ": shutting down");
  link.reset();
  server->stop();
  server->wait();
  return 0;
}
