// grpc.health.v1 Health/Check with the stub generated from grpc-proto's health.proto.
#include "cluster/health_probe.hpp"

#include <string>

#include "base/strings.hpp"
#include "grpc/health/v1/health.grpc.pb.h"

namespace cluster {

absl::Status probe_health(std::string_view target, const TlsOptions& tls,
                          std::chrono::milliseconds timeout, std::string_view service) {
  auto channel = make_channel(target, tls);
  if (!channel.ok()) return channel.status();
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  context.set_wait_for_ready(true);  // a starting server is worth the wait, up to the deadline
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(std::string(service));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    return absl::UnavailableError(
        base::cat("health check of ", target, " failed: ", status.error_message()));
  }
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError(base::cat(
        "health check of ", target, ": not serving (",
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()), ")"));
  }
  return absl::OkStatus();
}

}  // namespace cluster
