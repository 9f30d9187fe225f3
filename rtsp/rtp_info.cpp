// RTSP RTP-Info header, RFC 2326 section 12.33.
#include "rtsp/rtp_info.hpp"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"

namespace rtsp {
namespace {

template <typename T>
std::optional<T> number(std::string_view s) {
  uint64_t v = 0;
  if (s.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(s[0])) ||
      !absl::SimpleAtoi(base::av(s), &v) || v > std::numeric_limits<T>::max()) {
    return std::nullopt;
  }
  return static_cast<T>(v);
}

absl::StatusOr<RtpInfoEntry> parse_entry(std::string_view text) {
  RtpInfoEntry entry;
  bool has_url = false;
  for (absl::string_view raw : absl::StrSplit(base::av(text), ';')) {
    const std::string_view param = base::trim(base::sv(raw));
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = base::trim(param.substr(0, eq));
    std::string_view value = base::trim(param.substr(eq + 1));
    if (absl::EqualsIgnoreCase(base::av(name), "url")) {
      // RTSP 2.0 servers quote the URL (RFC 7826); see rtsp_rtp_info_test "quoted url".
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      entry.url = std::string(value);
      has_url = !entry.url.empty();
    } else if (absl::EqualsIgnoreCase(base::av(name), "seq")) {
      entry.seq = number<uint16_t>(value);
    } else if (absl::EqualsIgnoreCase(base::av(name), "rtptime")) {
      entry.rtptime = number<uint32_t>(value);
    }
  }
  if (!has_url) {
    return absl::InvalidArgumentError(base::cat("RTP-Info entry without url: '", text, "'"));
  }
  return entry;
}

}  // namespace

absl::StatusOr<RtpInfo> RtpInfo::parse(std::string_view value) {
  // 12.33: RTP-Info = "RTP-Info" ":" 1#stream-url 1*parameter, stream-url = "url" "=" url.
  // A URL holding ',' or ';' is ambiguous in this syntax (RTSP 2.0, RFC 7826, quotes it for that
  // reason); like live555 and ffmpeg, every comma separates entries and quoted URLs are accepted.
  RtpInfo info;
  for (absl::string_view raw : absl::StrSplit(base::av(value), ',')) {
    const std::string_view text = base::trim(base::sv(raw));
    if (text.empty()) continue;
    auto entry = parse_entry(text);
    if (!entry.ok()) return entry.status();
    info.entries.push_back(*std::move(entry));
  }
  if (info.entries.empty()) return absl::InvalidArgumentError("empty RTP-Info");
  return info;
}

std::string RtpInfo::serialize() const {
  std::string out;
  for (const RtpInfoEntry& e : entries) {
    if (!out.empty()) out += ',';
    absl::StrAppend(&out, "url=", base::av(e.url));
    if (e.seq) absl::StrAppend(&out, ";seq=", *e.seq);
    if (e.rtptime) absl::StrAppend(&out, ";rtptime=", *e.rtptime);
  }
  return out;
}

}  // namespace rtsp
