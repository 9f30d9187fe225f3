// VideoDecoder (video_decoder.hpp).
#include "client/video_decoder.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/hwcontext.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include <vector>

#include "absl/strings/str_join.h"
#include "base/log.hpp"
#include "base/strings.hpp"

namespace client {
namespace {

constexpr char kTag[] = "decoder";

struct HwCandidate {
  HwDecode choice;
  AVHWDeviceType type;
};
constexpr HwCandidate kHwOrder[] = {{HwDecode::Vaapi, AV_HWDEVICE_TYPE_VAAPI},
                                    {HwDecode::Vdpau, AV_HWDEVICE_TYPE_VDPAU},
                                    {HwDecode::Cuda, AV_HWDEVICE_TYPE_CUDA}};

std::string av_error(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

// The pixel format the decoder uses with `type`, or AV_PIX_FMT_NONE when it cannot.
AVPixelFormat hw_format(const AVCodec* codec, AVHWDeviceType type) {
  for (int i = 0;; ++i) {
    const AVCodecHWConfig* config = avcodec_get_hw_config(codec, i);
    if (config == nullptr) return AV_PIX_FMT_NONE;
    if ((config->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) != 0 &&
        config->device_type == type) {
      return config->pix_fmt;
    }
  }
}

// get_format: picks the hardware format chosen at open, else falls back to software.
AVPixelFormat pick_format(AVCodecContext* ctx, const AVPixelFormat* formats) {
  const auto wanted = static_cast<AVPixelFormat>(reinterpret_cast<intptr_t>(ctx->opaque));
  for (const AVPixelFormat* f = formats; *f != AV_PIX_FMT_NONE; ++f) {
    if (*f == wanted) return *f;
  }
  return formats[0];
}

}  // namespace

absl::StatusOr<HwDecode> parse_hwdec(std::string_view text) {
  if (text == "auto") return HwDecode::Auto;
  if (text == "none") return HwDecode::None;
  if (text == "vaapi") return HwDecode::Vaapi;
  if (text == "vdpau") return HwDecode::Vdpau;
  if (text == "cuda") return HwDecode::Cuda;
  return absl::InvalidArgumentError(
      base::cat("--hwdec must be auto, none, vaapi, vdpau or cuda, not \"", text, "\""));
}

absl::StatusOr<std::unique_ptr<VideoDecoder>> VideoDecoder::open(const AVCodecParameters* par,
                                                                 HwDecode hw, int threads) {
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (codec == nullptr) {
    return absl::UnimplementedError(
        base::cat("no decoder for codec ", avcodec_get_name(par->codec_id)));
  }
  std::unique_ptr<VideoDecoder> d(new VideoDecoder());
  d->ctx_ = avcodec_alloc_context3(codec);
  if (d->ctx_ == nullptr || avcodec_parameters_to_context(d->ctx_, par) < 0) {
    return absl::InternalError("cannot allocate the decoder context");
  }
  d->ctx_->flags |= AV_CODEC_FLAG_LOW_DELAY;
  d->ctx_->thread_type = FF_THREAD_SLICE;
  d->ctx_->thread_count = threads;
  std::string used = "software";
  std::vector<std::string> tried;
  for (const auto& c : kHwOrder) {
    if (hw != HwDecode::Auto && hw != c.choice) continue;
    const AVPixelFormat fmt = hw_format(codec, c.type);
    if (fmt == AV_PIX_FMT_NONE) continue;
    AVBufferRef* device = nullptr;
    // Probing prints FFmpeg errors for every missing driver; they are expected here.
    const int level = av_log_get_level();
    av_log_set_level(AV_LOG_QUIET);
    const int err = av_hwdevice_ctx_create(&device, c.type, nullptr, nullptr, 0);
    av_log_set_level(level);
    if (err < 0) {
      tried.push_back(base::cat(av_hwdevice_get_type_name(c.type), " unavailable"));
      continue;
    }
    d->hw_device_ = device;
    d->hw_pix_fmt_ = fmt;
    d->ctx_->hw_device_ctx = av_buffer_ref(device);
    d->ctx_->opaque = reinterpret_cast<void*>(static_cast<intptr_t>(fmt));
    d->ctx_->get_format = pick_format;
    used = av_hwdevice_get_type_name(c.type);
    break;
  }
  if (hw != HwDecode::Auto && hw != HwDecode::None && d->hw_device_ == nullptr) {
    LOG_WARN(kTag, "requested hardware decoding is not available; using software");
  }
  static bool logged = false;  // once per process: reconnects probe again, quietly
  if (!logged && !tried.empty()) {
    LOG_INFO(kTag, absl::StrJoin(tried, ", "), "; decoding with ", used);
    logged = true;
  }
  const int err = avcodec_open2(d->ctx_, codec, nullptr);
  if (err < 0) return absl::InternalError(base::cat("cannot open decoder: ", av_error(err)));
  d->sw_frame_ = av_frame_alloc();
  d->description_ = base::cat(codec->name, " (", used, ")");
  return d;
}

VideoDecoder::~VideoDecoder() {
  sws_freeContext(sws_);
  av_frame_free(&sw_frame_);
  avcodec_free_context(&ctx_);
  av_buffer_unref(&hw_device_);
}

std::string VideoDecoder::codec_name() const {
  return avcodec_get_name(ctx_->codec_id);
}

int VideoDecoder::send(const AVPacket* packet) {
  return avcodec_send_packet(ctx_, packet);
}

int VideoDecoder::receive(AVFrame* frame) {
  return avcodec_receive_frame(ctx_, frame);
}

absl::Status VideoDecoder::to_bgr(const AVFrame* frame, cv::Mat& out) {
  const AVFrame* src = frame;
  if (frame->format == hw_pix_fmt_ && hw_pix_fmt_ >= 0) {
    av_frame_unref(sw_frame_);
    const int err = av_hwframe_transfer_data(sw_frame_, frame, 0);
    if (err < 0) return absl::InternalError(base::cat("hw frame download: ", av_error(err)));
    src = sw_frame_;
  }
  sws_ = sws_getCachedContext(sws_, src->width, src->height,
                              static_cast<AVPixelFormat>(src->format), src->width, src->height,
                              AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (sws_ == nullptr) return absl::InternalError("cannot convert the frame to BGR");
  out.create(src->height, src->width, CV_8UC3);
  uint8_t* dst[4] = {out.data, nullptr, nullptr, nullptr};
  const int dst_stride[4] = {static_cast<int>(out.step[0]), 0, 0, 0};
  sws_scale(sws_, src->data, src->linesize, 0, src->height, dst, dst_stride);
  return absl::OkStatus();
}

}  // namespace client
