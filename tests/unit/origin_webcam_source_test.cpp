// WebcamSource (origin/webcam_source.hpp) driven through OpenCV's VideoCapture reading a file:
// no camera device exists on the build machines, so this exercises the same capture → encode path
// with CAP_FFMPEG instead of CAP_V4L2. The clip is made with ffmpeg at test time.
#include "origin/webcam_source.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <string>

#include "media/h264.hpp"
#include "media/sei.hpp"
#include "tests/support/temp_dir.hpp"

namespace origin {
namespace {

TEST(WebcamSource, CapturesScalesAndEncodesOnce) {
  const rstest::TempDir dir("webcam");
  ASSERT_FALSE(dir.path().empty());
  const std::string clip = dir.path() + "/cam.mp4";
  const std::string make =
      "/usr/bin/ffmpeg -hide_banner -loglevel error -y -f lavfi -i "
      "testsrc2=size=640x480:rate=30 -t 1 -c:v mjpeg " +
      clip;
  ASSERT_EQ(std::system(make.c_str()), 0);

  StreamSettings settings;
  settings.source = "webcam:0";
  settings.source_url.kind = SourceKind::Webcam;
  settings.encoder = EncoderConfig{.width = 320, .height = 240, .fps = 30, .gop_frames = 10};
  auto capture = std::make_unique<cv::VideoCapture>(clip, cv::CAP_FFMPEG);
  auto source = WebcamSource::open_capture(settings, std::move(capture));
  ASSERT_TRUE(source.ok()) << source.status();
  int frames = 0;
  int64_t last_pts = -1;
  while (true) {
    auto unit = (*source)->read();
    if (!unit.ok()) {
      EXPECT_TRUE(std::string(unit.status().message()).starts_with("EOF")) << unit.status();
      break;
    }
    EXPECT_TRUE(unit->encoded_here);
    EXPECT_GT(unit->pts, last_pts);
    last_pts = unit->pts;
    bool sps = false;
    for (auto nal : media::h264::split_annex_b(*unit->data)) sps |= media::h264::nal_type(nal) == 7;
    if (frames % 10 == 0) {
      EXPECT_TRUE(sps) << "keyframe " << frames << " carries SPS";
    }
    if (frames == 0) {
      for (auto nal : media::h264::split_annex_b(*unit->data)) {
        if (media::h264::nal_type(nal) != 7) continue;
        auto info = media::h264::parse_sps(nal);
        ASSERT_TRUE(info.ok());
        EXPECT_EQ(info->width, 320u) << "scaled to the configured size";
        EXPECT_EQ(info->height, 240u);
      }
    }
    ++frames;
  }
  EXPECT_EQ(frames, 30);
  const auto tracks = (*source)->tracks();
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].codec, rs::media::CODEC_H264);
}

}  // namespace
}  // namespace origin
