// CoordinatorServer (coordinator_server.hpp).
#include "coordinator/coordinator_server.hpp"

#include <grpcpp/ext/health_check_service_server_builder_option.h>
#include <grpcpp/health_check_service_interface.h>

#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "coordinator/metrics.hpp"

namespace coordinator {

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::start(
    CoordinatorOptions options) {
  auto listen = base::parse_host_port(options.listen, /*allow_zero=*/true);
  if (!listen.ok())
    return absl::InvalidArgumentError(base::cat("--listen: ", listen.status().message()));
  auto creds = cluster::server_credentials(options.tls);
  if (!creds.ok()) return creds.status();
  std::unique_ptr<CoordinatorServer> s(new CoordinatorServer());
  s->options_ = options;
  s->registry_ = std::make_unique<NodeRegistry>(options.registry);
  s->registry_->set_started(Clock::now());
  s->service_ = std::make_unique<CoordinatorService>(s->registry_.get(), options.token);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(base::cat(listen->host, ":", listen->port), *creds, &port);
  builder.RegisterService(s->service_.get());
  // A second coordinator on the same port must fail, not share it silently (see ADR 005).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Agents send keepalive pings; data flows every report, so pings are never abusive here.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  s->server_ = builder.BuildAndStart();
  if (!s->server_ || port == 0) {
    return absl::UnavailableError(
        base::cat("cannot listen on ", options.listen, " (port in use or bad address)"));
  }
  s->port_ = static_cast<uint16_t>(port);
  if (!options.http.empty()) {
    auto http = base::parse_host_port(options.http, /*allow_zero=*/true);
    if (!http.ok())
      return absl::InvalidArgumentError(base::cat("--http: ", http.status().message()));
    auto server = cluster::HttpServer::start(http->host, http->port, s->http_routes());
    if (!server.ok()) return server.status();
    s->http_ = std::move(*server);
  }
  s->sweeper_ = std::thread([raw = s.get()] {
    auto next_timeline = Clock::now();
    while (!raw->stopping_.load()) {
      raw->registry_->sweep(Clock::now());
      raw->service_->retry_parked(Clock::now());
      if (Clock::now() >= next_timeline) {
        raw->events_.observe(raw->registry_->view(Clock::now()));
        next_timeline = Clock::now() + kTimelineInterval;
      }
      std::this_thread::sleep_for(raw->options_.sweep_interval);
    }
  });
  return s;
}

CoordinatorServer::~CoordinatorServer() {
  shutdown();
}

void CoordinatorServer::shutdown() {
  if (stopping_.exchange(true)) return;
  if (http_) http_->stop();
  if (service_) service_->shutdown();
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    server_->Wait();
  }
  if (sweeper_.joinable()) sweeper_.join();
}

cluster::HttpRoutes CoordinatorServer::http_routes() {
  cluster::HttpRoutes routes =
      cluster::base_routes([this] { return prometheus_text(registry_->view(Clock::now())); });
  routes.get["/api/cluster"] = [this](std::string_view) {
    return cluster::HttpResponse{200, "application/json",
                                 cluster_json(registry_->view(Clock::now())) + "\n"};
  };
  routes.get["/"] = [](std::string_view) {
    return cluster::HttpResponse{200, "text/html; charset=utf-8", std::string(dashboard_html())};
  };
  // The dashboard's live feed: the timeline so far, then a view every kDashboardViewInterval and
  // each timeline event as it happens (docs/dashboard.md).
  routes.events["/api/stream"] = [this](cluster::EventWriter& out) {
    uint64_t seen = 0;
    auto send_events = [&](const std::vector<EventLog::Entry>& entries) {
      for (const EventLog::Entry& e : entries) {
        if (!out.send("timeline", event_json(e.event))) return false;
        seen = e.sequence;
      }
      return true;
    };
    if (!send_events(events_.since(0, std::chrono::milliseconds(0)))) return;
    auto next_view = Clock::now();
    while (out.open()) {
      if (Clock::now() >= next_view) {
        if (!out.send("view", cluster_json(registry_->view(Clock::now())))) return;
        next_view = Clock::now() + kDashboardViewInterval;
      }
      const auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_view - Clock::now());
      if (!send_events(events_.since(seen, std::max(wait, std::chrono::milliseconds(1))))) return;
    }
  };
  return routes;
}

}  // namespace coordinator
