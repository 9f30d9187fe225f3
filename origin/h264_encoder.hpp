// H264Encoder: libx264 through libavcodec, tuned for live low latency (zerolatency, no
// B-frames, fixed GOP without scene cuts, CBR-ish VBV of about one second). Every keyframe
// carries SPS and PPS in front (docs/wire.md: parameter sets before every keyframe).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

struct AVCodecContext;
struct AVFrame;
struct AVPacket;

namespace origin {

inline constexpr char kEncoderName[] = "libx264";

struct EncoderConfig {
  int width = 1280;
  int height = 720;
  int fps = 30;
  int64_t bitrate_bps = 2'000'000;
  int gop_frames = 30;
  std::string preset = "ultrafast";
  int threads = 1;
};

// One encoded access unit in Annex-B form.
struct EncodedUnit {
  std::vector<uint8_t> annex_b;
  bool keyframe = false;
  int64_t pts = 0;  // in frames (time base 1/fps), as given to encode()
};

// One thread only.
class H264Encoder {
 public:
  // Opens libx264; an unavailable encoder or a rejected setting is an error naming it.
  static absl::StatusOr<std::unique_ptr<H264Encoder>> create(const EncoderConfig& config);
  ~H264Encoder();
  H264Encoder(const H264Encoder&) = delete;
  H264Encoder& operator=(const H264Encoder&) = delete;

  // Encodes one BGR image of the configured size; `pts` counts frames and must increase.
  // Returns the access units that became ready (with zerolatency: exactly this frame's).
  absl::StatusOr<std::vector<EncodedUnit>> encode(const cv::Mat& bgr, int64_t pts);
  // Drains the encoder at end of stream.
  absl::StatusOr<std::vector<EncodedUnit>> flush();

  std::string_view name() const { return kEncoderName; }
  const EncoderConfig& config() const { return config_; }

 private:
  explicit H264Encoder(const EncoderConfig& config) : config_(config) {}
  absl::Status open();
  absl::Status fill_frame(const cv::Mat& bgr);
  absl::StatusOr<std::vector<EncodedUnit>> drain();
  void ensure_parameter_sets(EncodedUnit& unit);

  EncoderConfig config_;
  AVCodecContext* context_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  cv::Mat yuv_;                    // I420 scratch image
  std::vector<uint8_t> last_sps_;  // NAL units without start code
  std::vector<uint8_t> last_pps_;
};

}  // namespace origin
