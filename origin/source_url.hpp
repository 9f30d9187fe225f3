// Source URLs of the origin (docs/origin.md):
//   rtsp://[user[:password]@]host[:port]/path   an IP camera or any RTSP server (libavformat)
//   file:///path/x.mp4 or a plain path           MP4/MKV/TS, paced in real time
//   test://pattern?size=1920x1080&fps=30&bitrate=4M&gop=30   the built-in test pattern
//   webcam:0 or v4l2:///dev/video0               OpenCV VideoCapture, encoded once
//   rtmp://, rtmps://, srt://, http(s)://...m3u8, udp://, tcp://   other live network sources
//                                                 libavformat reads (no pacing, reconnect)
//   publish:                                     publishers push it (RTSP ANNOUNCE/RECORD at
//                                                 --ingest_rtsp, RTMP, SRT; docs/ingest.md)
// Parsing is pure (no file-system access); OriginConfig checks that a file exists.
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
inline constexpr int kMaxWebcamIndex = 63;
inline constexpr size_t kMaxSourceLength = 4096;

struct VideoSize {
  int width = 0;
  int height = 0;
  friend bool operator==(const VideoSize&, const VideoSize&) = default;
};

enum class SourceKind { TestPattern, File, Rtsp, Webcam, Network, Publish };

// URL schemes of live network sources read with libavformat (SourceKind::Network).
inline constexpr std::string_view kNetworkSchemes[] = {"rtmp",  "rtmps", "srt", "http",
                                                       "https", "udp",   "tcp", "rtp"};

// A parsed source URL. Query parameters (test pattern only) override the matching flags.
struct SourceUrl {
  SourceKind kind = SourceKind::TestPattern;
  // File: the path (file:// removed). Rtsp, Network: the URL as given. Webcam: the device path
  // for v4l2:// URLs, empty for webcam:N.
  std::string location;
  int webcam_index = -1;  // webcam:N
  std::optional<VideoSize> size;
  std::optional<int> fps;
  std::optional<int64_t> bitrate_bps;
  std::optional<int> gop_frames;

  // Errors quote the URL and the offending part.
  static absl::StatusOr<SourceUrl> parse(std::string_view url);

  // "test", "file", "rtsp", "webcam", "publish" or the network scheme ("rtmp", "srt", "http", ...)
  // (StreamInfo.source_kind).
  std::string_view kind_name() const;

  friend bool operator==(const SourceUrl&, const SourceUrl&) = default;
};

// The URL with any RTSP password replaced by "***", for logs.
std::string redact_source(std::string_view url);

// "1280x720": even numbers in kMinDimension..kMaxDimension.
absl::StatusOr<VideoSize> parse_video_size(std::string_view text);
// Integer frames per second in kMinFps..kMaxFps.
absl::StatusOr<int> parse_fps(std::string_view text);
// Bits per second: "2000000", "2000k" or "2M" (k = 1000, M = 1000000), kMinBitrateBps..kMax.
absl::StatusOr<int64_t> parse_bitrate(std::string_view text);
// GOP length in frames, kMinGopFrames..kMaxGopFrames.
absl::StatusOr<int> parse_gop(std::string_view text);

}  // namespace origin
