// Fuzz target for RTSP-over-HTTP tunnelling (rtsp/http_tunnel.hpp), as the server sees a new
// connection: classify_connection on the first bytes, parse_tunnel_head on the head (through
// the empty line) and Base64StreamDecoder on the rest, as a POST side delivers it.
//
// Oracles: no crash; once classify_connection decides on a prefix, longer prefixes decide the
// same (within the head limit); a parsed head has GET/POST, a path and a trimmed cookie within
// kMaxTunnelCookieBytes; the decoder's output does not depend on how the body was split, and
// what it decodes from base64 we encoded is the original bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "base/strings.hpp"
#include "rtsp/http_tunnel.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using fuzz::check;

void check_classify(std::string_view input) {
  if (input.size() > rtsp::kMaxTunnelHeadBytes) return;
  const rtsp::ConnectionKind whole = rtsp::classify_connection(input);
  const size_t limit = std::min<size_t>(input.size(), 96);
  for (size_t n = 0; n <= limit; ++n) {
    const rtsp::ConnectionKind prefix = rtsp::classify_connection(input.substr(0, n));
    if (prefix != rtsp::ConnectionKind::NeedMore) {
      check(prefix == whole, "classification changed with more bytes");
    }
  }
}

void check_head(std::string_view head) {
  auto request = rtsp::parse_tunnel_head(head);
  if (!request.ok()) return;
  check(!request->path.empty() && request->path.find(' ') == std::string::npos, "bad path");
  check(!request->cookie.empty(), "empty cookie accepted");
  check(request->cookie.size() <= rtsp::kMaxTunnelCookieBytes, "cookie over the limit");
  check(!absl::ascii_isspace(static_cast<unsigned char>(request->cookie.front())) &&
            !absl::ascii_isspace(static_cast<unsigned char>(request->cookie.back())),
        "cookie not trimmed");
}

// Feeds `body` in pieces of 1, 2, 3, ... bytes; false at the first error.
bool decode_chunked(std::string_view body, std::string* out) {
  rtsp::Base64StreamDecoder decoder;
  size_t step = 1;
  for (size_t at = 0; at < body.size(); at += step, ++step) {
    auto piece = decoder.feed(body.substr(at, step));
    if (!piece.ok()) return false;
    *out += *piece;
  }
  return true;
}

void check_body(std::string_view body) {
  rtsp::Base64StreamDecoder whole;
  auto all = whole.feed(body);
  std::string chunked;
  const bool chunked_ok = decode_chunked(body, &chunked);
  check(all.ok() == chunked_ok, "decoder validity depends on the split");
  if (all.ok()) {
    check(*all == chunked, "decoder output depends on the split");
    check(all->size() <= body.size() / 4 * 3, "decoded more bytes than base64 can hold");
  }
  // The body's bytes as a client would send them: encoded, split anywhere.
  const std::string encoded = absl::Base64Escape(base::av(body));
  std::string decoded;
  check(decode_chunked(encoded, &decoded), "our base64 is refused");
  check(decoded == body, "base64 round trip differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_classify(input);
  size_t end = input.find("\r\n\r\n");
  size_t skip = 4;
  if (const size_t lf = input.find("\n\n"); lf < end) {
    end = lf;
    skip = 2;
  }
  if (end == std::string_view::npos) {
    check_head(input);
    return 0;
  }
  check_head(input.substr(0, end + skip));
  check_body(input.substr(end + skip));
  return 0;
}
