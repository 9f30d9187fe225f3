// OpenCV's VideoCapture with the FFmpeg backend reads 60 frames of the right size, over TCP
// and over UDP (OPENCV_FFMPEG_CAPTURE_OPTIONS selects the transport).
#include <stdlib.h>

#include <chrono>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"

namespace rstest {
namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 360;

class OpencvInterop : public SharedClusterTest<OpencvInterop>,
                      public ::testing::WithParamInterface<const char*> {
 public:
  static std::unique_ptr<Cluster> start_cluster(std::string* error) {
    return Cluster::start({.size = "640x360"}, error);
  }
};

TEST_P(OpencvInterop, VideoCaptureReads60FramesOfTheRightSize) {
  // Read by the FFmpeg backend when it opens the URL.
  ASSERT_EQ(setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS",
                   (std::string("rtsp_transport;") + GetParam()).c_str(), 1),
            0);
  const auto start = std::chrono::steady_clock::now();
  cv::VideoCapture capture(
      cluster_->url(), cv::CAP_FFMPEG,
      {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, 10000, cv::CAP_PROP_READ_TIMEOUT_MSEC, 5000});
  ASSERT_TRUE(capture.isOpened()) << "VideoCapture could not open " << cluster_->url()
                                  << cluster_->logs();
  EXPECT_EQ(static_cast<int>(capture.get(cv::CAP_PROP_FRAME_WIDTH)), kWidth);
  EXPECT_EQ(static_cast<int>(capture.get(cv::CAP_PROP_FRAME_HEIGHT)), kHeight);
  cv::Mat frame;
  int frames = 0;
  for (; frames < 60; ++frames) {
    ASSERT_TRUE(capture.read(frame)) << "read failed after " << frames << " frames";
    ASSERT_EQ(frame.cols, kWidth);
    ASSERT_EQ(frame.rows, kHeight);
    ASSERT_EQ(frame.channels(), 3);
  }
  EXPECT_EQ(frames, 60);
  std::printf("opencv %s: 60 frames in %lld ms\n", GetParam(),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - start)
                                         .count()));
  unsetenv("OPENCV_FFMPEG_CAPTURE_OPTIONS");
}

INSTANTIATE_TEST_SUITE_P(Transports, OpencvInterop, ::testing::Values("tcp", "udp"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace rstest
