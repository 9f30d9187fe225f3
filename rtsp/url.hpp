// RTSP URLs (RFC 2326 section 3.2) as the server needs them: the path names a stream and,
// optionally, a track ("/cam1/trackID=0").
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

struct StreamPath {
  std::string stream;
  std::optional<uint32_t> track;  // set for ".../trackID=N"
  friend bool operator==(const StreamPath&, const StreamPath&) = default;
};

// "/cam1" -> {cam1}, "/cam1/trackID=0" -> {cam1, 0}, "/cam1/" -> {cam1}. Rejects empty names,
// "." and ".." segments and more than one segment before the track (no path traversal).
absl::StatusOr<StreamPath> parse_stream_path(std::string_view path);

}  // namespace rtsp
