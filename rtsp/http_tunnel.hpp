// RTSP over HTTP tunnelling, the QuickTime/VLC variant ("Tunnelling RTSP and RTP through HTTP",
// Apple): a GET connection carries the server's replies and data, a POST connection with the
// same x-sessioncookie carries the client's base64-encoded requests. Pure parsing, no sockets.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rtsp {

// Longest HTTP head we read before giving up (400 and close).
inline constexpr size_t kMaxTunnelHeadBytes = 8 * 1024;
inline constexpr size_t kMaxTunnelCookieBytes = 128;

enum class ConnectionKind { NeedMore, Rtsp, HttpTunnel };

// Looks at the first bytes of a new connection: an HTTP GET/POST request line means tunnelling.
ConnectionKind classify_connection(std::string_view first_bytes);

struct TunnelRequest {
  enum class Method { Get, Post };
  Method method = Method::Get;
  std::string path;
  std::string cookie;  // x-sessioncookie
};

// Parses a complete HTTP request head (through the empty line). Requires x-sessioncookie and,
// for GET, accepts any Accept header (VLC sends application/x-rtsp-tunnelled).
absl::StatusOr<TunnelRequest> parse_tunnel_head(std::string_view head);

// The reply that opens the GET side (sent once; RTSP responses follow on the same connection).
std::string tunnel_get_reply();

// Decodes base64 that arrives in arbitrary pieces (a request may end mid-quartet; padding may
// appear at the end of each request). Whitespace is skipped; other junk is an error.
class Base64StreamDecoder {
 public:
  absl::StatusOr<std::string> feed(std::string_view chunk);

 private:
  std::string quartet_;
};

}  // namespace rtsp
