// RTSP URL and stream path parsing, RFC 2326 section 3.2.
#include "rtsp/url.hpp"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"

namespace rtsp {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || hex_value(in[i + 1]) < 0 || hex_value(in[i + 2]) < 0) {
      return absl::InvalidArgumentError("bad percent-encoding in URL");
    }
    out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
    i += 2;
  }
  return out;
}

absl::Status parse_authority(std::string_view authority, Url& url) {
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);  // credentials are not used from the URL
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("bad IPv6 host in URL");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (rest.starts_with(":")) port_text = rest.substr(1);
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    url.host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
  } else {
    url.host = std::string(authority);
  }
  if (!port_text.empty()) {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(base::av(port_text), &port) || port == 0 || port > 65535) {
      return absl::InvalidArgumentError(base::cat("bad port '", port_text, "' in URL"));
    }
    url.port = static_cast<uint16_t>(port);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Url> Url::parse(std::string_view text) {
  Url url;
  std::string_view rest = text;
  if (text == "*") {
    url.path = "*";
    return url;
  }
  if (!rest.starts_with("/")) {
    const size_t scheme_end = rest.find("://");
    if (scheme_end == std::string_view::npos) {
      return absl::InvalidArgumentError(
          base::cat("not an absolute RTSP URL: '", text.substr(0, 200), "'"));
    }
    url.scheme = absl::AsciiStrToLower(base::av(rest.substr(0, scheme_end)));
    if (url.scheme != "rtsp" && url.scheme != "rtsps" && url.scheme != "rtspu") {
      return absl::InvalidArgumentError(base::cat("unsupported URL scheme '", url.scheme, "'"));
    }
    rest = rest.substr(scheme_end + 3);
    const size_t path_start = rest.find_first_of("/?");
    if (auto st = parse_authority(rest.substr(0, path_start), url); !st.ok()) return st;
    rest = path_start == std::string_view::npos ? std::string_view("/") : rest.substr(path_start);
  }
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    url.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  auto path = percent_decode(rest.empty() ? "/" : rest);
  if (!path.ok()) return path.status();
  url.path = *std::move(path);
  if (url.path.empty() || url.path[0] != '/') url.path.insert(url.path.begin(), '/');
  return url;
}

absl::StatusOr<StreamPath> parse_stream_path(std::string_view path) {
  std::vector<std::string_view> segments;
  for (absl::string_view s : absl::StrSplit(base::av(path), '/', absl::SkipEmpty())) {
    segments.push_back(base::sv(s));
  }
  if (segments.empty()) return absl::NotFoundError("no stream name in the URL path");
  for (std::string_view s : segments) {
    if (s == "." || s == "..") return absl::InvalidArgumentError("path traversal in URL");
  }
  StreamPath out;
  if (segments.size() >= 2 && segments.back().starts_with(kTrackPrefix)) {
    uint32_t track = 0;
    if (!absl::SimpleAtoi(base::av(segments.back().substr(kTrackPrefix.size())), &track)) {
      return absl::InvalidArgumentError(base::cat("bad track in '", path, "'"));
    }
    out.track = track;
    segments.pop_back();
  }
  if (segments.size() != 1) {
    return absl::NotFoundError(base::cat("no stream at '", path.substr(0, 200), "'"));
  }
  out.stream = std::string(segments[0]);
  return out;
}

}  // namespace rtsp
