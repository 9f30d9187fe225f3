// Edge features as real processes on 127.0.0.1: Prometheus metrics, RTSP over HTTP tunnelling
// (ffprobe and GStreamer), origin restart continuity, on-demand subscription with catch-up,
// limits (sessions, readers per stream, session timeout) and viewer authentication.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "base/strings.hpp"
#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/edge_probe.hpp"
#include "tests/support/rtsp_test_client.hpp"
#include "tests/support/time_scale.hpp"

namespace rstest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Polls /metrics until `series` satisfies `want` or `timeout` passes; returns the last value.
std::optional<double> wait_metric(const Cluster& c, const std::string& series,
                                  const std::function<bool(std::optional<double>)>& want,
                                  milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::optional<double> v;
  for (;;) {
    v = metric_value(c.metrics(), series);
    if (want(v) || Clock::now() >= deadline) return v;
    std::this_thread::sleep_for(milliseconds(100));
  }
}

// Whether ffprobe/gst decoded at least `min_frames` video frames (csv "codec,type,frames").
int video_frames_in(const std::string& csv) {
  int frames = 0;
  size_t at = 0;
  while (at < csv.size()) {
    size_t eol = csv.find('\n', at);
    if (eol == std::string::npos) eol = csv.size();
    const std::string line = csv.substr(at, eol - at);
    at = eol + 1;
    if (line.find(",video,") == std::string::npos) continue;
    frames = std::atoi(line.substr(line.rfind(',') + 1).c_str());
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------
// One origin + edge with --http: metrics, HTTP tunnelling, then (last) an origin restart.
class EdgeFeatureTest : public SharedClusterTest<EdgeFeatureTest> {
 public:
  static std::unique_ptr<Cluster> start_cluster(std::string* error) {
    return Cluster::start({.size = "320x180", .bitrate = "500k", .metrics = true}, error);
  }

 protected:
  void SetUp() override {
    SharedClusterTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(cluster_->edge().running()) << cluster_->logs();
  }
};

TEST_F(EdgeFeatureTest, MetricsShowTheReaderBytesAndQueueDelay) {
  RtspTestClient client(cluster_->url());
  ASSERT_TRUE(client.start_playing(Lower::Tcp).ok());
  client.receive_for(milliseconds(2000));
  ASSERT_GT(client.access_units().size(), 30u) << client.summary();
  const std::string m = cluster_->metrics();
  ASSERT_FALSE(m.empty()) << "GET /metrics failed";
  EXPECT_EQ(metric_value(m, R"(rs_edge_readers{stream="cam1",transport="tcp"})"), 1.0) << m;
  EXPECT_EQ(metric_value(m, R"(rs_edge_readers{stream="cam1",transport="udp"})"), 0.0) << m;
  EXPECT_GT(metric_value(m, "rs_edge_sent_bytes_total").value_or(0), 100'000.0) << m;
  EXPECT_GT(metric_value(m, "rs_edge_sent_packets_total").value_or(0), 0.0) << m;
  EXPECT_GT(metric_value(m, "rs_edge_queue_delay_seconds_count").value_or(0), 30.0) << m;
  EXPECT_EQ(metric_value(m, R"(rs_edge_queue_delay_seconds_bucket{le="+Inf"})"),
            metric_value(m, "rs_edge_queue_delay_seconds_count"));
  // The origin stamps its publish time (wire minor 1); same host, so the delay is small. A
  // timing target: judged by the normal build, not by a sanitizer run (time_scale.hpp).
  EXPECT_GT(metric_value(m, "rs_edge_origin_delay_seconds_count").value_or(0), 30.0) << m;
  if (rstest::time_scale() == 1) {
    EXPECT_EQ(metric_value(m, R"(rs_edge_origin_delay_seconds_bucket{le="2"})"),
              metric_value(m, "rs_edge_origin_delay_seconds_count"))
        << m;
  }
  EXPECT_EQ(metric_value(m, R"(rs_edge_subscribed{stream="cam1"})"), 1.0) << m;
  EXPECT_EQ(metric_value(m, R"(rs_edge_stream_state{stream="cam1",state="live"})"), 1.0) << m;
  EXPECT_GT(metric_value(m, R"(rs_edge_origin_frames_total{stream="cam1"})").value_or(0), 30.0);
  EXPECT_EQ(metric_value(m, "rs_edge_sessions"), 1.0) << m;
  // The reader leaves: the gauge goes back to 0.
  client.close();
  auto after = wait_metric(
      *cluster_, R"(rs_edge_readers{stream="cam1",transport="tcp"})",
      [](auto v) { return v == 0.0; }, milliseconds(3000));
  EXPECT_EQ(after, 0.0);
}

// A reader's RTCP receiver report (interleaved channel 1) shows up as loss and jitter metrics.
TEST_F(EdgeFeatureTest, RtcpReceiverReportsBecomeLossAndJitterMetrics) {
  RtspTestClient client(cluster_->url());
  ASSERT_TRUE(client.start_playing(Lower::Tcp).ok());
  client.receive_for(milliseconds(300));
  ASSERT_FALSE(client.packets().empty()) << client.summary();
  const uint32_t media_ssrc = client.packets().back().ssrc;
  // RFC 3550 6.4.2: RR with one report block: 25% lost (64/256), 1800 ticks of jitter (20 ms).
  auto be32 = [](std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
  };
  std::string rr;
  rr.push_back(static_cast<char>(0x81));  // V=2, RC=1
  rr.push_back(static_cast<char>(201));   // RR
  rr.push_back(0);
  rr.push_back(7);             // 8 words in all
  be32(rr, 0x12345678);        // reporter
  be32(rr, media_ssrc);        // source
  be32(rr, (64u << 24) | 10);  // fraction lost, cumulative 10
  be32(rr, client.packets().back().sequence);
  be32(rr, 1800);  // jitter
  be32(rr, 0);
  be32(rr, 0);
  const std::string framed = std::string("$\x01", 2) + static_cast<char>(rr.size() >> 8) +
                             static_cast<char>(rr.size() & 0xff) + rr;
  ASSERT_TRUE(client.send_raw(framed).ok());
  std::optional<double> loss, jitter;
  const auto deadline = Clock::now() + milliseconds(3000);
  while (Clock::now() < deadline) {
    client.receive_for(milliseconds(200));
    const std::string m = cluster_->metrics();
    loss = metric_value(m, R"(rs_edge_reader_loss_ratio{stream="cam1",stat="max"})");
    jitter = metric_value(m, R"(rs_edge_reader_jitter_seconds_max{stream="cam1"})");
    if (loss.value_or(0) > 0 && jitter.value_or(0) > 0) break;
  }
  EXPECT_NEAR(loss.value_or(-1), 0.25, 0.01);
  EXPECT_NEAR(jitter.value_or(-1), 0.020, 0.001);
  EXPECT_EQ(client.stats().sequence_gaps, 0u) << client.summary();
}

TEST_F(EdgeFeatureTest, HttpTunnelPlaysWithFfprobe) {
  auto r = ffprobe({"-rtsp_transport", "http", "-read_intervals", "%+2", "-count_frames",
                    "-show_entries", "stream=codec_name,codec_type,width,nb_read_frames", "-of",
                    "csv=p=0", cluster_->url()});
  ASSERT_TRUE(r.ok) << r.describe();
  EXPECT_NE(r.out.find("h264,video,320"), std::string::npos) << r.out;
  EXPECT_GE(video_frames_in(r.out), 10) << r.out;
}

TEST_F(EdgeFeatureTest, HttpTunnelPlaysWithGstreamer) {
  const std::string url = "rtsph://127.0.0.1:" + std::to_string(cluster_->rtsp_port()) + "/cam1";
  const GstPlayback r = gst_play({"rtspsrc", "location=" + url, "!", "rtph264depay", "!",
                                  "h264parse", "!", "fakesink", "num-buffers=30"},
                                 milliseconds(20'000));
  EXPECT_TRUE(r.played());
}

// Declared last in this suite: it kills the origin.
TEST_F(EdgeFeatureTest, OriginRestartKeepsSsrcSequenceAndTimestampsContinuous) {
  RtspTestClient client(cluster_->url());
  ASSERT_TRUE(client.start_playing(Lower::Tcp).ok());
  client.receive_for(milliseconds(1500));
  const size_t before = client.access_units().size();
  ASSERT_GT(before, 20u) << client.summary();
  const uint32_t ssrc = client.packets().front().ssrc;

  std::string error;
  const auto killed_at = Clock::now();
  ASSERT_TRUE(cluster_->restart_origin(&error)) << error;
  std::printf("origin restarted %.0f ms after SIGKILL\n", ms_since(killed_at));
  // Frames flow again within a few seconds (new keyframe, new epoch re-based by the edge).
  ASSERT_TRUE(client.receive_until([&] { return client.access_units().size() >= before + 45; },
                                   milliseconds(8000)))
      << "no frames after the restart: " << client.summary() << cluster_->logs();
  EXPECT_FALSE(client.connection_closed()) << client.summary();
  EXPECT_EQ(client.stats().sequence_gaps, 0u) << client.summary();
  EXPECT_EQ(client.stats().ssrc_changes, 0u) << client.summary();
  EXPECT_EQ(client.packets().back().ssrc, ssrc);
  EXPECT_EQ(client.stats().timestamp_decreases, 0u) << client.summary();
  EXPECT_EQ(client.stats().depacketizer_errors, 0u) << client.summary();
  // The first unit after the outage is a keyframe and the RTP clock jumped forward by about the
  // wall-clock outage (not backwards, not by hours).
  const auto& units = client.access_units();
  size_t gap_at = 0;
  double gap_ms = 0;
  for (size_t i = 1; i < units.size(); ++i) {
    const double d =
        std::chrono::duration<double, std::milli>(units[i].arrival - units[i - 1].arrival).count();
    if (d > gap_ms) {
      gap_ms = d;
      gap_at = i;
    }
  }
  ASSERT_GT(gap_at, 0u);
  EXPECT_TRUE(units[gap_at].keyframe) << "first unit after the outage is not a keyframe";
  const double rtp_jump_ms =
      static_cast<int32_t>(units[gap_at].rtp_timestamp - units[gap_at - 1].rtp_timestamp) / 90.0;
  std::printf("origin restart: outage %.0f ms of arrival, RTP timestamp jump %.0f ms\n", gap_ms,
              rtp_jump_ms);
  EXPECT_GT(rtp_jump_ms, 0.0);
  EXPECT_LT(rtp_jump_ms, gap_ms + 3000.0);
  const std::string m = cluster_->metrics();
  EXPECT_GE(metric_value(m, R"(rs_edge_origin_restarts_total{stream="cam1"})").value_or(0), 1.0)
      << m;
}

// ---------------------------------------------------------------------------------------------
// On-demand: nothing subscribed until the first DESCRIBE; a cold edge starts a reader within
// 1 s of a 4 s GOP thanks to the origin's catch-up; unsubscribed after --idle_timeout.
TEST(EdgeOnDemand, SubscribesOnFirstDescribeStartsFastAndUnsubscribesWhenIdle) {
  std::string error;
  auto cluster = Cluster::start({.size = "320x180",
                                 .bitrate = "500k",
                                 .gop = 120,
                                 .metrics = true,
                                 .edge_args = {"--idle_timeout=1s"},
                                 .wait_for_stream = false},
                                &error);
  ASSERT_NE(cluster, nullptr) << error;
  // Let the origin run into its 4 s GOP: the next keyframe is seconds away.
  std::this_thread::sleep_for(milliseconds(1500));
  const std::string before = cluster->metrics();
  ASSERT_FALSE(before.empty()) << "GET /metrics failed";
  const auto subscribed_before = metric_value(before, R"(rs_edge_subscribed{stream="cam1"})");
  EXPECT_TRUE(!subscribed_before || *subscribed_before == 0.0)
      << "subscribed before any reader asked:\n"
      << before;

  RtspTestClient client(cluster->url());
  ASSERT_TRUE(client.connect().ok());
  const auto describe_sent = Clock::now();
  auto describe = client.describe(milliseconds(5000));
  ASSERT_TRUE(describe.ok()) << describe.status();
  ASSERT_EQ(describe->status, 200) << cluster->logs();
  const double describe_ms = ms_since(describe_sent);
  auto setup = client.setup(Lower::Tcp);
  ASSERT_TRUE(setup.ok() && setup->status == 200);
  auto play = client.play();
  ASSERT_TRUE(play.ok() && play->status == 200);
  ASSERT_TRUE(
      client.receive_until([&] { return !client.access_units().empty(); }, milliseconds(5000)))
      << client.summary() << cluster->logs();
  const double first_frame_ms = std::chrono::duration<double, std::milli>(
                                    client.access_units().front().arrival - describe_sent)
                                    .count();
  std::printf("cold edge: DESCRIBE answered in %.0f ms, first keyframe %.0f ms after DESCRIBE\n",
              describe_ms, first_frame_ms);
  RecordProperty("cold_edge_first_keyframe_ms", std::to_string(first_frame_ms));
  EXPECT_TRUE(client.access_units().front().keyframe);
  EXPECT_LE(first_frame_ms, 1000.0) << "catch-up should beat waiting for the next keyframe";
  client.receive_for(milliseconds(500));
  EXPECT_EQ(client.stats().sequence_gaps, 0u) << client.summary();
  EXPECT_EQ(client.depacketizer_stats().dropped_units, 0u) << client.summary();

  EXPECT_EQ(metric_value(cluster->metrics(), R"(rs_edge_subscribed{stream="cam1"})"), 1.0);
  auto teardown = client.teardown();
  ASSERT_TRUE(teardown.ok());
  client.close();
  const auto left_at = Clock::now();
  auto after = wait_metric(
      *cluster, R"(rs_edge_subscribed{stream="cam1"})", [](auto v) { return !v || *v == 0.0; },
      milliseconds(5000));
  EXPECT_TRUE(!after || *after == 0.0) << "still subscribed 5 s after the last reader left";
  std::printf("unsubscribed %.0f ms after the reader left (--idle_timeout=1s)\n",
              ms_since(left_at));
  // A new reader brings it back, as fast as on the cold edge (catch-up again, not a wait for
  // the next keyframe of the 4 s GOP).
  std::this_thread::sleep_for(milliseconds(300));
  RtspTestClient again(cluster->url());
  ASSERT_TRUE(again.connect().ok());
  const auto again_sent = Clock::now();
  auto again_describe = again.describe(milliseconds(5000));
  ASSERT_TRUE(again_describe.ok()) << again_describe.status();
  EXPECT_EQ(again_describe->status, 200) << "DESCRIBE after the idle unsubscribe, answered after "
                                         << ms_since(again_sent) << " ms" << cluster->logs();
  if (again_describe->status == 200) {
    ASSERT_TRUE(again.setup(Lower::Tcp).ok());
    ASSERT_TRUE(again.play().ok());
    ASSERT_TRUE(
        again.receive_until([&] { return !again.access_units().empty(); }, milliseconds(5000)))
        << again.summary();
    const double again_ms =
        std::chrono::duration<double, std::milli>(again.access_units().front().arrival - again_sent)
            .count();
    std::printf("re-subscribed edge: first keyframe %.0f ms after DESCRIBE\n", again_ms);
    EXPECT_LE(again_ms, 1000.0) << "re-subscribing did not use catch-up";
  }
  // Unsubscribing is not losing origin messages.
  EXPECT_EQ(metric_value(cluster->metrics(), R"(rs_edge_origin_gaps_total{stream="cam1"})"), 0.0)
      << "the idle unsubscribe counted as a gap in the origin's sequence numbers";
}

// ---------------------------------------------------------------------------------------------
// Limits: --max_sessions=2 and --session_timeout=2s.
class EdgeLimitsTest : public SharedClusterTest<EdgeLimitsTest> {
 public:
  static std::unique_ptr<Cluster> start_cluster(std::string* error) {
    return Cluster::start({.size = "320x180",
                           .bitrate = "500k",
                           .edge_args = {"--max_sessions=2", "--session_timeout=2s"}},
                          error);
  }
};

TEST_F(EdgeLimitsTest, ThirdSessionGets503AndASlotFreesOnTeardown) {
  RtspTestClient a(cluster_->url()), b(cluster_->url()), c(cluster_->url());
  ASSERT_TRUE(a.start_playing(Lower::Tcp).ok());
  ASSERT_TRUE(b.connect().ok());
  auto setup_b = b.setup(Lower::Udp);
  ASSERT_TRUE(setup_b.ok() && setup_b->status == 200);
  ASSERT_TRUE(c.connect().ok());
  auto setup_c = c.setup(Lower::Tcp);
  ASSERT_TRUE(setup_c.ok()) << setup_c.status();
  EXPECT_EQ(setup_c->status, 503) << "third session with --max_sessions=2";
  // OPTIONS and DESCRIBE still work for the refused client.
  auto describe = c.describe();
  ASSERT_TRUE(describe.ok());
  EXPECT_EQ(describe->status, 200);
  // B tears down: its slot is free for C.
  auto teardown = b.teardown();
  ASSERT_TRUE(teardown.ok() && teardown->status == 200);
  auto retry = c.setup(Lower::Tcp);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->status, 200) << "slot not released by TEARDOWN";
}

TEST_F(EdgeLimitsTest, SilentUdpSessionTimesOutAndPlayingTcpReaderDoesNot) {
  RtspTestClient udp(cluster_->url()), tcp(cluster_->url());
  ASSERT_TRUE(udp.connect().ok());
  ASSERT_TRUE(udp.describe().ok());
  // The previous test's sessions count until the edge has read their connections' close.
  auto setup = udp.setup(Lower::Udp);
  for (int i = 0; i < 100 && setup.ok() && setup->status == 503; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    setup = udp.setup(Lower::Udp);
  }
  ASSERT_TRUE(setup.ok()) << setup.status();
  ASSERT_EQ(setup->status, 200);
  const std::string session_header(setup->headers.get("Session").value_or(""));
  EXPECT_NE(session_header.find("timeout=2"), std::string::npos) << session_header;
  auto play = udp.play();
  ASSERT_TRUE(play.ok() && play->status == 200);
  ASSERT_TRUE(tcp.start_playing(Lower::Tcp).ok());
  const auto start = Clock::now();
  // The UDP reader sends nothing (no RTCP, no GET_PARAMETER): closed after ~2 s.
  std::thread tcp_thread([&] { tcp.receive_for(milliseconds(4500)); });
  const bool closed =
      udp.receive_until([&] { return udp.connection_closed(); }, milliseconds(4500));
  const double closed_ms = ms_since(start);
  tcp_thread.join();
  EXPECT_TRUE(closed) << "silent UDP session still open after 4.5 s";
  if (closed) {
    std::printf("silent UDP session closed after %.0f ms (--session_timeout=2s)\n", closed_ms);
    EXPECT_GE(closed_ms, 1500.0);
  }
  EXPECT_GT(udp.access_units().size(), 10u) << "UDP media flowed before the timeout";
  EXPECT_FALSE(tcp.connection_closed()) << "a playing TCP reader is alive by draining its socket";
  EXPECT_GT(tcp.access_units().size(), 100u) << tcp.summary();
}

// --max_readers_per_stream is an edge-wide limit: 3 readers are admitted whatever the order of
// connections, and a 4th is refused.
TEST(EdgeReaderLimit, MaxReadersPerStreamHoldsEdgeWideWhateverTheConnectionOrder) {
  std::string error;
  auto cluster = Cluster::start({.size = "320x180",
                                 .bitrate = "500k",
                                 .edge_args = {"--max_readers_per_stream=3", "--io_threads=2"}},
                                &error);
  ASSERT_NE(cluster, nullptr) << error;
  auto play = [&](RtspTestClient& c) -> int {
    if (!c.connect().ok()) return -1;
    auto d = c.describe();
    if (!d.ok() || d->status != 200) return -2;
    auto s = c.setup(Lower::Tcp);
    if (!s.ok()) return -3;
    if (s->status != 200) return s->status;
    auto p = c.play();
    return p.ok() ? p->status : -4;
  };
  {
    // Idle control connections in between readers (a player that DESCRIBEs first, a health
    // check): the readers do not land on the loops evenly.
    std::vector<std::unique_ptr<RtspTestClient>> readers, idle;
    for (int i = 0; i < 3; ++i) {
      readers.push_back(std::make_unique<RtspTestClient>(cluster->url()));
      EXPECT_EQ(play(*readers.back()), 200) << "reader " << i + 1 << " of 3 refused";
      idle.push_back(std::make_unique<RtspTestClient>(cluster->url()));
      ASSERT_TRUE(idle.back()->connect().ok());
      ASSERT_TRUE(idle.back()->options().ok());
    }
    RtspTestClient fourth(cluster->url());
    EXPECT_EQ(play(fourth), 503) << "a 4th reader with --max_readers_per_stream=3";
  }
  std::this_thread::sleep_for(milliseconds(300));
  {
    // Readers back to back: at most 3 in all.
    std::vector<std::unique_ptr<RtspTestClient>> readers;
    int admitted = 0;
    for (int i = 0; i < 5; ++i) {
      readers.push_back(std::make_unique<RtspTestClient>(cluster->url()));
      const int status = play(*readers.back());
      EXPECT_TRUE(status == 200 || status == 503) << status;
      admitted += status == 200 ? 1 : 0;
    }
    EXPECT_EQ(admitted, 3) << "readers admitted with --max_readers_per_stream=3";
  }
}

// ---------------------------------------------------------------------------------------------
// Viewer authentication: cam1 readable by alice only.
class EdgeAuthTest : public SharedClusterTest<EdgeAuthTest> {
 public:
  static std::unique_ptr<Cluster> start_cluster(std::string* error) {
    const std::string file = temp_dir() + "/auth.conf";
    std::ofstream(file) << "# viewers\nuser alice s3cret\nuser bob hunter2\nstream cam1 alice\n";
    return Cluster::start({.size = "320x180",
                           .bitrate = "500k",
                           .edge_args = {"--auth_file=" + file},
                           .wait_for_stream = false},
                          error);
  }

 protected:
  static std::string basic(const std::string& user, const std::string& password) {
    return "Basic " + absl::Base64Escape(user + ":" + password);
  }
};

TEST_F(EdgeAuthTest, NoCredentialsGets401WithDigestSha256Md5AndBasicChallenges) {
  RtspTestClient client(cluster_->url());
  ASSERT_TRUE(client.connect().ok());
  auto r = client.describe();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->status, 401);
  std::vector<std::string> challenges;
  for (const auto& f : r->headers.fields()) {
    if (f.name == "WWW-Authenticate") challenges.push_back(f.value);
  }
  std::string all;
  for (const auto& c : challenges) all += c + "\n";
  ASSERT_EQ(challenges.size(), 3u) << all;
  EXPECT_NE(all.find("algorithm=SHA-256"), std::string::npos) << all;
  EXPECT_NE(all.find("algorithm=MD5"), std::string::npos) << all;
  EXPECT_NE(all.find("Basic realm="), std::string::npos) << all;
  EXPECT_NE(all.find("nonce=\""), std::string::npos) << all;
  // A fresh nonce per challenge.
  auto nonce = [](const rtsp::Response& response) {
    const std::string v(response.headers.get("WWW-Authenticate").value_or(""));
    const size_t at = v.find("nonce=\"");
    return at == std::string::npos ? std::string() : v.substr(at + 7, v.find('"', at + 7) - at - 7);
  };
  std::this_thread::sleep_for(milliseconds(5));
  auto r2 = client.describe();
  ASSERT_TRUE(r2.ok() && r2->status == 401);
  EXPECT_FALSE(nonce(*r).empty());
  EXPECT_NE(nonce(*r), nonce(*r2));
}

TEST_F(EdgeAuthTest, FfprobeWithCredentialsInTheUrlPlays) {
  const std::string url =
      "rtsp://alice:s3cret@127.0.0.1:" + std::to_string(cluster_->rtsp_port()) + "/cam1";
  auto r =
      ffprobe({"-rtsp_transport", "tcp", "-read_intervals", "%+1", "-count_frames", "-show_entries",
               "stream=codec_name,codec_type,nb_read_frames", "-of", "csv=p=0", url});
  ASSERT_TRUE(r.ok) << r.describe() << cluster_->logs();
  EXPECT_GE(video_frames_in(r.out), 5) << r.out;
}

TEST_F(EdgeAuthTest, BasicCredentialsPlayAndAnotherUserGets403) {
  RtspTestClient alice(cluster_->url());
  ASSERT_TRUE(alice.connect().ok());
  auto d = alice.request("DESCRIBE", cluster_->url(), {{"Authorization", basic("alice", "s3cret")}},
                         milliseconds(5000));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->status, 200);
  RtspTestClient bob(cluster_->url());
  ASSERT_TRUE(bob.connect().ok());
  auto b = bob.request("DESCRIBE", cluster_->url(), {{"Authorization", basic("bob", "hunter2")}});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->status, 403) << "bob is a user but may not read cam1";
}

// Declared last: it gets 127.0.0.1 rate-limited.
TEST_F(EdgeAuthTest, SixthWrongPasswordFromTheSameAddressGets403) {
  RtspTestClient client(cluster_->url());
  ASSERT_TRUE(client.connect().ok());
  std::vector<int> statuses;
  for (int i = 0; i < 6; ++i) {
    auto r = client.request("DESCRIBE", cluster_->url(),
                            {{"Authorization", basic("alice", "wrong" + std::to_string(i))}});
    ASSERT_TRUE(r.ok()) << "attempt " << i + 1 << ": " << r.status();
    statuses.push_back(r->status);
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(statuses[i], 401) << "attempt " << i + 1;
  EXPECT_EQ(statuses[5], 403) << "6th wrong password";
  // Rate-limited: even the right password from this address is refused for now, on a new
  // connection too.
  RtspTestClient other(cluster_->url());
  ASSERT_TRUE(other.connect().ok());
  auto r =
      other.request("DESCRIBE", cluster_->url(), {{"Authorization", basic("alice", "s3cret")}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
}

}  // namespace
}  // namespace rstest
