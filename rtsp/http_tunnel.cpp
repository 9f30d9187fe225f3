// RTSP over HTTP tunnelling (QuickTime/VLC GET+POST variant).
#include "rtsp/http_tunnel.hpp"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"

namespace rtsp {
namespace {

bool base64_char(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
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
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) continue;
    if (!base64_char(c)) return absl::InvalidArgumentError("bad base64 in tunnelled request");
    quartet_.push_back(c);
    if (quartet_.size() < 4) continue;
    // Each quartet decodes on its own; '=' pads the last quartet of one encoded request.
    std::string bytes;
    if (!absl::Base64Unescape(base::av(quartet_), &bytes)) {
      return absl::InvalidArgumentError("bad base64 padding");
    }
    out += bytes;
    quartet_.clear();
  }
  return out;
}

}  // namespace rtsp
