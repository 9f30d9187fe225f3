// Test pattern drawing with OpenCV; see test_pattern.hpp.
#include "origin/test_pattern.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <ctime>
#include <string>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"

namespace origin {
namespace {

// SMPTE-like 75% colour bars, BGR: white, yellow, cyan, green, magenta, red, blue.
const std::array<cv::Scalar, 7> kBars = {cv::Scalar(191, 191, 191), cv::Scalar(0, 191, 191),
                                         cv::Scalar(191, 191, 0),   cv::Scalar(0, 191, 0),
                                         cv::Scalar(191, 0, 191),   cv::Scalar(0, 0, 191),
                                         cv::Scalar(191, 0, 0)};

// Pixels per frame of the moving shapes at the reference width of 1280.
constexpr int kBarSpeed = 8;
constexpr int kBallSpeedX = 11;
constexpr int kBallSpeedY = 7;

// Position bouncing between 0 and `range` (inclusive) moving `speed` per step.
int bounce(int64_t step, int speed, int range) {
  if (range <= 0) return 0;
  const int64_t period = 2 * static_cast<int64_t>(range);
  const int64_t p = (step * speed) % period;
  return static_cast<int>(p <= range ? p : period - p);
}

// "2026-11-30 09:30:00.123 UTC"
std::string format_utc(int64_t wall_us) {
  const int64_t ms = wall_us / 1000;
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d.%03d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

}  // namespace

TestPattern::TestPattern(int width, int height)
    : background_(height, width, CV_8UC3), frame_(height, width, CV_8UC3) {
  const int n = static_cast<int>(kBars.size());
  for (int i = 0; i < n; ++i) {
    const int x0 = width * i / n;
    const int x1 = width * (i + 1) / n;
    background_(cv::Rect(x0, 0, x1 - x0, height)).setTo(kBars[i]);
  }
  // Bottom strip: a grey ramp, which shows banding and range problems at a glance.
  const int ramp_top = height * 3 / 4;
  for (int x = 0; x < width; ++x) {
    const auto level = static_cast<uint8_t>(255 * x / std::max(1, width - 1));
    background_(cv::Rect(x, ramp_top, 1, height - ramp_top)).setTo(cv::Scalar::all(level));
  }
  font_scale_ = std::max(0.3, height / 720.0);
  font_thickness_ = std::max(1, height / 360);
  const int text_height = static_cast<int>(80 * font_scale_) + 4;
  text_box_ = cv::Rect(0, 0, width, std::min(height, text_height));
}

const cv::Mat& TestPattern::render(int64_t frame_index, int64_t wall_us) {
  background_.copyTo(frame_);
  draw_moving_bar(frame_index);
  draw_ball(frame_index);
  draw_text(frame_index, wall_us);
  return frame_;
}

void TestPattern::draw_moving_bar(int64_t frame_index) {
  const int bar_width = std::max(4, frame_.cols / 40);
  const int speed = std::max(1, kBarSpeed * frame_.cols / 1280);
  const int x = static_cast<int>((frame_index * speed) % (frame_.cols + bar_width)) - bar_width;
  const cv::Rect bar =
      cv::Rect(x, 0, bar_width, frame_.rows) & cv::Rect(0, 0, frame_.cols, frame_.rows);
  if (bar.area() > 0) frame_(bar).setTo(cv::Scalar(255, 255, 255));
}

void TestPattern::draw_ball(int64_t frame_index) {
  const int radius = std::max(4, frame_.rows / 12);
  const int scale = std::max(1, frame_.cols / 1280);
  const int x = radius + bounce(frame_index, kBallSpeedX * scale, frame_.cols - 2 * radius);
  const int y = radius + bounce(frame_index, kBallSpeedY * scale, frame_.rows - 2 * radius);
  const int hue = static_cast<int>(frame_index % 180);
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue, 255, 255));
  cv::Mat bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
  cv::circle(frame_, cv::Point(x, y), radius, cv::Scalar(c[0], c[1], c[2]), cv::FILLED,
             cv::LINE_AA);
  cv::circle(frame_, cv::Point(x, y), radius, cv::Scalar(0, 0, 0), font_thickness_, cv::LINE_AA);
}

void TestPattern::draw_text(int64_t frame_index, int64_t wall_us) {
  frame_(text_box_).setTo(cv::Scalar(0, 0, 0));
  const int line = text_box_.height / 2;
  const auto font = cv::FONT_HERSHEY_SIMPLEX;
  const cv::Scalar white(255, 255, 255);
  cv::putText(frame_, format_utc(wall_us), cv::Point(8, line - 6), font, font_scale_, white,
              font_thickness_, cv::LINE_AA);
  cv::putText(frame_, absl::StrFormat("frame %d", frame_index), cv::Point(8, 2 * line - 8), font,
              font_scale_, white, font_thickness_, cv::LINE_AA);
}

}  // namespace origin
