// rtsp-coordinator: the cluster's control plane (docs/coordinator.md). Wiring only.
#include <cstdio>

#include "base/cli.hpp"
#include "base/log.hpp"
#include "cluster/coordinator_client.hpp"
#include "cluster/health_probe.hpp"
#include "coordinator/coordinator_flags.hpp"
#include "coordinator/coordinator_server.hpp"
#include "coordinator/metrics.hpp"

namespace {

constexpr char kProgram[] = "rtsp-coordinator";

int probe(const coordinator::CommandLine& c) {
  auto st = cluster::probe_health(c.target, c.options.tls, std::chrono::seconds(2));
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", kProgram, std::string(base::sv(st.message())).c_str());
    return 1;
  }
  std::printf("%s: SERVING\n", c.target.c_str());
  return 0;
}

int status(const coordinator::CommandLine& c) {
  auto client = base::value_or_exit(kProgram, cluster::CoordinatorClient::create(
                                                  {.coordinator = c.target, .tls = c.options.tls}));
  auto view = client->get_cluster();
  if (!view.ok()) {
    std::fprintf(stderr, "%s: %s: %s\n", kProgram, c.target.c_str(),
                 std::string(base::sv(view.status().message())).c_str());
    return 1;
  }
  std::fputs(coordinator::status_table(*view).c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, kProgram, coordinator::kUsage, "coordinator/");
  const auto command = base::value_or_exit(kProgram, coordinator::command_line_from_flags());
  if (command.mode == coordinator::Mode::Probe) return probe(command);
  if (command.mode == coordinator::Mode::Status) return status(command);
  base::block_termination_signals();
  auto server =
      base::value_or_exit(kProgram, coordinator::CoordinatorServer::start(command.options));
  LOG_INFO("coordinator", "listening on port ", server->port(),
           command.options.token.empty() ? " (no token)" : " (token required)",
           command.options.tls.enabled() ? " with TLS" : "");
  std::printf("rtsp-coordinator listening on %u\n", server->port());
  if (server->http_port() != 0) std::printf("rtsp-coordinator http on %u\n", server->http_port());
  std::fflush(stdout);
  const int sig = base::wait_for_termination();
  LOG_INFO("coordinator", "signal ", sig, ": shutting down");
  server->shutdown();
  return 0;
}
