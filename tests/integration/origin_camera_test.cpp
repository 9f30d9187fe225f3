// rtsp-origin against a camera no one here wrote (gst-rtsp-server via python3-gi, serving
// ffmpeg-made clips): pulls over TCP and UDP, H.264 and H.265, with and without AAC; byte-exact
// pass-through; a camera killed for 3 s; a camera answering 404.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "media/h264.hpp"
#include "tests/support/camera_observer.hpp"
#include "tests/support/camera_stand_in.hpp"
#include "tests/support/cluster.hpp"
#include "tests/support/edge_probe.hpp"
#include "tests/support/process.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;

// Sequence numbers +1 each, dts strictly increasing.
void expect_continuous(const std::vector<RecordedFrame>& frames) {
  for (size_t i = 1; i < frames.size(); ++i) {
    ASSERT_EQ(frames[i].sequence, frames[i - 1].sequence + 1) << "at frame " << i;
    ASSERT_GT(frames[i].dts, frames[i - 1].dts) << "at frame " << i;
  }
}

bool has_type(const RecordedFrame& f, std::initializer_list<int> types, bool h265) {
  for (auto nal : media::h264::split_annex_b(f.payload)) {
    const int type = h265 ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
    if (std::find(types.begin(), types.end(), type) != types.end()) return true;
  }
  return false;
}

struct PullCase {
  const char* name;
  const char* video;
  const char* transport;
  bool audio;
  bool byte_exact;
};

class CameraPull : public ::testing::TestWithParam<PullCase> {};

TEST_P(CameraPull, PublishesTheCamerasStream) {
  const PullCase& c = GetParam();
  const CameraMedia& media = camera_media();
  ASSERT_EQ(media.error, "");
  const bool h265 = std::string(c.video) == "h265";
  const std::string file = h265 ? (c.audio ? media.h265_aac_mp4 : media.h265_mp4)
                                : (c.audio ? media.h264_aac_mp4 : media.h264_mp4);
  std::string error;
  auto camera = CameraServer::start({.file = file, .video = c.video, .audio = c.audio}, &error);
  ASSERT_NE(camera, nullptr) << error;
  const std::string endpoint = free_publish_endpoint();
  auto recorder = FrameRecorder::start(endpoint, "cam1", &error);
  ASSERT_NE(recorder, nullptr) << error;
  auto origin = start_origin({"--source=" + camera->url(), "--stream=cam1",
                              std::string("--source_transport=") + c.transport},
                             endpoint, &error);
  ASSERT_NE(origin, nullptr) << error;

  const bool done = recorder->wait_until(
      [&](const Recording& r) {
        size_t video = 0, audio = 0;
        for (const auto& f : r.frames) (f.track == 0 ? video : audio)++;
        return video >= 60 && (!c.audio || audio >= 40);
      },
      milliseconds(20'000));
  ASSERT_TRUE(done) << origin->stderr_tail();
  const Recording r = recorder->snapshot();
  const std::vector<RecordedFrame> video = r.track(0);
  ASSERT_FALSE(video.empty());
  EXPECT_TRUE(video.front().keyframe);
  EXPECT_TRUE(has_type(video.front(),
                       h265 ? std::initializer_list<int>{33} : std::initializer_list<int>{7}, h265))
      << "first frame carries its SPS";
  for (const auto& f : video) {
    ASSERT_EQ(f.codec, h265 ? rs::media::CODEC_H265 : rs::media::CODEC_H264);
  }
  expect_continuous(video);
  ASSERT_FALSE(r.infos.empty());
  const rs::media::StreamInfo& info = r.infos.back();
  EXPECT_EQ(info.state(), rs::media::STREAM_STATE_LIVE);
  EXPECT_EQ(info.source_kind(), "rtsp");
  ASSERT_GE(info.tracks_size(), 1);
  EXPECT_EQ(info.tracks(0).width(), 320u);
  EXPECT_EQ(info.tracks(0).height(), 240u);
  EXPECT_FALSE(info.tracks(0).sps().empty());
  EXPECT_FALSE(info.tracks(0).pps().empty());
  EXPECT_EQ(info.tracks(0).vps().empty(), !h265);
  if (c.audio) {
    ASSERT_EQ(info.tracks_size(), 2);
    EXPECT_EQ(info.tracks(1).codec(), rs::media::CODEC_AAC);
    EXPECT_EQ(info.tracks(1).clock_rate(), 48'000u);
    EXPECT_EQ(info.tracks(1).channels(), 1u);
    EXPECT_FALSE(info.tracks(1).audio_config().empty()) << "AudioSpecificConfig";
    const std::vector<RecordedFrame> audio = r.track(1);
    expect_continuous(audio);
    // 1024 samples per AAC frame at 48 kHz, in the track clock.
    // libavformat maps RTP times through the RTCP sender reports: ±1 tick of rounding.
    EXPECT_NEAR(static_cast<double>(audio[1].pts - audio[0].pts), 1024.0, 2.0);
  } else {
    EXPECT_EQ(info.tracks_size(), 1);
    EXPECT_TRUE(r.track(1).empty());
  }
  if (c.byte_exact) {
    EXPECT_TRUE(contiguous_in_reference(published_nals(video),
                                        read_nal_units(h265 ? media.h265_raw : media.h264_raw)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Origin, CameraPull,
    ::testing::Values(PullCase{"h264_tcp_aac_byte_exact", "h264", "tcp", true, true},
                      PullCase{"h264_udp", "h264", "udp", false, false},
                      PullCase{"h265_tcp_byte_exact", "h265", "tcp", false, true},
                      PullCase{"h265_udp_aac", "h265", "udp", true, false}),
    [](const auto& info) { return std::string(info.param.name); });

// Kill the camera for 3 s and bring it back on the same port.
TEST(CameraOutage, OriginReconnectsAndTheTimelineContinues) {
  const CameraMedia& media = camera_media();
  ASSERT_EQ(media.error, "");
  std::string error;
  CameraServer::Options options{.file = media.h264_mp4};
  auto camera = CameraServer::start(options, &error);
  ASSERT_NE(camera, nullptr) << error;
  options.port = camera->port();
  const std::string endpoint = free_publish_endpoint();
  auto recorder = FrameRecorder::start(endpoint, "cam1", &error);
  ASSERT_NE(recorder, nullptr) << error;
  auto origin = start_origin({"--source=" + camera->url(), "--stream=cam1"}, endpoint, &error);
  ASSERT_NE(origin, nullptr) << error;
  ASSERT_TRUE(recorder->wait_until([](const Recording& r) { return r.track(0).size() >= 40; },
                                   milliseconds(15'000)))
      << origin->stderr_tail();

  camera->process().kill();
  const size_t before = recorder->snapshot().track(0).size();
  std::this_thread::sleep_for(milliseconds(3000));
  camera = CameraServer::start(options, &error);
  ASSERT_NE(camera, nullptr) << error;
  ASSERT_TRUE(recorder->wait_until(
      [&](const Recording& r) { return r.track(0).size() >= before + 40; }, milliseconds(30'000)))
      << origin->stderr_tail();

  const Recording r = recorder->snapshot();
  const std::vector<RecordedFrame> video = r.track(0);
  expect_continuous(video);  // sequence numbers continue; dts never goes back
  // The outage: the largest gap between consecutive frames.
  size_t gap = 1;
  for (size_t i = 1; i < video.size(); ++i) {
    if (video[i].received_us - video[i - 1].received_us >
        video[gap].received_us - video[gap - 1].received_us) {
      gap = i;
    }
  }
  const RecordedFrame& last = video[gap - 1];
  const RecordedFrame& first = video[gap];
  const int64_t outage_us = first.received_us - last.received_us;
  EXPECT_GT(outage_us, 2'500'000) << "the outage should be the longest gap";
  EXPECT_TRUE(first.keyframe) << "first frame after the outage is a keyframe";
  EXPECT_TRUE(has_type(first, {7}, false) && has_type(first, {8}, false)) << "with SPS and PPS";
  const int64_t ts_step_us = (first.dts - last.dts) * 1000 / 90;
  EXPECT_GT(ts_step_us, 0);
  EXPECT_LE(ts_step_us, outage_us + 500'000) << "timestamps jump no further than the outage";
  bool saw_down = false;
  for (const auto& info : r.infos) saw_down |= info.state() == rs::media::STREAM_STATE_DOWN;
  EXPECT_TRUE(saw_down) << "StreamInfo state=DOWN while the camera is away";

  // The reconnect trace: one line per attempt with its reason.
  const std::string log = origin->stderr_text();
  std::istringstream lines(log);
  std::string line;
  int attempts = 0;
  std::cout << "reconnect trace:\n";
  for (std::string l; std::getline(lines, l);) {
    if (l.find("stream cam1:") == std::string::npos) continue;
    std::cout << "  " << l << "\n";
    if (std::regex_search(l, std::regex("attempt [0-9]+ to open .* failed: connection refused"))) {
      ++attempts;
    }
  }
  EXPECT_NE(log.find("source lost: EOF"), std::string::npos) << log;
  EXPECT_GE(attempts, 1) << log;
}

TEST(CameraRefuses, NotFoundPathGetsASpecificLogLine) {
  const CameraMedia& media = camera_media();
  ASSERT_EQ(media.error, "");
  std::string error;
  auto camera = CameraServer::start({.file = media.h264_mp4}, &error);
  ASSERT_NE(camera, nullptr) << error;
  auto origin = start_origin({"--source=" + camera->url() + "/nope", "--stream=cam1"},
                             free_publish_endpoint(), &error);
  ASSERT_NE(origin, nullptr) << error;
  EXPECT_TRUE(origin->wait_for_stderr_line(
      std::regex("stream cam1: attempt 1 to open .* failed: 404 not found"), milliseconds(10'000)))
      << origin->stderr_tail();
  EXPECT_TRUE(origin->wait_for_stderr_line(std::regex("attempt 2 to open .* failed: 404"),
                                           milliseconds(10'000)))
      << origin->stderr_tail();
}

// Our own edge as the camera, with viewer authentication: the origin's RTSP client answers the
// edge's Digest challenge (SHA-256, the strongest offered) and relays the stream; a wrong password
// is one specific log line per attempt.
TEST(CameraIsOurEdge, OriginPullsThroughDigest) {
  const std::string file = temp_dir() + "/auth.conf";
  std::ofstream(file) << "user alice s3cret\nstream cam1 alice\n";
  std::string error;
  auto edge = Cluster::start({.size = "320x180",
                              .bitrate = "300k",
                              .edge_args = {"--auth_file=" + file},
                              .wait_for_stream = false},
                             &error);
  ASSERT_NE(edge, nullptr) << error;
  const std::string url = "127.0.0.1:" + std::to_string(edge->rtsp_port()) + "/cam1";
  const std::string endpoint = free_publish_endpoint();
  auto recorder = FrameRecorder::start(endpoint, "relay", &error);
  ASSERT_NE(recorder, nullptr) << error;
  auto origin = start_origin({"--source=rtsp://alice:s3cret@" + url, "--stream=relay",
                              "--reconnect_initial=200ms", "--reconnect_max=500ms"},
                             endpoint, &error);
  ASSERT_NE(origin, nullptr) << error;
  EXPECT_TRUE(recorder->wait_until(
      [](const Recording& r) {
        return r.track(0).size() >= 30 &&
               std::any_of(r.frames.begin(), r.frames.end(), [](auto& f) { return f.keyframe; });
      },
      milliseconds(15'000)))
      << origin->stderr_tail() << edge->logs();

  auto wrong = start_origin({"--source=rtsp://alice:guess@" + url, "--stream=wrong"},
                            free_publish_endpoint(), &error);
  ASSERT_NE(wrong, nullptr) << error;
  EXPECT_TRUE(wrong->wait_for_stderr_line(
      std::regex("attempt 1 to open .* failed: 401 unauthorized"), milliseconds(10'000)))
      << wrong->stderr_tail();
}

}  // namespace
}  // namespace rstest
