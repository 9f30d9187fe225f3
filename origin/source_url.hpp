// Source URLs of the origin: "test://pattern?size=1920x1080&fps=30&bitrate=4M&gop=30".
// Only the built-in test pattern exists in this build; file, RTSP and webcam sources come later.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace origin {

// Limits shared by flags and URL parameters.
inline constexpr int kMinDimension = 16;
inline constexpr int kMaxDimension = 7680;
inline constexpr int kMinFps = 1;
inline constexpr int kMaxFps = 120;
inline constexpr int64_t kMinBitrateBps = 16'000;
inline constexpr int64_t kMaxBitrateBps = 200'000'000;
inline constexpr int kMinGopFrames = 1;
inline constexpr int kMaxGopFrames = 600;

struct VideoSize {
  int width = 0;
  int height = 0;
  friend bool operator==(const VideoSize&, const VideoSize&) = default;
};

enum class SourceKind { TestPattern };

// A parsed source URL. Query parameters are optional and override the matching flags.
struct SourceUrl {
  SourceKind kind = SourceKind::TestPattern;
  std::optional<VideoSize> size;
  std::optional<int> fps;
  std::optional<int64_t> bitrate_bps;
  std::optional<int> gop_frames;

  // Errors quote the URL and the offending parameter.
  static absl::StatusOr<SourceUrl> parse(std::string_view url);

  friend bool operator==(const SourceUrl&, const SourceUrl&) = default;
};

// "1280x720": even numbers in kMinDimension..kMaxDimension.
absl::StatusOr<VideoSize> parse_video_size(std::string_view text);
// Integer frames per second in kMinFps..kMaxFps.
absl::StatusOr<int> parse_fps(std::string_view text);
// Bits per second: "2000000", "2000k" or "2M" (k = 1000, M = 1000000), kMinBitrateBps..kMax.
absl::StatusOr<int64_t> parse_bitrate(std::string_view text);
// GOP length in frames, kMinGopFrames..kMaxGopFrames.
absl::StatusOr<int> parse_gop(std::string_view text);

}  // namespace origin
