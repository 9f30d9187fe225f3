// The built-in test pattern: colour bars, a moving bar and a bouncing ball, with the wall-clock
// time (UTC, milliseconds) and the frame counter burned in, so latency and motion are visible.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

namespace origin {

class TestPattern {
 public:
  // Precondition: width and height are even and at least 16.
  TestPattern(int width, int height);

  // Draws frame `frame_index` at wall-clock time `wall_us` (microseconds since the Unix epoch)
  // and returns the BGR image, valid until the next call. Deterministic in its arguments.
  const cv::Mat& render(int64_t frame_index, int64_t wall_us);

  // The box holding the burned-in text (time and frame counter).
  cv::Rect text_region() const { return text_box_; }

 private:
  void draw_moving_bar(int64_t frame_index);
  void draw_ball(int64_t frame_index);
  void draw_text(int64_t frame_index, int64_t wall_us);

  cv::Mat background_;  // colour bars, drawn once
  cv::Mat frame_;
  cv::Rect text_box_;
  double font_scale_ = 1.0;
  int font_thickness_ = 1;
};

}  // namespace origin
