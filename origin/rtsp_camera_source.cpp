// RtspCameraSource (rtsp_camera_source.hpp).
#include "origin/rtsp_camera_source.hpp"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "base/clock.hpp"
#include "base/strings.hpp"
#include "media/h264.hpp"
#include "media/h265.hpp"
#include "media/sdp.hpp"
#include "origin/av_errors.hpp"
#include "relay/frame_subscriber.hpp"

namespace origin {
namespace {

constexpr int64_t kPollSliceUs = 50'000;

receiver::Lower lower_for(RtspTransport transport) {
  switch (transport) {
    case RtspTransport::Udp:
      return receiver::Lower::Udp;
    case RtspTransport::UdpMulticast:
      return receiver::Lower::Multicast;
    case RtspTransport::Tcp:
    case RtspTransport::Auto:
      break;
  }
  return receiver::Lower::Tcp;
}

bool is_video(media::Codec c) {
  return c == media::Codec::H264 || c == media::Codec::H265;
}

// Width and height from the first SPS the SDP announces (0 when none or unreadable).
void size_from_sps(const media::SdpParameterSets& sets, media::Codec codec, TrackDesc& desc) {
  if (sets.sps.empty()) return;
  const auto& sps = sets.sps.front();
  if (codec == media::Codec::H264) {
    if (auto info = media::h264::parse_sps(sps); info.ok()) {
      desc.width = info->width;
      desc.height = info->height;
    }
  } else if (auto info = media::h265::parse_sps(sps); info.ok()) {
    desc.width = info->width;
    desc.height = info->height;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<receiver::RtspReceiver>> open_camera_receiver(
    const StreamSettings& settings, const std::atomic<bool>& stop) {
  receiver::ReceiverOptions o;
  o.url = settings.source;
  o.lower = lower_for(settings.transport);
  o.open_timeout = settings.read_timeout;
  auto cancelled = [&stop] { return stop.load(); };
  auto opened = receiver::RtspReceiver::open(o, cancelled);
  // RFC 2326 12.39 / 11.3.11: 461 Unsupported Transport; "auto" then tries UDP.
  if (!opened.ok() && settings.transport == RtspTransport::Auto &&
      absl::StrContains(opened.status().message(), "461")) {
    o.lower = receiver::Lower::Udp;
    opened = receiver::RtspReceiver::open(o, cancelled);
  }
  return opened;
}

absl::StatusOr<std::unique_ptr<Source>> RtspCameraSource::open(const StreamSettings& settings,
                                                               const std::atomic<bool>& stop) {
  std::unique_ptr<RtspCameraSource> source(new RtspCameraSource(settings, stop));
  auto opened = open_camera_receiver(settings, stop);
  if (!opened.ok()) {
    if (absl::IsUnimplemented(opened.status())) return opened.status();  // AvSource's turn
    return absl::Status(
        opened.status().code(),
        describe_camera_error(opened.status(), receiver::rtsp_status_of(opened.status()),
                              settings.read_timeout.count()));
  }
  source->receiver_ = *std::move(opened);
  if (auto st = source->describe_tracks(); !st.ok()) return st;
  source->last_media_us_ = base::monotonic_us();
  return std::unique_ptr<Source>(std::move(source));
}

absl::Status RtspCameraSource::describe_tracks() {
  const auto& described = receiver_->session().tracks();
  for (size_t index : receiver_->active_tracks()) {
    const rtsp::ClientTrack& t = described[index];
    if (is_video(t.codec) && !video_) {
      video_ = index;
      TrackDesc desc{
          .track = kVideoTrack, .codec = relay::codec_to_wire(t.codec), .fps = t.media.framerate};
      if (auto sets = media::parameter_sets_of(t.media); sets.ok()) {
        size_from_sps(*sets, t.codec, desc);
        for (const auto* list : {&sets->vps, &sets->sps, &sets->pps}) {
          for (const auto& nal : *list) {
            announced_.insert(announced_.end(), {0, 0, 0, 1});
            announced_.insert(announced_.end(), nal.begin(), nal.end());
          }
        }
      }
      tracks_.insert(tracks_.begin(), desc);
    } else if (!is_video(t.codec) && !audio_) {
      audio_ = index;
      TrackDesc desc{.track = kAudioTrack,
                     .codec = relay::codec_to_wire(t.codec),
                     .clock_rate = t.media.clock_rate,
                     .channels = t.media.channels == 0 ? 1 : t.media.channels};
      if (auto config = t.media.fmtp_value("config")) {
        desc.audio_config = absl::HexStringToBytes(base::av(*config));
      }
      tracks_.push_back(desc);
    }
  }
  if (!video_) {
    return absl::UnimplementedError(
        base::cat(receiver_->session().url(), ": no H.264/H.265 video track to pass through"));
  }
  return absl::OkStatus();
}

void RtspCameraSource::on_unit(receiver::MediaUnit&& unit) {
  const bool video = video_ && unit.track == *video_;
  if (!video && !(audio_ && unit.track == *audio_)) return;
  last_media_us_ = base::monotonic_us();
  SourceUnit out;
  out.track = video ? kVideoTrack : kAudioTrack;
  out.data = std::make_shared<std::vector<uint8_t>>(std::move(unit.data));
  // RTP carries one timestamp: presentation. Cameras send no B-frames over RTSP, so decode
  // order is presentation order.
  out.pts = out.dts = unit.timestamp;
  out.capture_time_us = unit.received_wall_us;
  ready_.push_back(std::move(out));
}

absl::StatusOr<SourceUnit> RtspCameraSource::read() {
  const receiver::RtspReceiver::UnitSink sink = [this](receiver::MediaUnit&& unit) {
    on_unit(std::move(unit));
  };
  while (ready_.empty()) {
    if (stop_.load()) return absl::CancelledError("stopped");
    const int64_t now = base::monotonic_us();
    if (now - last_media_us_ > settings_.read_timeout.count() * 1000) {
      return absl::DeadlineExceededError(base::cat("timeout: no media from the source for ",
                                                   settings_.read_timeout.count(), " ms"));
    }
    if (auto st = receiver_->poll(now + kPollSliceUs, sink); !st.ok()) {
      return absl::UnavailableError(
          describe_camera_error(st, std::nullopt, settings_.read_timeout.count()));
    }
  }
  SourceUnit unit = std::move(ready_.front());
  ready_.pop_front();
  return unit;
}

uint64_t RtspCameraSource::corrupt_skipped() const {
  return receiver_ ? receiver_->stats().errors : 0;
}

}  // namespace origin
