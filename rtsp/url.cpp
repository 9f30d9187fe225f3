// RTSP URL and stream path parsing, RFC 2326 section 3.2.
#include "rtsp/url.hpp"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/endpoint.hpp"
#include "base/strings.hpp"

namespace rtsp {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::Status parse_authority(std::string_view authority, Url& url) {
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);  // credentials are not used from the URL
  }
  auto split = base::split_host_port(authority);
  if (!split.ok())
    return absl::InvalidArgumentError(base::cat(split.status().message(), " in URL"));
  url.host = std::string(split->host);
  if (!split->port.empty()) {
    const std::optional<uint16_t> port = base::parse_port(split->port);
    if (!port) return absl::InvalidArgumentError(base::cat("bad port '", split->port, "' in URL"));
    url.port = *port;
  }
  return absl::OkStatus();
}

}  // namespace

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

absl::StatusOr<UrlCredentials> split_credentials(std::string_view url) {
  UrlCredentials out{.url = std::string(url)};
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return out;
  const size_t authority = scheme_end + 3;
  const size_t path = std::min(url.find_first_of("/?", authority), url.size());
  const size_t at = url.substr(0, path).rfind('@');
  if (at == std::string_view::npos || at < authority) return out;
  const std::string_view info = url.substr(authority, at - authority);
  const size_t colon = info.find(':');
  auto user = percent_decode(info.substr(0, colon));
  if (!user.ok()) return user.status();
  out.user = *std::move(user);
  if (colon != std::string_view::npos) {
    auto password = percent_decode(info.substr(colon + 1));
    if (!password.ok()) return password.status();
    out.password = *std::move(password);
  }
  out.url = base::cat(url.substr(0, authority), url.substr(at + 1));
  return out;
}

bool is_absolute_url(std::string_view url) {
  const size_t end = url.find("://");
  if (end == std::string_view::npos || end == 0) return false;
  for (char c : url.substr(0, end)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return false;
  }
  return true;
}

namespace {

// "rtsp://host:port" of an absolute URL (everything before the path or query).
std::string_view origin_of(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  return url.substr(0, std::min(url.find_first_of("/?", scheme_end + 3), url.size()));
}

}  // namespace

std::string resolve_control_url(std::string_view base, std::string_view control) {
  // C.1.1: "If this attribute contains only an asterisk (*), then the URL is treated as if it were
  // an empty embedded URL, and thus inherits the entire base URL."
  if (control.empty() || control == "*") return std::string(base);
  if (is_absolute_url(control)) return std::string(control);
  if (control.front() == '/') return base::cat(origin_of(base), control);
  // C.1.1 resolves relative URLs per RFC 1808, which would replace the last segment of a base
  // without a trailing '/' ("rtsp://h/live" + "track1" -> "rtsp://h/track1"). ffmpeg and live555
  // append instead, and servers that send no Content-Base rely on it; see rtsp_client_session_test
  // "ffmpeg sdp without Content-Base". Dahua's base ends in "?channel=1&subtype=0/" and expects
  // "trackID=0" appended after the query.
  if (!base.empty() && base.back() == '/') return base::cat(base, control);
  return base::cat(base, "/", control);
}

bool same_stream_url(std::string_view a, std::string_view b) {
  const auto key = [](std::string_view url) {
    url.remove_prefix(origin_of(url).size());
    while (!url.empty() && url.back() == '/') url.remove_suffix(1);
    return url;
  };
  return key(a) == key(b);
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
