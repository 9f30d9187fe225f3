// RTSP URLs (RFC 2326 section 3.2) as the server needs them (the path names a stream and,
// optionally, a track: "/cam1/trackID=0") and as the client needs them (credentials, control URLs
// relative to a base, RFC 2326 appendix C.1.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rtsp {

inline constexpr std::string_view kTrackPrefix = "trackID=";

struct Url {
  std::string scheme;  // "rtsp" or "rtsps"
  std::string host;
  std::optional<uint16_t> port;
  std::string path;   // percent-decoded, starts with '/', no query
  std::string query;  // without '?'

  // Accepts absolute rtsp:// URLs and, leniently, "*" and absolute paths ("/cam1").
  static absl::StatusOr<Url> parse(std::string_view text);
};

// Decodes %XX escapes (RFC 3986 2.1); a '%' without two hex digits is an error.
absl::StatusOr<std::string> percent_decode(std::string_view in);

struct StreamPath {
  std::string stream;
  std::optional<uint32_t> track;  // set for ".../trackID=N"
  friend bool operator==(const StreamPath&, const StreamPath&) = default;
};

// "/cam1" -> {cam1}, "/cam1/trackID=0" -> {cam1, 0}, "/cam1/" -> {cam1}. Rejects empty names,
// "." and ".." segments and more than one segment before the track (no path traversal).
absl::StatusOr<StreamPath> parse_stream_path(std::string_view path);

// A URL split into the URL without "user[:password]@" (otherwise unchanged) and the percent-decoded
// credentials. The user info ends at the last '@' before the path, so passwords with a raw '@'
// (common in camera URLs) work.
struct UrlCredentials {
  std::string url;
  std::optional<std::string> user;
  std::optional<std::string> password;
};
absl::StatusOr<UrlCredentials> split_credentials(std::string_view url);

// True for "scheme://..." (any scheme).
bool is_absolute_url(std::string_view url);

// The URL a media or session a=control names, relative to `base` (RFC 2326 C.1.1): absolute URLs
// as they are, "*" and "" give `base`, "/path" replaces base's path, anything else is appended to
// base with a '/' unless base ends in one.
std::string resolve_control_url(std::string_view base, std::string_view control);

// Whether two absolute URLs name the same stream: their paths and queries are equal once trailing
// '/' are removed. Scheme and authority are ignored, for robustness (a camera behind NAT may
// report its own address).
bool same_stream_url(std::string_view a, std::string_view b);

}  // namespace rtsp
