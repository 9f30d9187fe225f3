// Implementation of host:port and ZeroMQ endpoint validation.
#include "base/endpoint.hpp"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/strings.hpp"

namespace base {

absl::StatusOr<HostPort> parse_host_port(std::string_view text, bool allow_zero) {
  HostPort out;
  std::string_view port_text;
  if (text.starts_with("[")) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return absl::InvalidArgumentError(base::cat("expected [ipv6]:port, got '", av(text), "'"));
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError(base::cat("expected host:port, got '", av(text), "'"));
    }
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) out.host = "0.0.0.0";
  uint32_t port = 0;
  if (!absl::SimpleAtoi(av(port_text), &port) || port > 65535 || (port == 0 && !allow_zero)) {
    return absl::InvalidArgumentError(
        base::cat("invalid port '", av(port_text), "' in '", av(text), "' (want 1-65535)"));
  }
  out.port = static_cast<uint16_t>(port);
  return out;
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
