// UDP multicast from the edge. Players join a group on the interface the routing table picks,
// so the binary moves itself into a private network namespace (it runs as root here) where the
// loopback interface carries multicast (`ip link set lo multicast on`, a 224.0.0.0/4 route on
// lo); every process it starts inherits it. Without that (not root), the ffprobe/GStreamer
// cases are skipped and the rest runs with a receiver joined explicitly on 127.0.0.1.
#include <sched.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/edge_probe.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;

bool g_private_net = false;
std::string g_net_error;

class PrivateNetwork : public ::testing::Environment {
 public:
  void SetUp() override {
    // Runs on the main thread before any test starts a thread or a process.
    if (unshare(CLONE_NEWNET) != 0) {
      g_net_error = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    for (const auto& cmd :
         {std::vector<std::string>{"/usr/sbin/ip", "link", "set", "lo", "up"},
          std::vector<std::string>{"/usr/sbin/ip", "link", "set", "lo", "multicast", "on"},
          std::vector<std::string>{"/usr/sbin/ip", "route", "add", "224.0.0.0/4", "dev", "lo"}}) {
      auto r = run_tool(cmd, milliseconds(5000));
      if (!r.ok) {
        g_net_error = "ip: " + r.describe();
        return;
      }
    }
    g_private_net = true;
  }
};
const auto* const g_env = ::testing::AddGlobalTestEnvironment(new PrivateNetwork);

int frames_of(const std::string& csv, const std::string& codec, const std::string& type) {
  const std::string prefix = codec + "," + type + ",";
  const size_t at = csv.find(prefix);
  if (at == std::string::npos) return -1;
  return std::atoi(csv.c_str() + at + prefix.size());
}

ToolResult probe_multicast(const std::string& url) {
  return ffprobe({"-rtsp_transport", "udp_multicast", "-read_intervals", "%+2", "-count_frames",
                  "-show_entries", "stream=codec_name,codec_type,nb_read_frames", "-of", "csv=p=0",
                  url});
}

// Test pattern, video only.
class EdgeMulticastTest : public SharedClusterTest<EdgeMulticastTest> {
 public:
  static std::unique_ptr<Cluster> start_cluster(std::string* error) {
    return Cluster::start({.size = "320x180", .bitrate = "500k", .metrics = true}, error);
  }

 protected:
  void SetUp() override {
    if (!g_private_net) std::printf("no private network namespace: %s\n", g_net_error.c_str());
    SharedClusterTest::SetUp();
  }
};

TEST_F(EdgeMulticastTest, TwoJoinedReceiversGetOneCopyOfAContinuousStream) {
  RtspTestClient a(cluster_->url()), b(cluster_->url());
  for (RtspTestClient* c : {&a, &b}) {
    ASSERT_TRUE(c->connect().ok());
    ASSERT_TRUE(c->describe().ok());
    auto setup = c->setup_multicast();
    ASSERT_TRUE(setup.ok()) << setup.status();
    ASSERT_EQ(setup->status, 200);
    const std::string transport(setup->headers.get("Transport").value_or(""));
    EXPECT_NE(transport.find("multicast"), std::string::npos) << transport;
    EXPECT_NE(transport.find("destination=239.255.42."), std::string::npos) << transport;
    EXPECT_NE(transport.find("ttl="), std::string::npos) << transport;
    auto play = c->play();
    ASSERT_TRUE(play.ok() && play->status == 200);
  }
  EXPECT_EQ(a.multicast_group(), b.multicast_group()) << "one group per stream";
  EXPECT_EQ(a.multicast_port(), b.multicast_port());
  const double sent_before =
      metric_value(cluster_->metrics(), "rs_edge_multicast_sent_packets_total").value_or(0);
  std::thread tb([&] { b.receive_for(milliseconds(2500)); });
  a.receive_for(milliseconds(2500));
  tb.join();
  const std::string m = cluster_->metrics();
  const double sent =
      metric_value(m, "rs_edge_multicast_sent_packets_total").value_or(0) - sent_before;
  for (RtspTestClient* c : {&a, &b}) {
    ASSERT_GT(c->access_units().size(), 40u) << c->summary();
    // The group is joined at SETUP, so a receiver may start mid-frame: count keyframes, and
    // require continuity from there on.
    size_t keyframes = 0;
    for (const auto& u : c->access_units()) keyframes += u.keyframe ? 1 : 0;
    EXPECT_GE(keyframes, 2u) << c->summary();
    EXPECT_EQ(c->stats().sequence_gaps, 0u) << c->summary();
    EXPECT_LE(c->stats().depacketizer_errors, 1u) << c->summary();
  }
  EXPECT_EQ(metric_value(m, R"(rs_edge_readers{stream="cam1",transport="multicast"})"), 2.0) << m;
  // One copy per group: the edge sent about as many packets as one receiver got, not two.
  const double got = static_cast<double>(a.stats().rtp_packets);
  std::printf("multicast: edge sent %.0f packets in the window, each receiver got %.0f\n", sent,
              got);
  EXPECT_LT(sent, got * 1.5) << "the group got more than one copy";
}

TEST_F(EdgeMulticastTest, FfprobeUdpMulticastPlays) {
  if (!g_private_net) GTEST_SKIP() << g_net_error;
  auto r = probe_multicast(cluster_->url());
  ASSERT_TRUE(r.ok) << r.describe();
  EXPECT_GE(frames_of(r.out, "h264", "video"), 10) << r.out;
}

TEST_F(EdgeMulticastTest, GstreamerUdpMcastPlays) {
  if (!g_private_net) GTEST_SKIP() << g_net_error;
  const GstPlayback r = gst_play(
      {"rtspsrc", "location=" + cluster_->url(), "protocols=udp-mcast", "!", "rtph264depay", "!",
       "h264parse", "!", "avdec_h264", "!", "fakesink", "num-buffers=30"},
      milliseconds(20'000));
  EXPECT_TRUE(r.played());
}

// H.264 + AAC from a file: a multicast player sets up both tracks.
TEST(EdgeMulticastAudio, BothTracksOfAnAudioVideoStreamCanBeSetUpAndPlayed) {
  const std::string clip = temp_dir() + "/av.mp4";
  ASSERT_EQ(make_clip(clip, "h264", /*audio=*/true, /*seconds=*/4), "");
  std::string error;
  auto cluster = Cluster::start({.source = clip, .origin_args = {"--loop"}}, &error);
  ASSERT_NE(cluster, nullptr) << error;
  RtspTestClient client(cluster->url());
  ASSERT_TRUE(client.connect().ok());
  ASSERT_TRUE(client.describe().ok());
  auto video = client.setup_multicast(cluster->url() + "/trackID=0");
  ASSERT_TRUE(video.ok()) << video.status();
  ASSERT_EQ(video->status, 200);
  auto audio =
      client.request("SETUP", cluster->url() + "/trackID=1", {{"Transport", "RTP/AVP;multicast"}});
  ASSERT_TRUE(audio.ok()) << audio.status();
  EXPECT_EQ(audio->status, 200) << "multicast SETUP of the audio track: "
                                << audio->headers.get("X-Reason").value_or("");
  if (audio->status == 200) {
    const std::string vt(video->headers.get("Transport").value_or(""));
    const std::string at(audio->headers.get("Transport").value_or(""));
    EXPECT_NE(vt, at) << "audio and video on the same group and port";
  }
  if (!g_private_net) GTEST_SKIP() << g_net_error;
  auto r = probe_multicast(cluster->url());
  EXPECT_TRUE(r.ok) << r.describe();
  EXPECT_GE(frames_of(r.out, "h264", "video"), 10) << r.out;
  EXPECT_GE(frames_of(r.out, "aac", "audio"), 10) << r.out;
}

}  // namespace
}  // namespace rstest
