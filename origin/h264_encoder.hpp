// H264Encoder: one H.264 encoder through libavcodec, tuned for live low latency (no B-frames,
// fixed GOP without scene cuts, CBR-ish VBV of about one second): libx264 (zerolatency), or a
// hardware encoder (h264_vaapi, h264_nvenc, h264_qsv; see encoder_choice.hpp). Every keyframe
// carries SPS and PPS in front (docs/wire.md: parameter sets before every keyframe).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

struct AVBufferRef;
struct AVCodecContext;
struct AVFrame;
struct AVPacket;
struct SwsContext;

namespace origin {

inline constexpr char kEncoderName[] = "libx264";

struct EncoderConfig {
  int width = 1280;
  int height = 720;
  int fps = 30;
  int64_t bitrate_bps = 2'000'000;
  int gop_frames = 30;
  std::string preset = "ultrafast";  // libx264 only
  int threads = 1;
  std::string encoder = kEncoderName;  // libavcodec encoder name
  // Time base of the pts given to encode(): 0 = frames (1/fps), else 1/clock_rate (e.g. 90000).
  int clock_rate = 0;
};

// One encoded access unit in Annex-B form.
struct EncodedUnit {
  std::vector<uint8_t> annex_b;
  bool keyframe = false;
  int64_t pts = 0;        // in the configured time base, as given to encode()
  int64_t encode_us = 0;  // conversion + encoding time of the call that returned it
};

// One thread only.
class H264Encoder {
 public:
  // Opens the configured encoder; an unavailable encoder or a rejected setting is an error
  // naming it.
  static absl::StatusOr<std::unique_ptr<H264Encoder>> create(const EncoderConfig& config);
  ~H264Encoder();
  H264Encoder(const H264Encoder&) = delete;
  H264Encoder& operator=(const H264Encoder&) = delete;

  // Encodes one BGR image of the configured size; `pts` must increase.
  // Returns the access units that became ready (with zerolatency: exactly this frame's).
  absl::StatusOr<std::vector<EncodedUnit>> encode(const cv::Mat& bgr, int64_t pts);
  // Encodes one decoded picture of any size and pixel format (scaled to the configured size).
  absl::StatusOr<std::vector<EncodedUnit>> encode_frame(const AVFrame& picture, int64_t pts);
  // Drains the encoder at end of stream.
  absl::StatusOr<std::vector<EncodedUnit>> flush();

  std::string_view name() const { return config_.encoder; }
  const EncoderConfig& config() const { return config_; }

 private:
  explicit H264Encoder(const EncoderConfig& config) : config_(config) {}
  absl::Status open();
  absl::Status open_hardware_frames();
  absl::Status apply_private_options();
  absl::Status convert(const uint8_t* const planes[], const int strides[], int format, int width,
                       int height);
  absl::StatusOr<std::vector<EncodedUnit>> send(int64_t pts);
  // send(), with encode_us stamped from `start_us` (monotonic) on every unit it returns.
  absl::StatusOr<std::vector<EncodedUnit>> timed_send(int64_t pts, int64_t start_us);
  absl::StatusOr<std::vector<EncodedUnit>> drain();
  void ensure_parameter_sets(EncodedUnit& unit);

  EncoderConfig config_;
  AVCodecContext* context_ = nullptr;
  AVFrame* frame_ = nullptr;     // software picture in the encoder's input format
  AVFrame* hw_frame_ = nullptr;  // VAAPI surface (h264_vaapi only)
  AVPacket* packet_ = nullptr;
  AVBufferRef* hw_device_ = nullptr;
  SwsContext* sws_ = nullptr;
  std::vector<uint8_t> last_sps_;  // NAL units without start code
  std::vector<uint8_t> last_pps_;
};

}  // namespace origin
