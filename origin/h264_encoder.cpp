// libx264 encoder wrapper; see h264_encoder.hpp.
#include "origin/h264_encoder.hpp"

#include <cstring>

#include <opencv2/imgproc.hpp>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
}

#include "absl/strings/str_cat.h"
#include "base/log.hpp"
#include "media/h264.hpp"

namespace origin {
namespace {

std::string av_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

absl::Status set_option(AVCodecContext* context, const char* key, const std::string& value) {
  const int rc = av_opt_set(context->priv_data, key, value.c_str(), 0);
  if (rc < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kEncoderName, ": cannot set ", key, "='", value, "': ", av_error(rc)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<H264Encoder>> H264Encoder::create(const EncoderConfig& config) {
  std::unique_ptr<H264Encoder> encoder(new H264Encoder(config));
  if (absl::Status status = encoder->open(); !status.ok()) return status;
  LOG_INFO("origin", "encoder ", kEncoderName, " ", config.width, "x", config.height, " ",
           config.fps, " fps ", config.bitrate_bps, " b/s gop ", config.gop_frames, " preset ",
           config.preset, " threads ", config.threads);
  return encoder;
}

H264Encoder::~H264Encoder() {
  av_packet_free(&packet_);
  av_frame_free(&frame_);
  avcodec_free_context(&context_);
}

absl::Status H264Encoder::open() {
  const AVCodec* codec = avcodec_find_encoder_by_name(kEncoderName);
  if (codec == nullptr) {
    return absl::UnavailableError(absl::StrCat("encoder '", kEncoderName, "' is not available"));
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
  context_->pix_fmt = AV_PIX_FMT_YUV420P;
  context_->time_base = AVRational{1, c.fps};
  context_->framerate = AVRational{c.fps, 1};
  context_->bit_rate = c.bitrate_bps;
  context_->rc_max_rate = c.bitrate_bps;
  context_->rc_buffer_size = static_cast<int>(c.bitrate_bps);  // VBV of about one second
  context_->gop_size = c.gop_frames;
  context_->keyint_min = c.gop_frames;
  context_->max_b_frames = 0;
  context_->thread_count = c.threads;
  // No AV_CODEC_FLAG_GLOBAL_HEADER: x264 then repeats SPS/PPS in front of every IDR.
  for (absl::Status status :
       {set_option(context_, "preset", c.preset), set_option(context_, "tune", "zerolatency"),
        set_option(context_, "x264-params", "scenecut=0:repeat-headers=1")}) {
    if (!status.ok()) return status;
  }
  if (int rc = avcodec_open2(context_, codec, nullptr); rc < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open encoder ", kEncoderName, ": ", av_error(rc)));
  }
  frame_->format = AV_PIX_FMT_YUV420P;
  frame_->width = c.width;
  frame_->height = c.height;
  if (int rc = av_frame_get_buffer(frame_, 0); rc < 0) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot allocate frame: ", av_error(rc)));
  }
  return absl::OkStatus();
}

absl::Status H264Encoder::fill_frame(const cv::Mat& bgr) {
  if (bgr.cols != config_.width || bgr.rows != config_.height || bgr.type() != CV_8UC3) {
    return absl::InvalidArgumentError(absl::StrCat("encoder expects ", config_.width, "x",
                                                   config_.height, " BGR, got ", bgr.cols, "x",
                                                   bgr.rows, " type ", bgr.type()));
  }
  if (int rc = av_frame_make_writable(frame_); rc < 0) {
    return absl::ResourceExhaustedError(absl::StrCat("frame not writable: ", av_error(rc)));
  }
  cv::cvtColor(bgr, yuv_, cv::COLOR_BGR2YUV_I420);
  // yuv_ is continuous: the Y plane (w x h), then U and V (w/2 x h/2 each).
  const int w = config_.width;
  const int h = config_.height;
  const uint8_t* src = yuv_.ptr<uint8_t>(0);
  const int plane_width[3] = {w, w / 2, w / 2};
  const int plane_height[3] = {h, h / 2, h / 2};
  for (int p = 0; p < 3; ++p) {
    for (int y = 0; y < plane_height[p]; ++y) {
      std::memcpy(frame_->data[p] + static_cast<ptrdiff_t>(y) * frame_->linesize[p], src,
                  plane_width[p]);
      src += plane_width[p];
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<EncodedUnit>> H264Encoder::encode(const cv::Mat& bgr, int64_t pts) {
  if (absl::Status status = fill_frame(bgr); !status.ok()) return status;
  frame_->pts = pts;
  if (int rc = avcodec_send_frame(context_, frame_); rc < 0) {
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
