// Headless JSON lines, overlay text and option validation of rtsp-client.
#include <gtest/gtest.h>

#include "client/client_options.hpp"
#include "client/overlay.hpp"
#include "client/playback_stats.hpp"
#include "client/player_session.hpp"
#include "client/stats_json.hpp"

namespace client {
namespace {

SecondReport sample_second() {
  SecondReport r;
  r.t_s = 3.0;
  r.fps = 30;
  r.kbps = 812.44;
  r.latency = {30, 41.25, 55.0, 61.0};
  r.receive = {30, 12.0, 14.0, 20.0};
  r.decode_ms = 1.234;
  r.frames = 90;
  r.drops = 1;
  r.reconnects = 0;
  r.edge = "edge-a";
  r.url = "rtsp://127.0.0.1:8554/cam1";
  r.decoder = "h264 (software)";
  return r;
}

TEST(StatsJson, SecondLineHasEveryFieldInOrder) {
  EXPECT_EQ(format_second(sample_second()),
            R"({"t":3.0,"fps":30.0,"kbps":812.4,"latency_ms":{"p50":41.2,"p95":55.0,"max":61.0},)"
            R"("receive_latency_ms":{"p50":12.0,"p95":14.0,"max":20.0},"decode_ms":1.23,)"
            R"("frames":90,"drops":1,"reconnects":0,"edge":"edge-a",)"
            R"js("url":"rtsp://127.0.0.1:8554/cam1","decoder":"h264 (software)",)js"
            R"("state":"connecting","assign_requests":0,"stalls":0,"max_frame_gap_ms":0.0})");
}

TEST(StatsJson, OfflineSecondCarriesTheReason) {
  SecondReport r = sample_second();
  r.state = "offline";
  r.state_reason = "source offline - waiting (edge says source-down)";
  r.assign_requests = 2;
  EXPECT_NE(format_second(r).find(R"js("state":"offline","state_reason":"source offline - )js"
                                  R"js(waiting (edge says source-down)","assign_requests":2,)js"),
            std::string::npos)
      << format_second(r);
}

TEST(StatsJson, EventLines) {
  EventReport offline{.event = "source_offline",
                      .t_s = 12.34,
                      .wall_us = 1796512367962481,
                      .edge = "edge-1",
                      .state = "source-down",
                      .reason = "source-down; reason=camera gone"};
  EXPECT_EQ(format_event(offline),
            R"({"event":"source_offline","t":12.3,"wall_us":1796512367962481,"edge":"edge-1",)"
            R"("state":"source-down","reason":"source-down; reason=camera gone"})");
  EventReport back{.event = "source_back", .t_s = 15, .wall_us = 1, .edge = "edge-1"};
  back.offline_ms = 3173.2;
  EXPECT_EQ(format_event(back),
            R"({"event":"source_back","t":15.0,"wall_us":1,"edge":"edge-1","offline_ms":3173.2})");
}

TEST(PlaybackStats, OfflineWaitsAreCountedAndTimed) {
  PlaybackStats stats(0);
  stats.on_session_start("edge-a", "rtsp://a/cam1");
  stats.on_session_playing();
  stats.on_assign_request();
  stats.on_offline(1'000'000, "source offline");
  stats.on_offline(1'500'000, "source offline");  // the same wait, asked again
  EXPECT_TRUE(stats.offline());
  EXPECT_EQ(stats.second(1'600'000).state, "offline");
  EXPECT_EQ(stats.on_back(4'000'000), 3'000'000);
  const SummaryReport s = stats.summary(5'000'000);
  EXPECT_EQ(s.offline_waits, 1u);
  EXPECT_DOUBLE_EQ(s.offline_s, 3.0);
  EXPECT_EQ(s.assign_requests, 1u);
  EXPECT_EQ(stats.second(5'000'000).state, "playing");
}

TEST(PlaybackStats, MaxFrameGapSeesAFreezeAndTheOneStillRunning) {
  PlaybackStats stats(0);
  stats.on_session_start("edge-a", "rtsp://a/cam1");
  stats.on_session_playing();
  for (int64_t t = 0; t <= 1'000'000; t += 40'000) stats.on_frame(t, {});
  EXPECT_DOUBLE_EQ(stats.second(1'000'000).max_frame_gap_ms, 40.0);
  stats.on_frame(1'700'000, {});  // 700 ms frozen
  EXPECT_DOUBLE_EQ(stats.second(1'710'000).max_frame_gap_ms, 700.0);
  EXPECT_DOUBLE_EQ(stats.second(3'000'000).max_frame_gap_ms, 1300.0);  // still frozen
  stats.on_stall();
  EXPECT_EQ(stats.second(3'000'000).stalls, 1u);
}

TEST(StatsJson, LatencyIsNullWithoutSamples) {
  SecondReport r = sample_second();
  r.latency = {};
  const std::string line = format_second(r);
  EXPECT_NE(line.find(R"("latency_ms":{"p50":null,"p95":null,"max":null})"), std::string::npos)
      << line;
}

TEST(StatsJson, EscapesStrings) {
  struct Case {
    const char* in;
    const char* want;
  };
  for (const Case& c : {Case{"plain", "\"plain\""}, Case{"a\"b", "\"a\\\"b\""},
                        Case{"back\\slash", "\"back\\\\slash\""}, Case{"n\nl", "\"n\\nl\""},
                        Case{"\x01", "\"\\u0001\""}}) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(json_string(c.in), c.want);
  }
}

TEST(StatsJson, SummaryLine) {
  SummaryReport r;
  r.duration_s = 10;
  r.frames = 300;
  r.fps = 30;
  r.kbps = 1000;
  r.first_frame_ms = 123.4;
  r.edges = {"edge-a", "edge-b"};
  r.decoder = "h264 (software)";
  r.exit_reason = "duration reached";
  const std::string s = format_summary(r);
  EXPECT_EQ(s.rfind(R"({"summary":true,"duration_s":10.00,"frames":300,)", 0), 0u) << s;
  EXPECT_NE(s.find(R"("first_frame_ms":123.4,"edges":["edge-a","edge-b"])"), std::string::npos)
      << s;
  EXPECT_NE(s.find(R"("exit_code":0,"exit_reason":"duration reached"})"), std::string::npos) << s;
}

TEST(PlaybackStats, SecondWindowAndReconnects) {
  PlaybackStats stats(0);
  stats.on_session_start("edge-a", "rtsp://a/cam1");
  stats.on_session_playing();
  for (int i = 0; i < 50; ++i) {  // 2 s at 25 fps, 1000 bytes a packet
    const int64_t t = i * 40'000;
    stats.on_packet(t, 1000, 10'000);
    stats.on_frame(t,
                   {.decode_us = 2000, .decoded_latency_us = 12'000, .shown_latency_us = 15'000});
  }
  stats.on_session_start("edge-c", "rtsp://c/cam1");  // never played: not a reconnect
  stats.on_session_start("edge-b", "rtsp://b/cam1");
  stats.on_session_playing();
  stats.add_drops(2);
  const SecondReport r = stats.second(1'990'000);  // frames after 0.99 s: 1.00 .. 1.96 s
  EXPECT_EQ(r.fps, 25.0);
  EXPECT_DOUBLE_EQ(r.kbps, 200.0);  // 25 packets * 1000 bytes * 8 / 1000
  EXPECT_DOUBLE_EQ(r.latency.p50_ms, 15.0);
  EXPECT_DOUBLE_EQ(r.receive.p50_ms, 10.0);
  EXPECT_DOUBLE_EQ(r.decode_ms, 2.0);
  EXPECT_EQ(r.frames, 50u);
  EXPECT_EQ(r.drops, 2u);
  EXPECT_EQ(r.reconnects, 1u);
  EXPECT_EQ(r.edge, "edge-b");
  const SummaryReport s = stats.summary(1'990'000);
  EXPECT_EQ(s.edges, (std::vector<std::string>{"edge-a", "edge-b"}));
  EXPECT_DOUBLE_EQ(*s.first_frame_ms, 0.0);
  EXPECT_DOUBLE_EQ(s.decoded.p50_ms, 12.0);
}

TEST(Overlay, LinesNameEveryStatistic) {
  OverlayInfo info{sample_second(), 640, 360, "h264"};
  const auto lines = overlay_lines(info);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  for (const char* want :
       {"edge-a", "rtsp://127.0.0.1:8554/cam1", "640x360", "h264", "30.0 fps", "812 kb/s",
        "41 ms p50", "decode   1.2 ms", "dropped  1", "reconnects 0"}) {
    EXPECT_NE(all.find(want), std::string::npos) << want << " in\n" << all;
  }
}

TEST(Overlay, OfflineShowsFirstWithTheEdgesReason) {
  OverlayInfo info{sample_second(), 640, 360, "h264"};
  info.stats.state = "offline";
  info.stats.state_reason = "source offline - waiting (edge says source-down; reason=EOF)";
  const auto lines = overlay_lines(info);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "SOURCE OFFLINE - waiting");
  EXPECT_NE(lines[1].find("reason=EOF"), std::string::npos) << lines[1];
  EXPECT_EQ(overlay_lines({sample_second(), 640, 360, "h264"})[0].rfind("edge", 0), 0u);
}

TEST(Overlay, DrawsLightTextOnADarkBox) {
  cv::Mat frame(360, 640, CV_8UC3, cv::Scalar(191, 191, 191));
  const auto lines = overlay_lines({sample_second(), 640, 360, "h264"});
  draw_overlay(frame, lines);
  const cv::Rect box = overlay_box(frame.size(), lines);
  ASSERT_GT(box.area(), 0);
  int dark = 0;
  int light = 0;
  for (int y = box.y; y < box.y + box.height; ++y) {
    for (int x = box.x; x < box.x + box.width; ++x) {
      const auto p = frame.at<cv::Vec3b>(y, x);
      if (p[0] < 90 && p[1] < 90 && p[2] < 90) ++dark;
      if (p[0] > 200 && p[1] > 200 && p[2] > 200) ++light;
    }
  }
  EXPECT_GT(dark, box.area() / 2);
  EXPECT_GT(light, 100);
  EXPECT_EQ(frame.at<cv::Vec3b>(300, 600), cv::Vec3b(191, 191, 191));  // outside: untouched
}

TEST(ClientOptions, Validation) {
  ClientOptions ok;
  ok.url = "rtsp://127.0.0.1:8554/cam1";
  EXPECT_TRUE(validate(ok).ok());
  ClientOptions coord;
  coord.coordinator = "127.0.0.1:50051";
  EXPECT_TRUE(validate(coord).ok());
  struct Case {
    const char* name;
    ClientOptions o;
  };
  ClientOptions both = ok;
  both.coordinator = "127.0.0.1:50051";
  ClientOptions http = ok;
  http.url = "http://127.0.0.1/cam1";
  ClientOptions no_host = ok;
  no_host.url = "rtsp:///cam1";
  ClientOptions transport = ok;
  transport.transport = "sctp";
  ClientOptions retries = coord;
  retries.connect_retries = 0;
  ClientOptions backoff = ok;
  backoff.backoff_max = std::chrono::milliseconds(1);
  for (const Case& c :
       {Case{"neither", {}}, Case{"both", both}, Case{"http url", http}, Case{"no host", no_host},
        Case{"transport", transport}, Case{"retries", retries}, Case{"backoff", backoff}}) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(validate(c.o).ok());
  }
}

TEST(PlayerSession, RecognizesRtspUrls) {
  EXPECT_TRUE(is_rtsp_url("rtsp://127.0.0.1:8554/cam1"));
  EXPECT_TRUE(is_rtsp_url("rtsp://user:pw@cam.local/Streaming/Channels/101"));
  EXPECT_TRUE(is_rtsp_url("rtsps://cam.local:322/live"));
  EXPECT_FALSE(is_rtsp_url("rtsp://"));
  EXPECT_FALSE(is_rtsp_url("rtsp://:8554/cam1"));
  EXPECT_FALSE(is_rtsp_url("http://127.0.0.1/cam1"));
  EXPECT_FALSE(is_rtsp_url("rtsp://host/with space"));
  EXPECT_FALSE(is_rtsp_url("cam1"));
}

}  // namespace
}  // namespace client
