// RTSP RTP-Info header, RFC 2326 section 12.33: per stream, the URL and the RTP sequence number
// and timestamp of the first packet after PLAY.
// Parsing is lenient (see rtsp_rtp_info_test); serialization is canonical.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rtsp {

struct RtpInfoEntry {
  std::string url;                  // as the server wrote it: absolute or relative
  std::optional<uint16_t> seq;      // absent, or unreadable, when not sent
  std::optional<uint32_t> rtptime;  // absent, or unreadable, when not sent
  friend bool operator==(const RtpInfoEntry&, const RtpInfoEntry&) = default;
};

struct RtpInfo {
  std::vector<RtpInfoEntry> entries;

  // Parses "url=...;seq=...;rtptime=..., url=...". Entries without url= are an error; unknown
  // parameters are ignored, and so are seq/rtptime values that do not fit (both optional, 12.33).
  static absl::StatusOr<RtpInfo> parse(std::string_view value);
  std::string serialize() const;  // parse(serialize(i)) == i

  friend bool operator==(const RtpInfo&, const RtpInfo&) = default;
};

}  // namespace rtsp
