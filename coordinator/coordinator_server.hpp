// CoordinatorServer: the gRPC server (Coordinator service + grpc.health.v1), the sweeper that
// removes silent nodes, and the optional HTTP endpoint: /metrics, /api/cluster, the dashboard at /
// and its event stream /api/stream.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "cluster/credentials.hpp"
#include "cluster/http_server.hpp"
#include "coordinator/cluster_events.hpp"
#include "coordinator/coordinator_service.hpp"
#include "coordinator/node_registry.hpp"

namespace coordinator {

// How often the sweeper diffs the cluster view into timeline events, and how often the dashboard's
// event stream sends a whole view.
inline constexpr std::chrono::milliseconds kTimelineInterval{200};
inline constexpr std::chrono::milliseconds kDashboardViewInterval{500};

// The dashboard page (coordinator/dashboard/index.html, embedded at build time).
std::string_view dashboard_html();

struct CoordinatorOptions {
  std::string listen = "127.0.0.1:50051";  // port 0: ephemeral
  std::string http;                        // "host:port" for /metrics; empty = off
  std::string token;
  cluster::TlsOptions tls;
  RegistryConfig registry;
  std::chrono::milliseconds sweep_interval{50};
};

class CoordinatorServer {
 public:
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> start(CoordinatorOptions options);
  ~CoordinatorServer();  // shutdown()

  uint16_t port() const { return port_; }
  uint16_t http_port() const { return http_ ? http_->port() : 0; }
  NodeRegistry& registry() { return *registry_; }

  // Stops accepting, ends every stream (nodes reconnect elsewhere or later), joins. Idempotent.
  void shutdown();

 private:
  CoordinatorServer() = default;
  cluster::HttpRoutes http_routes();

  CoordinatorOptions options_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<CoordinatorService> service_;
  std::unique_ptr<grpc::Server> server_;
  EventLog events_;  // the dashboard's timeline, fed by the sweeper
  std::unique_ptr<cluster::HttpServer> http_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread sweeper_;
};

}  // namespace coordinator
