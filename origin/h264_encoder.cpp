// H.264 encoder wrapper (libx264 or hardware); see h264_encoder.hpp.
#include "origin/h264_encoder.hpp"

#include "base/clock.hpp"

#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/hwcontext.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include "absl/strings/str_cat.h"
#include "base/log.hpp"
#include "media/h264.hpp"

namespace origin {
namespace {

constexpr int kHardwarePoolSize = 8;

std::string av_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

absl::Status set_option(AVCodecContext* context, std::string_view encoder, const char* key,
                        const std::string& value) {
  const int rc = av_opt_set(context->priv_data, key, value.c_str(), 0);
  if (rc < 0) {
    return absl::InvalidArgumentError(
        base::cat(encoder, ": cannot set ", key, "='", value, "': ", av_error(rc)));
  }
  return absl::OkStatus();
}

// The software pixel format each encoder takes (h264_vaapi: uploaded to a VAAPI surface).
AVPixelFormat input_format(std::string_view encoder) {
  if (encoder == "h264_qsv" || encoder == "h264_vaapi") return AV_PIX_FMT_NV12;
  return AV_PIX_FMT_YUV420P;
}

}  // namespace

absl::StatusOr<std::unique_ptr<H264Encoder>> H264Encoder::create(const EncoderConfig& config) {
  std::unique_ptr<H264Encoder> encoder(new H264Encoder(config));
  if (absl::Status status = encoder->open(); !status.ok()) return status;
  LOG_INFO("origin", "encoder ", config.encoder, " ", config.width, "x", config.height, " ",
           config.fps, " fps ", config.bitrate_bps, " b/s gop ", config.gop_frames,
           config.encoder == kEncoderName ? base::cat(" preset ", config.preset) : "", " threads ",
           config.threads);
  return encoder;
}

H264Encoder::~H264Encoder() {
  sws_freeContext(sws_);
  av_packet_free(&packet_);
  av_frame_free(&hw_frame_);
  av_frame_free(&frame_);
  avcodec_free_context(&context_);
  av_buffer_unref(&hw_device_);
}

absl::Status H264Encoder::apply_private_options() {
  const EncoderConfig& c = config_;
  std::vector<std::pair<const char*, std::string>> options;
  if (c.encoder == kEncoderName) {
    // No AV_CODEC_FLAG_GLOBAL_HEADER: x264 then repeats SPS/PPS in front of every IDR.
    options = {{"preset", c.preset},
               {"tune", "zerolatency"},
               {"x264-params", "scenecut=0:repeat-headers=1"}};
  } else if (c.encoder == "h264_nvenc") {
    options = {{"preset", "p1"}, {"tune", "ull"}, {"zerolatency", "1"}, {"rc", "cbr"}};
  } else if (c.encoder == "h264_qsv") {
    options = {{"async_depth", "1"}};
  }
  for (const auto& [key, value] : options) {
    if (absl::Status status = set_option(context_, c.encoder, key, value); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status H264Encoder::open_hardware_frames() {
  if (config_.encoder != "h264_vaapi") return absl::OkStatus();
  if (int rc = av_hwdevice_ctx_create(&hw_device_, AV_HWDEVICE_TYPE_VAAPI, nullptr, nullptr, 0);
      rc < 0) {
    return absl::UnavailableError(base::cat("h264_vaapi: no VAAPI device: ", av_error(rc)));
  }
  AVBufferRef* frames = av_hwframe_ctx_alloc(hw_device_);
  if (frames == nullptr) return absl::ResourceExhaustedError("h264_vaapi: out of memory");
  auto* ctx = reinterpret_cast<AVHWFramesContext*>(frames->data);
  ctx->format = AV_PIX_FMT_VAAPI;
  ctx->sw_format = AV_PIX_FMT_NV12;
  ctx->width = config_.width;
  ctx->height = config_.height;
  ctx->initial_pool_size = kHardwarePoolSize;
  const int rc = av_hwframe_ctx_init(frames);
  if (rc < 0) {
    av_buffer_unref(&frames);
    return absl::UnavailableError(base::cat("h264_vaapi: no NV12 surfaces: ", av_error(rc)));
  }
  context_->hw_frames_ctx = frames;  // the context takes this reference
  context_->pix_fmt = AV_PIX_FMT_VAAPI;
  hw_frame_ = av_frame_alloc();
  if (hw_frame_ == nullptr) return absl::ResourceExhaustedError("h264_vaapi: out of memory");
  return absl::OkStatus();
}

absl::Status H264Encoder::open() {
  const AVCodec* codec = avcodec_find_encoder_by_name(config_.encoder.c_str());
  if (codec == nullptr) {
    return absl::UnavailableError(
        base::cat("encoder '", config_.encoder, "' is not in this FFmpeg build"));
  }
  context_ = avcodec_alloc_context3(codec);
  frame_ = av_frame_alloc();
  packet_ = av_packet_alloc();
  if (context_ == nullptr || frame_ == nullptr || packet_ == nullptr) {
    return absl::ResourceExhaustedError("out of memory allocating the encoder");
  }
  const EncoderConfig& c = config_;
  context_->width = c.width;
  context_->height = c.height;
  context_->pix_fmt = input_format(c.encoder);
  context_->time_base = c.clock_rate > 0 ? AVRational{1, c.clock_rate} : AVRational{1, c.fps};
  context_->framerate = AVRational{c.fps, 1};
  context_->bit_rate = c.bitrate_bps;
  context_->rc_max_rate = c.bitrate_bps;
  context_->rc_buffer_size = static_cast<int>(c.bitrate_bps);  // VBV of about one second
  context_->gop_size = c.gop_frames;
  context_->keyint_min = c.gop_frames;
  context_->max_b_frames = 0;
  context_->thread_count = c.threads;
  for (absl::Status status : {apply_private_options(), open_hardware_frames()}) {
    if (!status.ok()) return status;
  }
  if (int rc = avcodec_open2(context_, codec, nullptr); rc < 0) {
    return absl::InvalidArgumentError(
        base::cat("cannot open encoder ", c.encoder, ": ", av_error(rc)));
  }
  frame_->format = input_format(c.encoder);
  frame_->width = c.width;
  frame_->height = c.height;
  if (int rc = av_frame_get_buffer(frame_, 0); rc < 0) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot allocate frame: ", av_error(rc)));
  }
  return absl::OkStatus();
}

absl::Status H264Encoder::convert(const uint8_t* const planes[], const int strides[], int format,
                                  int width, int height) {
  if (int rc = av_frame_make_writable(frame_); rc < 0) {
    return absl::ResourceExhaustedError(absl::StrCat("frame not writable: ", av_error(rc)));
  }
  sws_ = sws_getCachedContext(sws_, width, height, static_cast<AVPixelFormat>(format),
                              config_.width, config_.height, input_format(config_.encoder),
                              SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (sws_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot convert ", width, "x", height,
                                                   " pixel format ", format, " for the encoder"));
  }
  sws_scale(sws_, planes, strides, 0, height, frame_->data, frame_->linesize);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<EncodedUnit>> H264Encoder::encode(const cv::Mat& bgr, int64_t pts) {
  const int64_t start_us = base::monotonic_us();
  if (bgr.cols != config_.width || bgr.rows != config_.height || bgr.type() != CV_8UC3) {
    return absl::InvalidArgumentError(absl::StrCat("encoder expects ", config_.width, "x",
                                                   config_.height, " BGR, got ", bgr.cols, "x",
                                                   bgr.rows, " type ", bgr.type()));
  }
  const uint8_t* planes[4] = {bgr.data, nullptr, nullptr, nullptr};
  const int strides[4] = {static_cast<int>(bgr.step), 0, 0, 0};
  if (absl::Status s = convert(planes, strides, AV_PIX_FMT_BGR24, bgr.cols, bgr.rows); !s.ok()) {
    return s;
  }
  return timed_send(pts, start_us);
}

absl::StatusOr<std::vector<EncodedUnit>> H264Encoder::encode_frame(const AVFrame& picture,
                                                                   int64_t pts) {
  const int64_t start_us = base::monotonic_us();
  if (absl::Status status =
          convert(picture.data, picture.linesize, picture.format, picture.width, picture.height);
      !status.ok()) {
    return status;
  }
  return timed_send(pts, start_us);
}

absl::StatusOr<std::vector<EncodedUnit>> H264Encoder::timed_send(int64_t pts, int64_t start_us) {
  auto units = send(pts);
  if (units.ok()) {
    const int64_t took = base::monotonic_us() - start_us;
    for (EncodedUnit& unit : *units) unit.encode_us = took;
  }
  return units;
}

absl::StatusOr<std::vector<EncodedUnit>> H264Encoder::send(int64_t pts) {
  frame_->pts = pts;
  AVFrame* input = frame_;
  if (hw_frame_ != nullptr) {
    av_frame_unref(hw_frame_);
    int rc = av_hwframe_get_buffer(context_->hw_frames_ctx, hw_frame_, 0);
    if (rc >= 0) rc = av_hwframe_transfer_data(hw_frame_, frame_, 0);
    if (rc < 0) return absl::InternalError(absl::StrCat("VAAPI upload failed: ", av_error(rc)));
    hw_frame_->pts = pts;
    input = hw_frame_;
  }
  if (int rc = avcodec_send_frame(context_, input); rc < 0) {
    return absl::InternalError(absl::StrCat("encode failed: ", av_error(rc)));
  }
  return drain();
}

absl::StatusOr<std::vector<EncodedUnit>> H264Encoder::flush() {
  if (int rc = avcodec_send_frame(context_, nullptr); rc < 0 && rc != AVERROR_EOF) {
    return absl::InternalError(absl::StrCat("flush failed: ", av_error(rc)));
  }
  return drain();
}

absl::StatusOr<std::vector<EncodedUnit>> H264Encoder::drain() {
  std::vector<EncodedUnit> units;
  while (true) {
    const int rc = avcodec_receive_packet(context_, packet_);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) break;
    if (rc < 0) return absl::InternalError(absl::StrCat("encode failed: ", av_error(rc)));
    EncodedUnit unit;
    unit.annex_b.assign(packet_->data, packet_->data + packet_->size);
    unit.keyframe = (packet_->flags & AV_PKT_FLAG_KEY) != 0;
    unit.pts = packet_->pts;
    av_packet_unref(packet_);
    ensure_parameter_sets(unit);
    units.push_back(std::move(unit));
  }
  return units;
}

// Remembers the latest SPS/PPS and puts them in front of a keyframe that lacks them.
void H264Encoder::ensure_parameter_sets(EncodedUnit& unit) {
  bool has_sps = false;
  bool has_pps = false;
  for (std::span<const uint8_t> nal : media::h264::split_annex_b(unit.annex_b)) {
    const auto type = static_cast<media::h264::NalType>(media::h264::nal_type(nal));
    if (type == media::h264::NalType::Sps) {
      last_sps_.assign(nal.begin(), nal.end());
      has_sps = true;
    } else if (type == media::h264::NalType::Pps) {
      last_pps_.assign(nal.begin(), nal.end());
      has_pps = true;
    }
  }
  if (!unit.keyframe || (has_sps && has_pps) || last_sps_.empty() || last_pps_.empty()) return;
  std::vector<uint8_t> out;
  out.reserve(unit.annex_b.size() + last_sps_.size() + last_pps_.size() + 8);
  media::h264::append_annex_b(out, last_sps_);
  media::h264::append_annex_b(out, last_pps_);
  out.insert(out.end(), unit.annex_b.begin(), unit.annex_b.end());
  unit.annex_b = std::move(out);
  LOG_DEBUG("origin", "prepended SPS/PPS to keyframe pts ", unit.pts);
}

}  // namespace origin
