// Coordinator replicas as nodes and clients name them: "--coordinator=a:50051,b:50051", or one
// name that resolves to several addresses (a Kubernetes headless service). Nodes keep a Connect
// stream to every address (NodeAgent); clients reach any of them through one gRPC channel
// (docs/adr/015-coordinator-replicas.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/endpoint.hpp"

namespace cluster {

// Most replicas one flag may name.
inline constexpr size_t kMaxCoordinators = 16;

// "host:port[,host:port...]" -> each host:port, in order, duplicates removed. Errors name the
// bad entry: "coordinator address 2 (\"x\"): ...".
absl::StatusOr<std::vector<base::HostPort>> split_coordinators(std::string_view spec);

// True when `host` is an IPv4 or IPv6 literal (nothing to resolve).
bool is_ip_literal(std::string_view host);

// One replica address: "ip:port" or "[ip6]:port", and the name it came from (for TLS).
struct ResolvedCoordinator {
  std::string address;
  std::string host;  // as given: a name or the literal
  friend bool operator==(const ResolvedCoordinator&, const ResolvedCoordinator&) = default;
};

// Every address the replicas resolve to now, sorted and deduplicated; one address family per name
// (IPv4 when it has any), so that "localhost" is one replica, not two. A name that does not
// resolve is left out; UNAVAILABLE when nothing resolves.
absl::StatusOr<std::vector<ResolvedCoordinator>> resolve_coordinators(
    const std::vector<base::HostPort>& replicas);

// The gRPC target of a client channel that reaches any replica: one host:port as it is (gRPC's
// DNS resolver follows every address of a name), several as "ipv4:a:p,b:p" (or "ipv6:...") of
// their addresses. With the service config of client_service_config() the channel spreads calls
// over the replicas that are up (round robin) and retries one that fails UNAVAILABLE on another.
absl::StatusOr<std::string> client_channel_target(std::string_view spec);
std::string client_service_config();

}  // namespace cluster
