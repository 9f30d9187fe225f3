// RtspCameraSource (rtsp_camera_source.hpp).
#include "origin/rtsp_camera_source.hpp"

#include <deque>
#include <optional>

#include "absl/strings/match.h"
#include "base/clock.hpp"
#include "base/strings.hpp"
#include "media/sdp.hpp"
#include "origin/av_errors.hpp"
#include "origin/sdp_tracks.hpp"

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

class RtspCameraSource final : public Source {
 public:
  // Connects and plays. Errors: Unimplemented when the camera has no H.264/H.265 video (use
  // AvSource), otherwise the camera's answer or the network error, in words.
  static absl::StatusOr<std::unique_ptr<Source>> open(const StreamSettings& settings,
                                                      const std::atomic<bool>& stop);

  absl::StatusOr<SourceUnit> read() override;
  std::vector<TrackDesc> tracks() const override { return tracks_; }
  uint64_t corrupt_skipped() const override;
  std::vector<uint8_t> announced_parameter_sets() const override { return announced_; }

 private:
  RtspCameraSource(const StreamSettings& settings, const std::atomic<bool>& stop)
      : settings_(settings), stop_(stop) {}
  absl::Status describe_tracks();
  void on_unit(receiver::MediaUnit&& unit);

  StreamSettings settings_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<receiver::RtspReceiver> receiver_;
  std::vector<TrackDesc> tracks_;
  std::optional<size_t> video_;  // session track index of our track 0
  std::optional<size_t> audio_;  // ... of our track 1
  std::vector<uint8_t> announced_;
  std::deque<SourceUnit> ready_;
  int64_t last_media_us_ = 0;
};

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
  std::vector<std::pair<size_t, const media::SdpMedia*>> media;
  for (size_t index : receiver_->active_tracks())
    media.emplace_back(index, &described[index].media);
  SdpTracks mapped = map_sdp_tracks(media);
  if (!mapped.video) {
    return absl::UnimplementedError(
        base::cat(receiver_->session().url(), ": no H.264/H.265 video track to pass through"));
  }
  tracks_ = std::move(mapped.tracks);
  video_ = mapped.video;
  audio_ = mapped.audio;
  announced_ = std::move(mapped.announced);
  return absl::OkStatus();
}

void RtspCameraSource::on_unit(receiver::MediaUnit&& unit) {
  const bool video = video_ && unit.track == *video_;
  if (!video && !(audio_ && unit.track == *audio_)) return;
  last_media_us_ = base::monotonic_us();
  // Cameras send no B-frames over RTSP, so decode order is presentation order.
  ready_.push_back(source_unit_of(std::move(unit), video ? kVideoTrack : kAudioTrack));
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

absl::StatusOr<std::unique_ptr<Source>> open_rtsp_camera_source(const StreamSettings& settings,
                                                                const std::atomic<bool>& stop) {
  return RtspCameraSource::open(settings, stop);
}

}  // namespace origin
