// Stream health: the stream_state parameter's format (cluster/stream_health) and the edge's
// per-stream state machine (edge/stream_health_tracker) with fake time.
#include <gtest/gtest.h>

#include "cluster/stream_health.hpp"
#include "edge/stream_health_tracker.hpp"

namespace {

using rs::cluster::StreamHealth;
constexpr int64_t kMs = 1000;                 // µs per ms
constexpr int64_t kWall = 1'780'000'000'000;  // a wall-clock instant, ms

rs::cluster::StreamStatus status(StreamHealth h, int64_t since_ms, std::string reason) {
  rs::cluster::StreamStatus s;
  s.set_health(h);
  s.set_since_unix_ms(since_ms);
  s.set_reason(std::move(reason));
  return s;
}

struct FormatCase {
  std::string_view name;
  rs::cluster::StreamStatus in;
  std::string_view out;
};

TEST(StreamState, FormatsAndParsesBack) {
  const FormatCase cases[] = {
      {"live, no reason", status(rs::cluster::STREAM_HEALTH_LIVE, 1'764'973'800'123, ""),
       "live; since=2025-12-05T22:30:00.123Z"},
      {"source down with a reason that has semicolons",
       status(rs::cluster::STREAM_HEALTH_SOURCE_DOWN, 1'764'973'800'000,
              "origin-1: cannot open the source: connection refused; retrying"),
       "source-down; since=2025-12-05T22:30:00.000Z; reason=origin-1: cannot open the source: "
       "connection refused; retrying"},
      {"origin silent, since unknown", status(rs::cluster::STREAM_HEALTH_ORIGIN_SILENT, 0, "x"),
       "origin-silent; reason=x"},
      {"edge-local", status(rs::cluster::STREAM_HEALTH_EDGE_LOCAL, 0, ""), "edge-local"},
      {"unknown stream", status(rs::cluster::STREAM_HEALTH_UNSPECIFIED, 0, "not carried"),
       "unknown; reason=not carried"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(cluster::format_stream_state(c.in), c.out);
    auto back = cluster::parse_stream_state(c.out);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->SerializeAsString(), c.in.SerializeAsString());
  }
}

TEST(StreamState, ReasonIsPrintableAndBounded) {
  const std::string reason = "line one\r\nline two" + std::string(500, 'x');
  const std::string out =
      cluster::format_stream_state(status(rs::cluster::STREAM_HEALTH_SOURCE_DOWN, 0, reason));
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_LE(out.size(), std::string("source-down; reason=").size() + cluster::kMaxReasonBytes);
}

TEST(StreamState, RejectsMalformed) {
  for (std::string_view bad : {"", "sideways", "live; since=yesterday", "; live"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(cluster::parse_stream_state(bad).has_value());
  }
  // Unknown fields from later versions are ignored.
  EXPECT_TRUE(cluster::parse_stream_state("live; viewers=3").has_value());
  EXPECT_TRUE(cluster::upstream_fault(rs::cluster::STREAM_HEALTH_SOURCE_DOWN));
  EXPECT_FALSE(cluster::upstream_fault(rs::cluster::STREAM_HEALTH_EDGE_LOCAL));
  EXPECT_FALSE(cluster::upstream_fault(rs::cluster::STREAM_HEALTH_LIVE));
}

rs::media::StreamInfo info(rs::media::StreamState state, int64_t since_us, std::string reason,
                           double fps = 30) {
  rs::media::StreamInfo i;
  i.set_stream("cam1");
  i.set_state(state);
  i.set_state_since_us(since_us);
  i.set_state_reason(std::move(reason));
  auto* t = i.add_tracks();
  t->set_track(0);
  t->set_fps(fps);
  return i;
}

rs::cluster::StreamFact fact(StreamHealth origin, std::vector<std::string> live_edges) {
  rs::cluster::StreamFact f;
  f.set_stream("cam1");
  f.mutable_origin()->set_health(origin);
  for (auto& e : live_edges) f.add_live_edges(e);
  return f;
}

// Feeds frames at 30 fps from `from_ms` to `to_ms` (exclusive).
void frames(edge::StreamHealthTracker& t, int64_t from_ms, int64_t to_ms) {
  for (int64_t ms = from_ms; ms < to_ms; ms += 33) t.on_frame(ms * kMs);
}

StreamHealth at(const edge::StreamHealthTracker& t, int64_t ms) {
  return t.status(ms * kMs, kWall + ms).health();
}

TEST(StreamHealthTracker, StartingThenLive) {
  edge::StreamHealthTracker t;
  t.on_subscribed(0);
  EXPECT_EQ(at(t, 100), rs::cluster::STREAM_HEALTH_STARTING);
  frames(t, 200, 1000);
  const auto s = t.status(1000 * kMs, kWall + 1000);
  EXPECT_EQ(s.health(), rs::cluster::STREAM_HEALTH_LIVE);
  EXPECT_EQ(s.since_unix_ms(), kWall + 200);
}

TEST(StreamHealthTracker, SilenceThresholdFollowsTheFrameRateButNeverBelowFloor) {
  edge::StreamHealthTracker t;
  t.on_info(info(rs::media::STREAM_STATE_LIVE, 0, "", 30), 0);
  EXPECT_EQ(t.silence_threshold().count(), 300 * kMs);  // 4 frames at 30 fps = 133 ms < 300 ms
  t.on_info(info(rs::media::STREAM_STATE_LIVE, 0, "", 5), 0);
  EXPECT_EQ(t.silence_threshold().count(), 800 * kMs);  // 4 frames at 5 fps
  t.on_frame(0);
  EXPECT_EQ(at(t, 799), rs::cluster::STREAM_HEALTH_LIVE);
  EXPECT_EQ(at(t, 800), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
}

TEST(StreamHealthTracker, OriginRestartIsOriginSilentThenLiveAgain) {
  edge::StreamHealthTracker t;
  t.on_subscribed(0);
  frames(t, 0, 5000);
  // The origin is killed at 5 s: within 300 ms nothing arrives and the edge says so.
  EXPECT_EQ(at(t, 5200), rs::cluster::STREAM_HEALTH_LIVE);
  const auto s = t.status(5400 * kMs, kWall + 5400);
  EXPECT_EQ(s.health(), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
  EXPECT_NE(s.reason().find("no frame from the origin"), std::string::npos) << s.reason();
  // The coordinator says the origin is gone too: still an upstream fault, never edge-local.
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_ORIGIN_SILENT, {}), "edge-1", 6000 * kMs);
  EXPECT_EQ(at(t, 7000), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
  frames(t, 9000, 9100);
  const auto back = t.status(9100 * kMs, kWall + 9100);
  EXPECT_EQ(back.health(), rs::cluster::STREAM_HEALTH_LIVE);
  EXPECT_EQ(back.since_unix_ms(), kWall + 9000);
}

TEST(StreamHealthTracker, AnOriginSwitchIsSaidWhileItWaitsForTheStandbysKeyframe) {
  edge::StreamHealthTracker t;
  t.on_subscribed(0);
  frames(t, 0, 3000);
  t.on_switching(true, 3050 * kMs);  // the active origin went silent; the standby is warm
  EXPECT_EQ(at(t, 3200), rs::cluster::STREAM_HEALTH_LIVE);  // not silent yet
  const auto s = t.status(3500 * kMs, kWall + 3500);
  EXPECT_EQ(s.health(), rs::cluster::STREAM_HEALTH_SWITCHING);
  EXPECT_EQ(s.since_unix_ms(), kWall + 3050);
  EXPECT_EQ(cluster::format_stream_state(s).rfind("origin-switch", 0), 0u);
  t.on_switching(false, 3600 * kMs);
  frames(t, 3600, 3700);
  EXPECT_EQ(at(t, 3700), rs::cluster::STREAM_HEALTH_LIVE);
}

TEST(StreamHealthTracker, SourceDownCarriesTheOriginsReasonUntilFramesReturn) {
  edge::StreamHealthTracker t;
  t.on_subscribed(0);
  frames(t, 0, 1000);
  t.on_info(info(rs::media::STREAM_STATE_DOWN, 1'764'973'800'000'000, "source lost: EOF"),
            1050 * kMs);
  const auto s = t.status(1400 * kMs, kWall + 1400);
  EXPECT_EQ(s.health(), rs::cluster::STREAM_HEALTH_SOURCE_DOWN);
  EXPECT_EQ(s.since_unix_ms(), 1'764'973'800'000);
  EXPECT_EQ(s.reason(), "at the origin: source lost: EOF");
  t.on_info(info(rs::media::STREAM_STATE_LIVE, 0, ""), 4000 * kMs);
  frames(t, 4000, 4100);
  EXPECT_EQ(at(t, 4100), rs::cluster::STREAM_HEALTH_LIVE);
}

TEST(StreamHealthTracker, ADownThatIsNoLongerRepeatedMeansTheOriginWentQuiet) {
  edge::StreamHealthTracker t;
  t.on_subscribed(0);
  frames(t, 0, 1000);
  for (int64_t ms = 1050; ms <= 3050; ms += 1000) {
    t.on_info(info(rs::media::STREAM_STATE_DOWN, 0, "camera gone"), ms * kMs);
  }
  EXPECT_EQ(at(t, 5500), rs::cluster::STREAM_HEALTH_SOURCE_DOWN);    // 2.45 s after the last
  EXPECT_EQ(at(t, 5600), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);  // the origin died too
}

TEST(StreamHealthTracker, LiveElsewhereBecomesEdgeLocalOnlyAfterTheHold) {
  edge::StreamHealthTracker t;
  t.on_subscribed(0);
  frames(t, 0, 1000);
  // This edge's link breaks at 1 s; the origin and edge-2 keep the stream live.
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_LIVE, {"edge-1", "edge-2"}), "edge-1", 1500 * kMs);
  EXPECT_EQ(at(t, 1500), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);  // another edge may just be
  EXPECT_EQ(at(t, 2900), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);  // quicker to reconnect
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_LIVE, {"edge-1", "edge-2"}), "edge-1", 3000 * kMs);
  EXPECT_EQ(at(t, 3400), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);  // live elsewhere 1.9 s
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_LIVE, {"edge-1", "edge-2"}), "edge-1", 3500 * kMs);
  const auto s = t.status(3500 * kMs, kWall + 3500);
  EXPECT_EQ(s.health(), rs::cluster::STREAM_HEALTH_EDGE_LOCAL);
  EXPECT_NE(s.reason().find("edge-2"), std::string::npos) << s.reason();
  EXPECT_EQ(s.reason().find("edge-1"), std::string::npos) << s.reason();
}

TEST(StreamHealthTracker, OnlyThisEdgeLiveIsNotEdgeLocalAndStaleFactsAreIgnored) {
  edge::StreamHealthTracker t;
  t.on_subscribed(0);
  frames(t, 0, 1000);
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_LIVE, {"edge-1"}), "edge-1", 3000 * kMs);
  EXPECT_EQ(at(t, 3100), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_LIVE, {"edge-2"}), "edge-1", 3200 * kMs);
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_LIVE, {"edge-2"}), "edge-1", 5200 * kMs);
  EXPECT_EQ(at(t, 5300), rs::cluster::STREAM_HEALTH_EDGE_LOCAL);
  // The coordinator went away: after 3 s its last word no longer counts.
  EXPECT_EQ(at(t, 8300), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
}

TEST(StreamHealthTracker, AfterAnOriginRestartTheFirstEdgeBackDoesNotMakeTheOthersEdgeLocal) {
  edge::StreamHealthTracker t;
  t.on_subscribed(0);
  frames(t, 0, 1000);  // origin killed at 1 s, silent for 4 s
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_ORIGIN_SILENT, {}), "edge-1", 2000 * kMs);
  // At 5 s the origin is back and edge-2 reconnected first; edge-1 follows 600 ms later.
  t.on_fact(fact(rs::cluster::STREAM_HEALTH_LIVE, {"edge-2"}), "edge-1", 5000 * kMs);
  EXPECT_EQ(at(t, 5500), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
  frames(t, 5600, 6000);
  EXPECT_EQ(at(t, 6000), rs::cluster::STREAM_HEALTH_LIVE);
}

}  // namespace
