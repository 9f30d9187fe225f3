// OpenCV camera source; see webcam_source.hpp.
#include "origin/webcam_source.hpp"

#include <opencv2/imgproc.hpp>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"

namespace origin {

absl::StatusOr<std::unique_ptr<Source>> WebcamSource::open(const StreamSettings& settings,
                                                           const std::atomic<bool>& /*stop*/) {
  auto capture = std::make_unique<cv::VideoCapture>();
  const SourceUrl& url = settings.source_url;
  const bool opened = url.location.empty() ? capture->open(url.webcam_index)
                                           : capture->open(url.location, cv::CAP_V4L2);
  if (!opened) {
    return absl::UnavailableError(
        base::cat("webcam ", settings.source, " did not open (no such ", "device, or it is busy)"));
  }
  capture->set(cv::CAP_PROP_FRAME_WIDTH, settings.encoder.width);
  capture->set(cv::CAP_PROP_FRAME_HEIGHT, settings.encoder.height);
  capture->set(cv::CAP_PROP_FPS, settings.encoder.fps);
  return open_capture(settings, std::move(capture));
}

absl::StatusOr<std::unique_ptr<Source>> WebcamSource::open_capture(
    const StreamSettings& settings, std::unique_ptr<cv::VideoCapture> capture) {
  if (capture == nullptr || !capture->isOpened()) {
    return absl::UnavailableError(base::cat("webcam ", settings.source, " is not open"));
  }
  StreamSettings encoding = settings;
  encoding.encoder.clock_rate = static_cast<int>(kVideoClockRate);
  auto encoder = H264Encoder::create(encoding.encoder);
  if (!encoder.ok()) return encoder.status();
  return std::unique_ptr<Source>(
      new WebcamSource(encoding, std::move(capture), std::move(encoder).value()));
}

WebcamSource::WebcamSource(const StreamSettings& settings,
                           std::unique_ptr<cv::VideoCapture> capture,
                           std::unique_ptr<H264Encoder> encoder)
    : settings_(settings),
      capture_(std::move(capture)),
      encoder_(std::move(encoder)),
      start_us_(base::monotonic_us()) {}

std::vector<TrackDesc> WebcamSource::tracks() const {
  return {encoded_video_track(settings_.encoder)};
}

absl::StatusOr<SourceUnit> WebcamSource::read() {
  while (ready_.empty()) {
    if (!capture_->read(image_) || image_.empty()) {
      return absl::UnavailableError("EOF: the webcam delivered no frame (unplugged or busy)");
    }
    const int64_t capture_us = base::wall_clock_us();
    const int64_t elapsed_us = base::monotonic_us() - start_us_;
    const int64_t pts = std::max(last_pts_ + 1, elapsed_us * int64_t{kVideoClockRate} / 1'000'000);
    last_pts_ = pts;
    const cv::Mat* bgr = &image_;
    if (image_.cols != settings_.encoder.width || image_.rows != settings_.encoder.height ||
        image_.type() != CV_8UC3) {
      cv::Mat converted = image_;
      if (image_.type() == CV_8UC1) cv::cvtColor(image_, converted, cv::COLOR_GRAY2BGR);
      cv::resize(converted, scaled_, cv::Size(settings_.encoder.width, settings_.encoder.height));
      bgr = &scaled_;
    }
    auto units = encoder_->encode(*bgr, pts);
    if (!units.ok()) return units.status();
    for (EncodedUnit& encoded : *units) {
      ready_.push_back(
          SourceUnit{.track = kVideoTrack,
                     .data = std::make_shared<std::vector<uint8_t>>(std::move(encoded.annex_b)),
                     .pts = encoded.pts,
                     .dts = encoded.pts,
                     .capture_time_us = capture_us,
                     .encoded_here = true,
                     .encode_us = encoded.encode_us});
    }
  }
  SourceUnit unit = std::move(ready_.front());
  ready_.pop_front();
  return unit;
}

}  // namespace origin
