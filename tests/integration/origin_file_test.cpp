// rtsp-origin with file sources: MP4 samples published as Annex-B byte for byte, --loop with a
// timeline that keeps increasing across loop points, and corrupt input skipped and counted.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "media/h264.hpp"
#include "tests/support/camera_observer.hpp"
#include "tests/support/camera_stand_in.hpp"
#include "tests/support/process.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;
constexpr int64_t kFrameTicks = 90'000 / 25;

// A FrameRecorder subscribed to `stream` on a free endpoint, then an origin publishing there.
struct RecordedOrigin {
  std::unique_ptr<FrameRecorder> recorder;
  std::unique_ptr<Process> origin;
  std::string error;  // why one of them did not start
};
RecordedOrigin start_recorded_origin(const std::string& stream, std::vector<std::string> args) {
  RecordedOrigin r;
  const std::string endpoint = free_publish_endpoint();
  r.recorder = FrameRecorder::start(endpoint, stream, &r.error);
  if (r.recorder == nullptr) return r;
  args.push_back("--stream=" + stream);
  r.origin = start_origin(std::move(args), endpoint, &r.error);
  return r;
}

TEST(FileSource, Mp4PassThroughPublishesTheFilesNalUnits) {
  const CameraMedia& media = camera_media();
  ASSERT_EQ(media.error, "");
  auto [recorder, origin, error] =
      start_recorded_origin("clip", {"--source=file://" + media.h264_mp4});
  ASSERT_NE(origin, nullptr) << error;
  ASSERT_TRUE(recorder->wait_until([](const Recording& r) { return r.frames.size() >= 40; },
                                   milliseconds(10'000)))
      << origin->stderr_tail();
  // The recorder may join a few frames late (ZeroMQ subscriptions take a moment): from the
  // first NAL unit it got, every one must equal the file's, in order, without gaps.
  EXPECT_TRUE(contiguous_in_reference(published_nals(recorder->snapshot().frames),
                                      read_nal_units(media.h264_raw)));
}

TEST(FileSource, LoopTimestampsStrictlyIncreaseAcrossThreeLoopPoints) {
  const CameraMedia& media = camera_media();
  ASSERT_EQ(media.error, "");
  auto [recorder, origin, error] =
      start_recorded_origin("loop", {"--source=" + media.loop_1s_aac_mp4, "--loop"});
  ASSERT_NE(origin, nullptr) << error;
  // 25 frames per loop: three loop points are passed after 75 frames.
  ASSERT_TRUE(recorder->wait_until([](const Recording& r) { return r.track(0).size() >= 90; },
                                   milliseconds(15'000)))
      << origin->stderr_tail();
  const Recording r = recorder->snapshot();
  const std::vector<RecordedFrame> video = r.track(0);
  int keyframes = 0;
  for (size_t i = 0; i < video.size(); ++i) {
    keyframes += video[i].keyframe ? 1 : 0;
    if (i == 0) continue;
    ASSERT_EQ(video[i].sequence, video[i - 1].sequence + 1) << i;
    ASSERT_GT(video[i].pts, video[i - 1].pts) << "pts at frame " << i;
    ASSERT_GT(video[i].dts, video[i - 1].dts) << "dts at frame " << i;
    // Across a loop point the timeline steps by one frame, like anywhere else.
    EXPECT_LE(video[i].dts - video[i - 1].dts, 2 * kFrameTicks) << "frame " << i;
  }
  EXPECT_GE(keyframes, 3) << "each loop starts with a keyframe";
  const std::vector<RecordedFrame> audio = r.track(1);
  ASSERT_GE(audio.size(), 100u) << "AAC is published as track 1";
  for (size_t i = 1; i < audio.size(); ++i) {
    ASSERT_GT(audio[i].pts, audio[i - 1].pts) << "audio pts at " << i;
    ASSERT_EQ(audio[i].codec, rs::media::CODEC_AAC);
  }
  // Paced in real time: 90 frames at 25 fps take about 3.6 s.
  const double seconds =
      static_cast<double>(video.back().received_us - video.front().received_us) / 1e6;
  EXPECT_GT(seconds, 3.0);
}

// Garbage written over the middle of an MPEG-TS file and its tail cut off: the origin skips what
// it cannot use, counts it, and goes on publishing.
TEST(FileSource, CorruptInputIsSkippedAndCounted) {
  const CameraMedia& media = camera_media();
  ASSERT_EQ(media.error, "");
  const std::string ts = media.dir + "/corrupt.ts";
  ASSERT_EQ(run_ffmpeg({"-i", media.h264_mp4, "-t", "4", "-c", "copy", "-f", "mpegts", ts}), "");
  {
    std::fstream f(ts, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const auto size = static_cast<int64_t>(f.tellg());
    for (int64_t at = size / 4; at < size / 2; at += 20'000) {
      f.seekp(at);
      for (int i = 0; i < 700; ++i) f.put(static_cast<char>((i * 37) & 0xff));
    }
    f.close();
    std::filesystem::resize_file(ts, static_cast<uintmax_t>(size * 9 / 10 + 77));
  }
  auto [recorder, origin, error] = start_recorded_origin("bad", {"--source=" + ts});
  ASSERT_NE(origin, nullptr) << error;
  // Played once: the origin finishes the file and exits 0 without crashing.
  auto status = origin->wait(milliseconds(15'000));
  ASSERT_TRUE(status.has_value()) << origin->stderr_tail();
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe() << origin->stderr_tail();
  const std::string log = origin->stderr_text();
  EXPECT_TRUE(std::regex_search(log, std::regex("skipped [1-9][0-9]* corrupt packets"))) << log;
  EXPECT_NE(log.find("end of file; stream finished"), std::string::npos) << log;
  const Recording r = recorder->snapshot();
  const std::vector<RecordedFrame> video = r.track(0);
  EXPECT_GE(video.size(), 60u) << "frames after the damage are published too";
  for (size_t i = 1; i < video.size(); ++i) ASSERT_GT(video[i].dts, video[i - 1].dts);
}

// Live network sources libavformat reads (RTMP, SRT, HLS, UDP/TCP MPEG-TS) are opened rather
// than refused: here an encoder sends MPEG-TS over UDP to the origin (ffmpeg -f mpegts udp://).
TEST(NetworkSource, MpegTsOverUdpIsPublished) {
  const CameraMedia& media = camera_media();
  ASSERT_EQ(media.error, "");
  std::string error;
  const std::string endpoint = free_publish_endpoint();
  auto recorder = FrameRecorder::start(endpoint, "net", &error);
  ASSERT_NE(recorder, nullptr) << error;
  const std::string udp = "udp://127.0.0.1:" + std::to_string(free_tcp_port());
  auto origin = Process::start({.argv = {bin_path("rtsp-origin"), "--source=" + udp, "--stream=net",
                                         "--publish=" + endpoint},
                                .name = "origin"},
                               &error);
  ASSERT_NE(origin, nullptr) << error;
  auto sender = Process::start(
      {.argv = {"/usr/bin/ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", media.h264_mp4,
                "-an", "-c", "copy", "-f", "mpegts", udp + "?pkt_size=1316"},
       .name = "ffmpeg"},
      &error);
  ASSERT_NE(sender, nullptr) << error;
  ASSERT_TRUE(recorder->wait_until([](const Recording& r) { return r.frames.size() >= 30; },
                                   milliseconds(15'000)))
      << origin->stderr_tail() << sender->stderr_tail();
  const Recording r = recorder->snapshot();
  bool keyframe = false;
  for (const RecordedFrame& f : r.frames) {
    EXPECT_EQ(f.codec, rs::media::CODEC_H264);
    keyframe = keyframe || f.keyframe;
  }
  EXPECT_TRUE(keyframe);
  ASSERT_FALSE(r.infos.empty());
  EXPECT_EQ(r.infos.back().source_kind(), "udp");
  EXPECT_EQ(r.infos.back().tracks(0).width(), 320u);
}

}  // namespace
}  // namespace rstest
