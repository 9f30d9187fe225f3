// "host:port" parsing for listen and connect flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace base {

struct HostPort {
  std::string host;
  uint16_t port = 0;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// "host", "host:port", "[v6]" or "[v6]:port" split, without checking either part: the host
// (brackets removed) and the port text after the colon. The one host:port splitter behind
// flags, RTSP URLs and source URLs.
struct HostPortText {
  std::string_view host;
  std::string_view port;  // empty when there is no colon, or nothing after it
  bool has_port = false;  // a colon follows the host
};
// Errors "unterminated IPv6 address" and "junk after the IPv6 address" (anything but ":port"
// after "]").
absl::StatusOr<HostPortText> split_host_port(std::string_view text);

// "1".."65535" (and "0" when allow_zero); nullopt for anything else.
std::optional<uint16_t> parse_port(std::string_view text, bool allow_zero = false);

// Parses "127.0.0.1:8554", "[::1]:8554" or ":8554" (host defaults to 0.0.0.0). Port 0 is allowed
// only when allow_zero is set (ephemeral listen port).
absl::StatusOr<HostPort> parse_host_port(std::string_view text, bool allow_zero = false);

// Checks a ZeroMQ endpoint such as "tcp://127.0.0.1:5556", "tcp://*:5556" or "ipc:///tmp/x".
absl::Status validate_zmq_endpoint(std::string_view endpoint);

}  // namespace base
