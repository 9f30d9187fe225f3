// RTSP over HTTP tunnelling (QuickTime/VLC GET+POST variant).
#include "rtsp/http_tunnel.hpp"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"

namespace rtsp {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

ConnectionKind classify_connection(std::string_view first) {
  for (std::string_view method : {"GET ", "POST "}) {
    const size_t n = std::min(first.size(), method.size());
    if (first.substr(0, n) == method.substr(0, n)) {
      if (first.size() < method.size()) return ConnectionKind::NeedMore;
      const size_t eol = first.find('\n');
      if (eol == std::string_view::npos) {
        return first.size() > kMaxTunnelHeadBytes ? ConnectionKind::Rtsp : ConnectionKind::NeedMore;
      }
      std::string_view line = first.substr(0, eol);
      if (line.ends_with("\r")) line.remove_suffix(1);
      return line.ends_with(" HTTP/1.0") || line.ends_with(" HTTP/1.1") ? ConnectionKind::HttpTunnel
                                                                        : ConnectionKind::Rtsp;
    }
  }
  return ConnectionKind::Rtsp;
}

absl::StatusOr<TunnelRequest> parse_tunnel_head(std::string_view head) {
  std::vector<std::string_view> lines;
  for (absl::string_view line : absl::StrSplit(base::av(head), '\n')) {
    lines.push_back(base::sv(absl::StripTrailingAsciiWhitespace(line)));
  }
  if (lines.empty()) return absl::InvalidArgumentError("empty HTTP request");
  std::vector<std::string_view> words;
  for (absl::string_view w : absl::StrSplit(base::av(lines[0]), ' ', absl::SkipEmpty()))
    words.push_back(base::sv(w));
  if (words.size() != 3) return absl::InvalidArgumentError("bad HTTP request line");
  TunnelRequest out;
  if (words[0] == "GET") {
    out.method = TunnelRequest::Method::Get;
  } else if (words[0] == "POST") {
    out.method = TunnelRequest::Method::Post;
  } else {
    return absl::InvalidArgumentError("tunnelling uses GET and POST only");
  }
  out.path = std::string(words[1]);
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos) continue;
    if (absl::EqualsIgnoreCase(base::av(lines[i].substr(0, colon)), "x-sessioncookie")) {
      out.cookie =
          std::string(base::sv(absl::StripAsciiWhitespace(base::av(lines[i].substr(colon + 1)))));
    }
  }
  if (out.cookie.empty())
    return absl::InvalidArgumentError("tunnel request without x-sessioncookie");
  if (out.cookie.size() > kMaxTunnelCookieBytes)
    return absl::InvalidArgumentError("x-sessioncookie too long");
  return out;
}

std::string tunnel_get_reply() {
  return "HTTP/1.0 200 OK\r\n"
         "Server: rtsp-streamer/0.1\r\n"
         "Connection: close\r\n"
         "Cache-Control: no-store\r\n"
         "Pragma: no-cache\r\n"
         "Content-Type: application/x-rtsp-tunnelled\r\n\r\n";
}

absl::StatusOr<std::string> Base64StreamDecoder::feed(std::string_view chunk) {
  std::string out;
  for (char c : chunk) {
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    if (c != '=' && base64_value(c) < 0)
      return absl::InvalidArgumentError("bad base64 in tunnelled request");
    quartet_.push_back(c);
    if (quartet_.size() < 4) continue;
    // Each quartet decodes on its own; '=' pads the last quartet of one encoded request.
    const int a = base64_value(quartet_[0]), b = base64_value(quartet_[1]);
    if (a < 0 || b < 0) return absl::InvalidArgumentError("bad base64 padding");
    out.push_back(static_cast<char>((a << 2) | (b >> 4)));
    if (quartet_[2] != '=') {
      const int c3 = base64_value(quartet_[2]);
      out.push_back(static_cast<char>(((b & 0xf) << 4) | (c3 >> 2)));
      if (quartet_[3] != '=') {
        const int d = base64_value(quartet_[3]);
        out.push_back(static_cast<char>(((c3 & 0x3) << 6) | d));
      }
    } else if (quartet_[3] != '=') {
      return absl::InvalidArgumentError("bad base64 padding");
    }
    quartet_.clear();
  }
  return out;
}

}  // namespace rtsp
