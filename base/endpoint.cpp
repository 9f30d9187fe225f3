// Implementation of host:port and ZeroMQ endpoint validation.
#include "base/endpoint.hpp"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/strings.hpp"

namespace base {

absl::StatusOr<HostPortText> split_host_port(std::string_view text) {
  HostPortText out;
  std::string_view after_host;
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError("unterminated IPv6 address");
    }
    out.host = text.substr(1, close - 1);
    after_host = text.substr(close + 1);
    if (!after_host.empty() && after_host[0] != ':') {
      return absl::InvalidArgumentError("junk after the IPv6 address");
    }
  } else {
    const size_t colon = text.rfind(':');
    out.host = text.substr(0, colon);
    if (colon != std::string_view::npos) after_host = text.substr(colon);
  }
  out.has_port = !after_host.empty();
  if (out.has_port) out.port = after_host.substr(1);
  return out;
}

std::optional<uint16_t> parse_port(std::string_view text, bool allow_zero) {
  uint32_t port = 0;
  if (!absl::SimpleAtoi(av(text), &port) || port > 65535 || (port == 0 && !allow_zero)) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(port);
}

absl::StatusOr<HostPort> parse_host_port(std::string_view text, bool allow_zero) {
  auto split = split_host_port(text);
  if (!split.ok() || !split->has_port) {
    return absl::InvalidArgumentError(base::cat(
        text.starts_with('[') ? "expected [ipv6]:port, got '" : "expected host:port, got '",
        av(text), "'"));
  }
  const std::optional<uint16_t> port = parse_port(split->port, allow_zero);
  if (!port) {
    return absl::InvalidArgumentError(
        base::cat("invalid port '", av(split->port), "' in '", av(text), "' (want 1-65535)"));
  }
  return HostPort{.host = split->host.empty() ? "0.0.0.0" : std::string(split->host),
                  .port = *port};
}

absl::Status validate_zmq_endpoint(std::string_view endpoint) {
  if (endpoint.starts_with("ipc://") && endpoint.size() > 6) return absl::OkStatus();
  if (endpoint.starts_with("inproc://") && endpoint.size() > 9) return absl::OkStatus();
  for (std::string_view scheme : {"tcp://", "epgm://", "pgm://"}) {
    if (endpoint.starts_with(scheme)) {
      auto hp = parse_host_port(endpoint.substr(scheme.size()), /*allow_zero=*/false);
      if (!hp.ok()) {
        return absl::InvalidArgumentError(
            base::cat("bad ZeroMQ endpoint '", av(endpoint), "': ", hp.status().message()));
      }
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      base::cat("bad ZeroMQ endpoint '", av(endpoint),
                "' (want tcp://HOST:PORT, ipc://PATH or epgm://IF;GROUP:PORT)"));
}

}  // namespace base
