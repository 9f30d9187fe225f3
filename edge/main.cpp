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

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, "rtsp-edge",
                    "serves the origin's streams to RTSP readers.\n"
                    "  rtsp-edge --origin=tcp://127.0.0.1:5556 --rtsp=127.0.0.1:8554\n"
                    "Readers play rtsp://HOST:PORT/<stream> over TCP or UDP.",
                    "edge/");
  if (!absl::GetFlag(FLAGS_keygen).empty()) {
    const std::string prefix = absl::GetFlag(FLAGS_keygen);
    if (auto st = relay::write_keypair_files(prefix); !st.ok())
      base::fail_usage("rtsp-edge", st.message());
    std::printf("wrote %s.key (secret, keep private) and %s.pub\n", prefix.c_str(), prefix.c_str());
    return 0;
  }
  auto options = edge::options_from_flags();
  if (!options.ok()) base::fail_usage("rtsp-edge", options.status().message());
  base::block_termination_signals();
  auto server = edge::EdgeServer::create(*options);
  if (!server.ok()) base::fail_usage("rtsp-edge", server.status().message());
  (*server)->start();
  LOG_INFO("edge", "serving rtsp://", options->rtsp_host, ":", (*server)->rtsp_port(),
           "/<stream> from ",
           options->origins.empty() ? std::string("the coordinator's origins")
                                    : absl::StrJoin(options->origins, ","));
  std::printf("rtsp-edge listening on %s:%u\n", options->rtsp_host.c_str(), (*server)->rtsp_port());
  std::fflush(stdout);
  std::unique_ptr<edge::CoordinatorLink> link;
  if (!options->coordinator.empty()) {
    auto started = edge::CoordinatorLink::start(*options, **server);
    if (!started.ok()) base::fail_usage("rtsp-edge", started.status().message());
    link = *std::move(started);
  }
  const int sig = base::wait_for_termination();
  if (link && sig == SIGTERM) {
    // Drain: the coordinator sends no new clients, new sessions get 503, and we exit when the
    // readers are gone or the grace period ends.
    LOG_INFO("edge", "SIGTERM: draining (", (*server)->readers(), " readers, grace ",
             options->drain_grace.count(), " ms)");
    link->drain();
    (*server)->set_draining();
    const auto deadline = std::chrono::steady_clock::now() + options->drain_grace;
    while ((*server)->readers() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  LOG_INFO("edge", "signal ", sig, ": shutting down");
  link.reset();
  (*server)->stop();
  (*server)->wait();
  return 0;
}
