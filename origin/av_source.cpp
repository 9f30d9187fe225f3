// libavformat sources (RTSP cameras, files); see av_source.hpp.
#include "origin/av_source.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
}

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/lookup.hpp"
#include "base/strings.hpp"
#include "origin/av_errors.hpp"

namespace origin {
namespace {

// More corrupt packets than this in a row end the session (the source is sending garbage).
constexpr int kMaxConsecutiveCorrupt = 500;
// Demuxer settings for cameras: "small probe" (docs/origin.md).
constexpr char kCameraProbeBytes[] = "500000";
constexpr char kCameraAnalyzeUs[] = "1000000";
constexpr char kCameraUdpBufferBytes[] = "2097152";
constexpr char kCameraReorderUs[] = "200000";

rs::media::Codec wire_codec(AVCodecID id) {
  static constexpr base::Row<AVCodecID, rs::media::Codec> kWireCodecs[] = {
      {AV_CODEC_ID_H264, rs::media::CODEC_H264},
      {AV_CODEC_ID_HEVC, rs::media::CODEC_H265},
      {AV_CODEC_ID_AAC, rs::media::CODEC_AAC},
      {AV_CODEC_ID_OPUS, rs::media::CODEC_OPUS},
      {AV_CODEC_ID_PCM_MULAW, rs::media::CODEC_PCMU},
      {AV_CODEC_ID_PCM_ALAW, rs::media::CODEC_PCMA}};
  return base::lookup(kWireCodecs, id, rs::media::CODEC_UNSPECIFIED);
}

// libavformat's rtsp_transport option; Auto leaves it unset (FFmpeg's default: UDP, then TCP).
const char* transport_option(RtspTransport transport) {
  static constexpr base::Row<RtspTransport, const char*> kOptions[] = {
      {RtspTransport::Tcp, "tcp"},
      {RtspTransport::Udp, "udp"},
      {RtspTransport::UdpMulticast, "udp_multicast"}};
  return base::lookup(kOptions, transport, nullptr);
}

absl::StatusOr<AVBSFContext*> make_filter(const char* name, const AVStream& stream) {
  const AVBitStreamFilter* filter = av_bsf_get_by_name(name);
  AVBSFContext* bsf = nullptr;
  if (filter == nullptr || av_bsf_alloc(filter, &bsf) < 0) {
    return absl::UnavailableError(base::cat("bitstream filter ", name, " is not available"));
  }
  avcodec_parameters_copy(bsf->par_in, stream.codecpar);
  bsf->time_base_in = stream.time_base;
  if (av_bsf_init(bsf) < 0) {
    av_bsf_free(&bsf);
    return absl::InvalidArgumentError(base::cat("bitstream filter ", name, " rejected the stream"));
  }
  return bsf;
}

double frame_rate(const AVStream& stream) {
  const AVRational rate =
      stream.avg_frame_rate.num > 0 ? stream.avg_frame_rate : stream.r_frame_rate;
  return rate.den > 0 ? av_q2d(rate) : 0.0;
}

}  // namespace

AvSource::AvSource(const StreamSettings& settings, const std::atomic<bool>& stop)
    : settings_(settings), kind_(settings.source_url.kind), stop_(stop) {}

AvSource::~AvSource() {
  av_bsf_free(&video_.bsf);
  if (audio_) av_bsf_free(&audio_->bsf);
  av_packet_free(&filtered_);
  av_packet_free(&packet_);
  avformat_close_input(&format_);
}

absl::StatusOr<std::unique_ptr<Source>> AvSource::open(const StreamSettings& settings,
                                                       const std::atomic<bool>& stop) {
  std::unique_ptr<AvSource> source(new AvSource(settings, stop));
  if (absl::Status status = source->open_input(); !status.ok()) return status;
  if (absl::Status status = source->select_video(); !status.ok()) return status;
  source->select_audio();
  return std::unique_ptr<Source>(std::move(source));
}

int AvSource::interrupt(void* opaque) {
  auto* self = static_cast<AvSource*>(opaque);
  if (self->stop_.load()) return 1;
  if (base::monotonic_us() > self->deadline_us_.load()) {
    self->timed_out_ = true;
    return 1;
  }
  return 0;
}

void AvSource::arm_deadline() {
  timed_out_ = false;
  deadline_us_.store(base::monotonic_us() +
                     std::chrono::microseconds(settings_.read_timeout).count());
}

absl::Status AvSource::fail(int code) const {
  if (stop_.load()) return absl::CancelledError("stopped");
  return absl::UnavailableError(
      describe_av_error(code, timed_out_, kind_, settings_.read_timeout.count()));
}

absl::Status AvSource::open_input() {
  format_ = avformat_alloc_context();
  packet_ = av_packet_alloc();
  filtered_ = av_packet_alloc();
  if (format_ == nullptr || packet_ == nullptr || filtered_ == nullptr) {
    return absl::ResourceExhaustedError("out of memory opening the source");
  }
  format_->interrupt_callback = AVIOInterruptCB{&AvSource::interrupt, this};
  AVDictionary* options = nullptr;
  std::string url = settings_.source_url.location;
  if (kind_ == SourceKind::Rtsp) {
    if (const char* transport = transport_option(settings_.transport)) {
      av_dict_set(&options, "rtsp_transport", transport, 0);
    }
    const auto timeout_us = std::chrono::microseconds(settings_.read_timeout).count();
    av_dict_set(&options, "timeout", std::to_string(timeout_us).c_str(), 0);
    av_dict_set(&options, "fflags", "nobuffer", 0);
    av_dict_set(&options, "probesize", kCameraProbeBytes, 0);
    av_dict_set(&options, "analyzeduration", kCameraAnalyzeUs, 0);
    av_dict_set(&options, "buffer_size", kCameraUdpBufferBytes, 0);
    av_dict_set(&options, "max_delay", kCameraReorderUs, 0);
  } else if (kind_ == SourceKind::Network) {
    // Live network input (RTMP, SRT, HLS, UDP/TCP MPEG-TS): no demuxer buffering, and a dead
    // peer is noticed within the read timeout (rw_timeout works for every protocol).
    const auto timeout_us = std::chrono::microseconds(settings_.read_timeout).count();
    av_dict_set(&options, "rw_timeout", std::to_string(timeout_us).c_str(), 0);
    av_dict_set(&options, "fflags", "nobuffer", 0);
    if (settings_.listen && url.starts_with("rtmp")) av_dict_set(&options, "listen", "1", 0);
  }
  arm_deadline();
  // A listener waits for its publisher as long as it takes (stop still interrupts).
  if (settings_.listen) deadline_us_.store(INT64_MAX);
  int rc = avformat_open_input(&format_, url.c_str(), nullptr, &options);
  av_dict_free(&options);
  if (rc < 0) return fail(rc);
  arm_deadline();
  if (rc = avformat_find_stream_info(format_, nullptr); rc < 0) return fail(rc);
  return absl::OkStatus();
}

absl::Status AvSource::select_video() {
  const int index = av_find_best_stream(format_, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (index < 0) return absl::FailedPreconditionError("the source has no video stream");
  const AVStream& stream = *format_->streams[index];
  const AVCodecParameters& par = *stream.codecpar;
  video_.index = index;
  const rs::media::Codec codec = wire_codec(par.codec_id);
  const bool passthrough =
      !settings_.transcode && (codec == rs::media::CODEC_H264 || codec == rs::media::CODEC_H265);
  if (!passthrough) {
    auto transcoder = Transcoder::create(par, settings_.encoder);
    if (!transcoder.ok()) return transcoder.status();
    transcoder_ = std::move(transcoder).value();
    video_.desc = encoded_video_track(settings_.encoder);
    LOG_INFO("origin", "stream ", settings_.stream, ": transcoding ",
             avcodec_get_name(par.codec_id), " ", par.width, "x", par.height, " to H.264");
    return absl::OkStatus();
  }
  video_.desc = TrackDesc{.codec = codec,
                          .width = static_cast<uint32_t>(par.width),
                          .height = static_cast<uint32_t>(par.height),
                          .fps = frame_rate(stream),
                          .bitrate_bps = static_cast<uint64_t>(std::max<int64_t>(par.bit_rate, 0))};
  // AVCC/HVCC samples (MP4, MKV) become Annex-B; an Annex-B source (RTSP, TS) passes untouched.
  if (par.extradata_size > 0 && par.extradata[0] == 1) {
    auto bsf = make_filter(codec == rs::media::CODEC_H264 ? "h264_mp4toannexb" : "hevc_mp4toannexb",
                           stream);
    if (!bsf.ok()) return bsf.status();
    video_.bsf = *bsf;
  }
  return absl::OkStatus();
}

void AvSource::select_audio() {
  const int index = av_find_best_stream(format_, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (index < 0) return;
  const AVStream& stream = *format_->streams[index];
  const AVCodecParameters& par = *stream.codecpar;
  const rs::media::Codec codec = wire_codec(par.codec_id);
  if (codec != rs::media::CODEC_AAC && codec != rs::media::CODEC_OPUS &&
      codec != rs::media::CODEC_PCMU && codec != rs::media::CODEC_PCMA) {
    LOG_INFO("origin", "stream ", settings_.stream, ": audio ", avcodec_get_name(par.codec_id),
             " is not passed through (only AAC, Opus and G.711 are)");
    return;
  }
  Stream audio;
  audio.index = index;
  const int rate = codec == rs::media::CODEC_OPUS ? 48'000 : par.sample_rate;
  if (rate <= 0) return;
  audio.desc = TrackDesc{.track = kAudioTrack,
                         .codec = codec,
                         .clock_rate = static_cast<uint32_t>(rate),
                         .bitrate_bps = static_cast<uint64_t>(std::max<int64_t>(par.bit_rate, 0)),
                         .channels = static_cast<uint32_t>(par.ch_layout.nb_channels)};
  if (par.extradata_size > 0) {
    audio.desc.audio_config.assign(reinterpret_cast<const char*>(par.extradata),
                                   static_cast<size_t>(par.extradata_size));
  }
  if (codec == rs::media::CODEC_AAC) {  // ADTS (TS files) becomes raw AAC + AudioSpecificConfig
    auto bsf = make_filter("aac_adtstoasc", stream);
    if (!bsf.ok()) return;
    audio.bsf = *bsf;
  }
  audio_ = audio;
}

std::vector<TrackDesc> AvSource::tracks() const {
  std::vector<TrackDesc> out{video_.desc};
  if (audio_) {
    out.push_back(audio_->desc);
    const AVCodecParameters* par = audio_->bsf != nullptr ? audio_->bsf->par_out : nullptr;
    if (out.back().audio_config.empty() && par != nullptr && par->extradata_size > 0) {
      out.back().audio_config.assign(reinterpret_cast<const char*>(par->extradata),
                                     static_cast<size_t>(par->extradata_size));
    }
  }
  return out;
}

uint64_t AvSource::corrupt_skipped() const {
  return corrupt_ + (transcoder_ ? transcoder_->decode_errors() : 0);
}

std::vector<uint8_t> AvSource::announced_parameter_sets() const {
  const AVCodecParameters& par = *format_->streams[video_.index]->codecpar;
  // Annex-B extradata starts with a start code; AVCC/HVCC (first byte 1) is handled by the filter.
  if (transcoder_ || par.extradata_size < 4 || par.extradata[0] != 0) return {};
  return std::vector<uint8_t>(par.extradata, par.extradata + par.extradata_size);
}

absl::StatusOr<SourceUnit> AvSource::read() {
  while (ready_.empty()) {
    if (stop_.load()) return absl::CancelledError("stopped");
    if (absl::Status status = read_packet(); !status.ok()) return status;
  }
  SourceUnit unit = std::move(ready_.front());
  ready_.pop_front();
  return unit;
}

absl::Status AvSource::rewind() {
  const int64_t start = format_->start_time == AV_NOPTS_VALUE ? 0 : format_->start_time;
  arm_deadline();
  if (int rc = avformat_seek_file(format_, -1, INT64_MIN, start, start, 0); rc < 0) {
    return fail(rc);
  }
  if (video_.bsf != nullptr) av_bsf_flush(video_.bsf);
  if (audio_ && audio_->bsf != nullptr) av_bsf_flush(audio_->bsf);
  loop_point_ = true;
  LOG_DEBUG("origin", "stream ", settings_.stream, ": looped");
  return absl::OkStatus();
}

absl::Status AvSource::read_packet() {
  arm_deadline();
  const int rc = av_read_frame(format_, packet_);
  receive_time_us_ = base::wall_clock_us();
  if (rc == AVERROR_EOF && kind_ == SourceKind::File) {
    if (settings_.loop) return rewind();
    return absl::OutOfRangeError("end of file");  // played once: the stream is finished
  }
  if (rc == AVERROR_INVALIDDATA && !timed_out_) {
    ++corrupt_;  // garbage in the input: skipped and counted
    if (++consecutive_corrupt_ > kMaxConsecutiveCorrupt) {
      return absl::DataLossError(
          base::cat("invalid data: ", consecutive_corrupt_, " corrupt packets in a row"));
    }
    return absl::OkStatus();
  }
  if (rc < 0) return fail(rc);
  consecutive_corrupt_ = 0;
  absl::Status status = absl::OkStatus();
  if ((packet_->flags & AV_PKT_FLAG_CORRUPT) != 0 || packet_->size == 0) {
    ++corrupt_;
  } else if (packet_->stream_index == video_.index) {
    status = handle_video(packet_);
  } else if (audio_ && packet_->stream_index == audio_->index) {
    status = handle_audio(packet_);
  }
  av_packet_unref(packet_);
  return status;
}

void AvSource::emit(uint32_t track, const AVPacket& packet, int64_t pts, int64_t dts) {
  SourceUnit unit;
  unit.track = track;
  unit.data = std::make_shared<std::vector<uint8_t>>(packet.data, packet.data + packet.size);
  unit.pts = pts;
  unit.dts = dts;
  unit.capture_time_us = receive_time_us_;
  unit.loop_point = std::exchange(loop_point_, false);
  ready_.push_back(std::move(unit));
}

absl::Status AvSource::handle_video(AVPacket* packet) {
  const AVRational clock{1, static_cast<int>(kVideoClockRate)};
  const AVRational time_base = format_->streams[video_.index]->time_base;
  if (packet->pts == AV_NOPTS_VALUE) packet->pts = packet->dts;
  if (packet->dts == AV_NOPTS_VALUE) packet->dts = packet->pts;
  if (packet->dts == AV_NOPTS_VALUE) {
    ++corrupt_;  // no timestamp at all: cannot be placed on the timeline
    return absl::OkStatus();
  }
  if (transcoder_) {
    av_packet_rescale_ts(packet, time_base, clock);
    auto units = transcoder_->feed(*packet);
    if (!units.ok()) return units.status();
    for (EncodedUnit& encoded : *units) {
      SourceUnit unit{.track = kVideoTrack,
                      .data = std::make_shared<std::vector<uint8_t>>(std::move(encoded.annex_b)),
                      .pts = encoded.pts,
                      .dts = encoded.pts,
                      .capture_time_us = receive_time_us_,
                      .encoded_here = true,
                      .encode_us = encoded.encode_us,
                      .loop_point = std::exchange(loop_point_, false)};
      ready_.push_back(std::move(unit));
    }
    return absl::OkStatus();
  }
  if (video_.bsf == nullptr) {
    emit(kVideoTrack, *packet, av_rescale_q(packet->pts, time_base, clock),
         av_rescale_q(packet->dts, time_base, clock));
    return absl::OkStatus();
  }
  if (av_bsf_send_packet(video_.bsf, packet) < 0) {
    ++corrupt_;
    return absl::OkStatus();
  }
  while (av_bsf_receive_packet(video_.bsf, filtered_) >= 0) {
    emit(kVideoTrack, *filtered_, av_rescale_q(filtered_->pts, time_base, clock),
         av_rescale_q(filtered_->dts, time_base, clock));
    av_packet_unref(filtered_);
  }
  return absl::OkStatus();
}

absl::Status AvSource::handle_audio(AVPacket* packet) {
  const AVRational clock{1, static_cast<int>(audio_->desc.clock_rate)};
  const AVRational time_base = format_->streams[audio_->index]->time_base;
  if (packet->pts == AV_NOPTS_VALUE) packet->pts = packet->dts;
  if (packet->pts == AV_NOPTS_VALUE) {
    ++corrupt_;
    return absl::OkStatus();
  }
  if (audio_->bsf == nullptr) {
    const int64_t ts = av_rescale_q(packet->pts, time_base, clock);
    emit(kAudioTrack, *packet, ts, ts);
    return absl::OkStatus();
  }
  if (av_bsf_send_packet(audio_->bsf, packet) < 0) {
    ++corrupt_;
    return absl::OkStatus();
  }
  while (av_bsf_receive_packet(audio_->bsf, filtered_) >= 0) {
    const int64_t ts = av_rescale_q(filtered_->pts, time_base, clock);
    emit(kAudioTrack, *filtered_, ts, ts);
    av_packet_unref(filtered_);
  }
  return absl::OkStatus();
}

}  // namespace origin
