// Stream health names and the stream_state parameter (stream_health.hpp).
#include "cluster/stream_health.hpp"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/strings.hpp"

namespace cluster {
namespace {

using rs::cluster::StreamHealth;

constexpr std::pair<StreamHealth, std::string_view> kNames[] = {
    {rs::cluster::STREAM_HEALTH_UNSPECIFIED, "unknown"},
    {rs::cluster::STREAM_HEALTH_LIVE, "live"},
    {rs::cluster::STREAM_HEALTH_STARTING, "starting"},
    {rs::cluster::STREAM_HEALTH_SOURCE_DOWN, "source-down"},
    {rs::cluster::STREAM_HEALTH_ORIGIN_SILENT, "origin-silent"},
    {rs::cluster::STREAM_HEALTH_EDGE_LOCAL, "edge-local"},
    {rs::cluster::STREAM_HEALTH_SWITCHING, "origin-switch"},
};

constexpr char kTimeFormat[] = "%Y-%m-%dT%H:%M:%E3SZ";

}  // namespace

std::string_view health_name(StreamHealth health) {
  for (const auto& [h, name] : kNames) {
    if (h == health) return name;
  }
  return "unknown";
}

std::optional<StreamHealth> parse_health_name(std::string_view name) {
  for (const auto& [h, n] : kNames) {
    if (absl::EqualsIgnoreCase(base::av(n), base::av(name))) return h;
  }
  return std::nullopt;
}

bool upstream_fault(StreamHealth health) {
  return health == rs::cluster::STREAM_HEALTH_STARTING ||
         health == rs::cluster::STREAM_HEALTH_SOURCE_DOWN ||
         health == rs::cluster::STREAM_HEALTH_ORIGIN_SILENT;
}

std::string format_utc_ms(int64_t unix_ms) {
  return absl::FormatTime(kTimeFormat, absl::FromUnixMillis(unix_ms), absl::UTCTimeZone());
}

std::optional<int64_t> parse_utc_ms(std::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(kTimeFormat, base::av(text), absl::UTCTimeZone(), &t, &err)) {
    return std::nullopt;
  }
  return absl::ToUnixMillis(t);
}

std::string clean_reason(std::string_view reason) {
  std::string out(reason.substr(0, kMaxReasonBytes));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f) c = '?';
  }
  return out;
}

std::string format_stream_state(const rs::cluster::StreamStatus& status) {
  std::string out(health_name(status.health()));
  if (status.since_unix_ms() != 0)
    out += base::cat("; since=", format_utc_ms(status.since_unix_ms()));
  if (!status.reason().empty()) out += base::cat("; reason=", clean_reason(status.reason()));
  return out;
}

std::optional<rs::cluster::StreamStatus> parse_stream_state(std::string_view value) {
  rs::cluster::StreamStatus out;
  // The reason runs to the end of the value: split it off first.
  std::string_view head = value;
  if (const size_t at = value.find("reason="); at != std::string_view::npos) {
    out.set_reason(std::string(base::trim(value.substr(at + 7))));
    head = value.substr(0, at);
  }
  bool first = true;
  for (absl::string_view part : absl::StrSplit(base::av(head), ';')) {
    const std::string_view field = base::trim(base::sv(part));
    if (first) {
      auto health = parse_health_name(field);
      if (!health) return std::nullopt;
      out.set_health(*health);
      first = false;
    } else if (absl::StartsWith(base::av(field), "since=")) {
      auto ms = parse_utc_ms(field.substr(6));
      if (!ms) return std::nullopt;
      out.set_since_unix_ms(*ms);
    }  // unknown fields: ignored (later additions)
  }
  if (first) return std::nullopt;
  return out;
}

}  // namespace cluster
