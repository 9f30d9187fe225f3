// ZeroMQ topics of the origin -> edge wire (docs/wire.md): "v1/<stream>" for frames and
// "v1/<stream>/info" for StreamInfo. Subscriptions are prefix matches, so receivers compare
// the whole topic after receipt ("v1/cam1" is a prefix of "v1/cam10").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace relay {

inline constexpr std::string_view kTopicPrefix = "v1/";
inline constexpr std::string_view kInfoSuffix = "/info";
// The minor version of the v1 wire this build speaks (FrameHeader.format_minor): 1 adds
// FrameHeader.publish_time_us, 2 StreamInfo.state_since_us/state_reason, 3
// StreamInfo.origin_priority, 4 StreamInfo.publisher_*.
inline constexpr uint32_t kFormatMinor = 4;
// Stream names: 1..64 characters of [A-Za-z0-9_.-]; they appear in topics and RTSP paths.
inline constexpr size_t kMaxStreamNameBytes = 64;

absl::Status validate_stream_name(std::string_view name);
std::string frame_topic(std::string_view stream);
std::string info_topic(std::string_view stream);

struct ParsedTopic {
  std::string stream;
  bool info = false;
};
// Splits a received topic; nullopt for anything that is not one of ours.
std::optional<ParsedTopic> parse_topic(std::string_view topic);

}  // namespace relay
