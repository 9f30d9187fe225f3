// "host:port" parsing for listen and connect flags.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace base {

struct HostPort {
  std::string host;
  uint16_t port = 0;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// Parses "127.0.0.1:8554", "[::1]:8554" or ":8554" (host defaults to 0.0.0.0). Port 0 is allowed
// only when allow_zero is set (ephemeral listen port).
absl::StatusOr<HostPort> parse_host_port(std::string_view text, bool allow_zero = false);

// Checks a ZeroMQ endpoint such as "tcp://127.0.0.1:5556", "tcp://*:5556" or "ipc:///tmp/x".
absl::Status validate_zmq_endpoint(std::string_view endpoint);

}  // namespace base
