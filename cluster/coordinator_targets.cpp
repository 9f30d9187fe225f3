// Coordinator replica lists, resolution and the client channel target (coordinator_targets.hpp).
#include "cluster/coordinator_targets.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"

namespace cluster {

absl::StatusOr<std::vector<base::HostPort>> split_coordinators(std::string_view spec) {
  std::vector<base::HostPort> out;
  int index = 0;
  for (absl::string_view piece : absl::StrSplit(base::av(spec), ',')) {
    std::string_view part(piece.data(), piece.size());
    ++index;
    part = base::trim(part);
    auto parsed = base::parse_host_port(part);
    if (part.empty() || !parsed.ok() || part.find(':') == std::string_view::npos ||
        part.front() == ':') {
      return absl::InvalidArgumentError(
          base::cat("coordinator address ", index, " (\"", part, "\"): expected HOST:PORT",
                    parsed.ok() ? "" : base::cat(" (", parsed.status().message(), ")")));
    }
    if (std::find(out.begin(), out.end(), *parsed) == out.end()) out.push_back(*parsed);
  }
  if (out.size() > kMaxCoordinators) {
    return absl::InvalidArgumentError(base::cat("too many coordinator addresses: ", out.size(),
                                                " (at most ", kMaxCoordinators, ")"));
  }
  return out;
}

bool is_ip_literal(std::string_view host) {
  const std::string h(host);
  in6_addr v6;
  in_addr v4;
  return inet_pton(AF_INET, h.c_str(), &v4) == 1 || inet_pton(AF_INET6, h.c_str(), &v6) == 1;
}

namespace {

std::string format_address(const sockaddr* sa, uint16_t port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
    return base::cat("[", text, "]:", port);
  }
  inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  return base::cat(text, ":", port);
}

}  // namespace

absl::StatusOr<std::vector<ResolvedCoordinator>> resolve_coordinators(
    const std::vector<base::HostPort>& replicas) {
  std::vector<ResolvedCoordinator> out;
  std::vector<std::string> failed;
  for (const auto& replica : replicas) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    const int rc = ::getaddrinfo(replica.host.c_str(), nullptr, &hints, &result);
    if (rc != 0) {
      failed.push_back(base::cat(replica.host, ": ", gai_strerror(rc)));
      continue;
    }
    // One family per name: "localhost" (127.0.0.1 and ::1) or a dual-stack pod is one replica,
    // not two. IPv4 when the name has any.
    bool has_v4 = false;
    for (addrinfo* a = result; a; a = a->ai_next) has_v4 |= a->ai_family == AF_INET;
    const int family = has_v4 ? AF_INET : AF_INET6;
    for (addrinfo* a = result; a; a = a->ai_next) {
      if (a->ai_family != family) continue;
      out.push_back({format_address(a->ai_addr, replica.port), replica.host});
    }
    ::freeaddrinfo(result);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.address < b.address; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a.address == b.address; }),
            out.end());
  if (out.empty()) {
    return absl::UnavailableError(
        base::cat("no coordinator address resolves (", absl::StrJoin(failed, "; "), ")"));
  }
  return out;
}

absl::StatusOr<std::string> client_channel_target(std::string_view spec) {
  auto replicas = split_coordinators(spec);
  if (!replicas.ok()) return replicas.status();
  if (replicas->empty()) return absl::InvalidArgumentError("coordinator address is empty");
  if (replicas->size() == 1) return std::string(base::trim(spec));
  auto resolved = resolve_coordinators(*replicas);
  if (!resolved.ok()) return resolved.status();
  std::vector<std::string> v4, v6;
  for (const auto& r : *resolved) (r.address.front() == '[' ? v6 : v4).push_back(r.address);
  // gRPC's ipv4:/ipv6: targets take one family; IPv4 wins when a name has both.
  if (!v4.empty()) return base::cat("ipv4:", absl::StrJoin(v4, ","));
  return base::cat("ipv6:", absl::StrJoin(v6, ","));
}

std::string client_service_config() {
  // Round robin over the replicas that are up; a call that fails UNAVAILABLE (its replica went
  // away) is tried again, at once, on another one.
  return R"({
  "loadBalancingConfig": [{"round_robin": {}}],
  "methodConfig": [{
    "name": [{"service": "rs.cluster.Coordinator"}],
    "retryPolicy": {
      "maxAttempts": 3,
      "initialBackoff": "0.02s",
      "maxBackoff": "0.2s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})";
}

}  // namespace cluster
