// VideoDecoder: libavcodec decoding with hardware acceleration through av_hwdevice (VAAPI,
// VDPAU, CUDA) when the machine has it, else software; converts frames to BGR for display.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

extern "C" {
struct AVCodecContext;
struct AVCodecParameters;
struct AVBufferRef;
struct AVFrame;
struct AVPacket;
struct SwsContext;
}

namespace client {

// --hwdec: "auto" tries vaapi, vdpau, cuda in that order; "none" is software only.
enum class HwDecode { Auto, None, Vaapi, Vdpau, Cuda };
absl::StatusOr<HwDecode> parse_hwdec(std::string_view text);

// Not thread-safe: one owner (the playback thread).
class VideoDecoder {
 public:
  // Opens a decoder for the stream; `threads` 0 = libavcodec's choice (slice threads only: frame
  // threads would add a frame of delay per thread).
  static absl::StatusOr<std::unique_ptr<VideoDecoder>> open(const AVCodecParameters* par,
                                                            HwDecode hw, int threads);
  ~VideoDecoder();
  VideoDecoder(const VideoDecoder&) = delete;
  VideoDecoder& operator=(const VideoDecoder&) = delete;

  // "h264 (software)", "h264 (vaapi)", ...
  const std::string& description() const { return description_; }
  std::string codec_name() const;

  // avcodec_send_packet; AVERROR(EAGAIN) never happens because callers drain with receive().
  int send(const AVPacket* packet);
  // avcodec_receive_frame into `frame`: 0, AVERROR(EAGAIN) or an error.
  int receive(AVFrame* frame);
  // Converts a decoded frame (hardware frames are downloaded first) to BGR24.
  absl::Status to_bgr(const AVFrame* frame, cv::Mat& out);

 private:
  VideoDecoder() = default;
  AVCodecContext* ctx_ = nullptr;
  AVBufferRef* hw_device_ = nullptr;
  AVFrame* sw_frame_ = nullptr;
  SwsContext* sws_ = nullptr;
  int hw_pix_fmt_ = -1;
  std::string description_;
};

}  // namespace client
