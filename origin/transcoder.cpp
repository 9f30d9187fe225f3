// Decode + encode once; see transcoder.hpp.
#include "origin/transcoder.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
}

#include "base/log.hpp"
#include "base/strings.hpp"

namespace origin {

absl::StatusOr<std::unique_ptr<Transcoder>> Transcoder::create(const AVCodecParameters& input,
                                                               EncoderConfig encoder) {
  std::unique_ptr<Transcoder> t(new Transcoder());
  const AVCodec* codec = avcodec_find_decoder(input.codec_id);
  if (codec == nullptr) {
    return absl::UnimplementedError(
        base::cat("no decoder for the source's codec ", avcodec_get_name(input.codec_id)));
  }
  t->decoder_ = avcodec_alloc_context3(codec);
  t->picture_ = av_frame_alloc();
  if (t->decoder_ == nullptr || t->picture_ == nullptr) {
    return absl::ResourceExhaustedError("out of memory allocating the decoder");
  }
  if (avcodec_parameters_to_context(t->decoder_, &input) < 0) {
    return absl::InvalidArgumentError("bad decoder parameters");
  }
  t->decoder_->pkt_timebase = AVRational{1, static_cast<int>(kTranscodeClockRate)};
  t->decoder_->flags |= AV_CODEC_FLAG_LOW_DELAY;
  t->decoder_->thread_count = 1;
  if (avcodec_open2(t->decoder_, codec, nullptr) < 0) {
    return absl::InvalidArgumentError(
        base::cat("cannot open the ", avcodec_get_name(input.codec_id), " decoder"));
  }
  encoder.clock_rate = kTranscodeClockRate;
  auto h264 = H264Encoder::create(encoder);
  if (!h264.ok()) return h264.status();
  t->encoder_ = std::move(h264).value();
  return t;
}

Transcoder::~Transcoder() {
  av_frame_free(&picture_);
  avcodec_free_context(&decoder_);
}

absl::StatusOr<std::vector<EncodedUnit>> Transcoder::feed(const AVPacket& packet) {
  if (avcodec_send_packet(decoder_, &packet) < 0) {
    ++decode_errors_;  // corrupt input: skipped and counted
    return std::vector<EncodedUnit>{};
  }
  return encode_ready();
}

absl::StatusOr<std::vector<EncodedUnit>> Transcoder::encode_ready() {
  std::vector<EncodedUnit> units;
  while (true) {
    const int rc = avcodec_receive_frame(decoder_, picture_);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) break;
    if (rc < 0) {
      ++decode_errors_;
      break;
    }
    int64_t pts = picture_->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE || pts <= last_pts_) pts = last_pts_ == INT64_MIN ? 0 : last_pts_ + 1;
    last_pts_ = pts;
    auto encoded = encoder_->encode_frame(*picture_, pts);
    av_frame_unref(picture_);
    if (!encoded.ok()) return encoded.status();
    for (EncodedUnit& unit : *encoded) units.push_back(std::move(unit));
  }
  return units;
}

}  // namespace origin
