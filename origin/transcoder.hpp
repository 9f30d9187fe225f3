// Transcoder: decodes a camera's video (MJPEG, or H.264/H.265 with --transcode) and encodes it
// once with the origin's H.264 encoder (size, fps, bitrate, GOP from the stream's settings).
// Undecodable packets are skipped and counted. One thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "origin/h264_encoder.hpp"

struct AVCodecContext;
struct AVCodecParameters;
struct AVFrame;
struct AVPacket;

namespace origin {

inline constexpr int kTranscodeClockRate = 90'000;  // timestamps fed to feed()

class Transcoder {
 public:
  // `encoder.clock_rate` is forced to 90 kHz: packets come in with 90 kHz timestamps.
  static absl::StatusOr<std::unique_ptr<Transcoder>> create(const AVCodecParameters& input,
                                                            EncoderConfig encoder);
  ~Transcoder();
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;

  // Decodes `packet` (timestamps in 90 kHz) and encodes every picture that comes out.
  absl::StatusOr<std::vector<EncodedUnit>> feed(const AVPacket& packet);
  uint64_t decode_errors() const { return decode_errors_; }

 private:
  Transcoder() = default;
  absl::StatusOr<std::vector<EncodedUnit>> encode_ready();

  AVCodecContext* decoder_ = nullptr;
  AVFrame* picture_ = nullptr;
  std::unique_ptr<H264Encoder> encoder_;
  int64_t last_pts_ = INT64_MIN;
  uint64_t decode_errors_ = 0;
};

}  // namespace origin
