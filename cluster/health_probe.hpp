// grpc.health.v1 Health/Check client: the docker healthcheck of every program with a gRPC port.
#pragma once

#include <chrono>
#include <string_view>

#include "absl/status/status.h"
#include "cluster/credentials.hpp"

namespace cluster {

// Calls grpc.health.v1.Health/Check on `target` ("host:port") for `service` ("" = the server
// as a whole). OK when it answers SERVING; Unavailable (with the reason) otherwise. Blocks for at
// most `timeout`. Thread-safe.
absl::Status probe_health(std::string_view target, const TlsOptions& tls,
                          std::chrono::milliseconds timeout, std::string_view service = "");

}  // namespace cluster
