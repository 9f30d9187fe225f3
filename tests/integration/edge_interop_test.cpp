// Interop of the edge with players no one here wrote: ffprobe and GStreamer rtspsrc over TCP
// and UDP, with H.265 and H.264 video and AAC audio passed through from an MP4 file the origin
// loops (clips made at test time with ffmpeg).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/edge_probe.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;

// Frames ffprobe read of the stream of `type` in csv "codec,type,frames" lines; -1 if absent.
int frames_of(const std::string& csv, const std::string& codec, const std::string& type) {
  const std::string prefix = codec + "," + type + ",";
  const size_t at = csv.find(prefix);
  if (at == std::string::npos) return -1;
  return std::atoi(csv.c_str() + at + prefix.size());
}

ToolResult probe(const std::string& url, const std::string& transport) {
  return ffprobe({"-rtsp_transport", transport, "-read_intervals", "%+2", "-count_frames",
                  "-show_entries", "stream=codec_name,codec_type,nb_read_frames", "-of", "csv=p=0",
                  url});
}

// gst-launch-1.0 playing `url` with rtspsrc over `protocols`: its video pad through `video`
// (elements joined by '!'), its AAC audio pad depayloaded and parsed, each into a fakesink that
// stops after 30 buffers.
GstPlayback gst_play_video_and_aac(const std::string& url, const std::string& protocols,
                                   const std::vector<std::string>& video) {
  std::vector<std::string> args = {"rtspsrc", "location=" + url, "protocols=" + protocols,
                                   "name=s"};
  const auto branch = [&](const std::string& caps, const std::vector<std::string>& elements) {
    args.insert(args.end(), {"s.", "!", caps});
    for (const std::string& e : elements) args.insert(args.end(), {"!", e});
    args.insert(args.end(), {"!", "fakesink", "num-buffers=30"});
  };
  branch("application/x-rtp,media=video", video);
  branch("application/x-rtp,media=audio", {"rtpmp4gdepay", "aacparse"});
  return gst_play(args, milliseconds(20'000));
}

// An edge relaying an origin that loops a 4 s clip of `kVideo` + AAC (made once per suite).
template <const char* kVideo>
class EdgeInteropTest : public SharedClusterTest<EdgeInteropTest<kVideo>> {
 public:
  static std::unique_ptr<Cluster> start_cluster(std::string* error) {
    const std::string clip = temp_dir() + "/" + kVideo + "_aac.mp4";
    if (std::string e = make_clip(clip, kVideo, /*audio=*/true, /*seconds=*/4); !e.empty()) {
      *error = e;
      return nullptr;
    }
    return Cluster::start({.source = clip, .origin_args = {"--loop"}}, error);
  }

 protected:
  std::string url() const { return this->cluster_->url(); }
};
constexpr char kH264[] = "h264";
constexpr char kH265[] = "h265";
using EdgeH265AudioTest = EdgeInteropTest<kH265>;
using EdgeH264AudioTest = EdgeInteropTest<kH264>;

TEST_F(EdgeH265AudioTest, SdpDescribesH265VideoAndMpeg4GenericAudio) {
  RtspTestClient client(url());
  ASSERT_TRUE(client.connect().ok());
  auto r = client.describe();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->status, 200);
  const std::string& sdp = r->body;
  const size_t video = sdp.find("m=video");
  const size_t audio = sdp.find("m=audio");
  ASSERT_NE(video, std::string::npos) << sdp;
  ASSERT_NE(audio, std::string::npos) << "no second m= line for the audio track:\n" << sdp;
  EXPECT_NE(sdp.find("H265/90000"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("mpeg4-generic/48000"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("sprop-vps="), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("sprop-sps="), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("sprop-pps="), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("mode=AAC-hbr"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("config="), std::string::npos) << sdp;
  // Each media section has its own control URL.
  EXPECT_NE(sdp.find("a=control:", video), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("a=control:", audio), std::string::npos) << sdp;
}

// ffprobe over `transport` decodes at least 10 frames of `video` ("hevc", "h264") and of AAC.
void expect_ffprobe_decodes_video_and_aac(const std::string& url, const char* transport,
                                          const char* video) {
  auto r = probe(url, transport);
  ASSERT_TRUE(r.ok) << r.describe();
  EXPECT_GE(frames_of(r.out, video, "video"), 10) << r.out;
  EXPECT_GE(frames_of(r.out, "aac", "audio"), 10) << r.out;
}

TEST_F(EdgeH265AudioTest, FfprobeOverTcpDecodesHevcAndAac) {
  expect_ffprobe_decodes_video_and_aac(url(), "tcp", "hevc");
}

TEST_F(EdgeH265AudioTest, FfprobeOverUdpDecodesHevcAndAac) {
  expect_ffprobe_decodes_video_and_aac(url(), "udp", "hevc");
}

TEST_F(EdgeH265AudioTest, GstreamerRtspsrcPlaysHevcAndAacOverTcp) {
  EXPECT_TRUE(gst_play_video_and_aac(url(), "tcp", {"rtph265depay", "h265parse"}).played());
}

TEST_F(EdgeH264AudioTest, FfprobeOverUdpDecodesH264AndAac) {
  expect_ffprobe_decodes_video_and_aac(url(), "udp", "h264");
}

TEST_F(EdgeH264AudioTest, GstreamerRtspsrcPlaysH264AndAacOverUdp) {
  EXPECT_TRUE(
      gst_play_video_and_aac(url(), "udp", {"rtph264depay", "h264parse", "avdec_h264"}).played());
}

}  // namespace
}  // namespace rstest
