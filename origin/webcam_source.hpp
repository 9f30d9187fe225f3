// WebcamSource: a local camera through OpenCV's VideoCapture (webcam:N, v4l2:///dev/videoN),
// encoded once with the stream's H.264 encoder. Timestamps come from the monotonic clock at
// capture. Tests drive the same class with a video file (open_capture with a path and
// cv::CAP_FFMPEG), as no camera device exists on the build machines.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <string>

#include <opencv2/videoio.hpp>

#include "origin/source.hpp"

namespace origin {

class WebcamSource final : public Source {
 public:
  // webcam:N → VideoCapture(N); v4l2:///dev/videoN → VideoCapture(path, CAP_V4L2).
  static absl::StatusOr<std::unique_ptr<Source>> open(const StreamSettings& settings,
                                                      const std::atomic<bool>& stop);
  // The capture is opened by the caller (tests: a file through CAP_FFMPEG).
  static absl::StatusOr<std::unique_ptr<Source>> open_capture(
      const StreamSettings& settings, std::unique_ptr<cv::VideoCapture> capture);

  absl::StatusOr<SourceUnit> read() override;
  std::vector<TrackDesc> tracks() const override;

 private:
  WebcamSource(const StreamSettings& settings, std::unique_ptr<cv::VideoCapture> capture,
               std::unique_ptr<H264Encoder> encoder);

  StreamSettings settings_;
  std::unique_ptr<cv::VideoCapture> capture_;
  std::unique_ptr<H264Encoder> encoder_;
  cv::Mat image_;
  cv::Mat scaled_;
  int64_t start_us_ = 0;
  int64_t last_pts_ = -1;
  std::deque<SourceUnit> ready_;
};

}  // namespace origin
