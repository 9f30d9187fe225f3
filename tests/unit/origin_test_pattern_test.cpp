// The built-in test pattern (origin/test_pattern.hpp): it moves and shows its text.
#include "origin/test_pattern.hpp"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace origin {
namespace {

constexpr int64_t kWallUs = 1'790'000'000'123'456;  // a fixed wall-clock time

TEST(TestPattern, RendersRequestedSizeAsBgr) {
  TestPattern pattern(320, 240);
  const cv::Mat& frame = pattern.render(0, kWallUs);
  EXPECT_EQ(frame.cols, 320);
  EXPECT_EQ(frame.rows, 240);
  EXPECT_EQ(frame.type(), CV_8UC3);
}

TEST(TestPattern, ConsecutiveFramesDifferOutsideTheText) {
  TestPattern pattern(640, 360);
  const cv::Mat first = pattern.render(0, kWallUs).clone();
  const cv::Mat second = pattern.render(1, kWallUs).clone();
  cv::Mat below_text = cv::Mat::ones(first.size(), CV_8U);
  below_text(pattern.text_region()).setTo(0);
  cv::Mat diff;
  cv::absdiff(first, second, diff);
  cv::Mat gray;
  cv::cvtColor(diff, gray, cv::COLOR_BGR2GRAY);
  gray.setTo(0, below_text == 0);
  EXPECT_GT(cv::countNonZero(gray), 100);  // the ball and the bar moved
}

TEST(TestPattern, SameArgumentsGiveSameImage) {
  TestPattern pattern(320, 240);
  const cv::Mat first = pattern.render(42, kWallUs).clone();
  const cv::Mat again = pattern.render(42, kWallUs);
  EXPECT_EQ(cv::norm(first, again, cv::NORM_INF), 0.0);
}

TEST(TestPattern, TextRegionHoldsText) {
  for (cv::Size size : {cv::Size(320, 240), cv::Size(1280, 720)}) {
    SCOPED_TRACE(size.width);
    TestPattern pattern(size.width, size.height);
    const cv::Mat& frame = pattern.render(7, kWallUs);
    const cv::Rect box = pattern.text_region();
    ASSERT_GT(box.area(), 0);
    cv::Mat gray;
    cv::cvtColor(frame(box), gray, cv::COLOR_BGR2GRAY);
    const int bright = cv::countNonZero(gray > 128);
    EXPECT_GT(bright, box.area() / 200);  // glyphs are there
    EXPECT_LT(bright, box.area() / 2);    // on a dark backdrop
  }
}

TEST(TestPattern, TimeChangesTheText) {
  TestPattern pattern(320, 240);
  const cv::Rect box = pattern.text_region();
  const cv::Mat a = pattern.render(5, kWallUs)(box).clone();
  const cv::Mat b = pattern.render(5, kWallUs + 1000)(box).clone();
  EXPECT_GT(cv::norm(a, b, cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace origin
