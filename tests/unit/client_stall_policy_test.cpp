// StallPolicy: the player's decision when its edge goes quiet (edge answers / edge silent /
// edge-local / live but starved), table-driven.
#include "client/stall_policy.hpp"

#include <gtest/gtest.h>

namespace client {
namespace {

using namespace std::chrono_literals;
using Kind = StallDecision::Kind;

EdgeAnswer answered(rs::cluster::StreamHealth health, std::string reason = {}) {
  EdgeAnswer a;
  a.reply = EdgeReply::Answered;
  a.stream.emplace();
  a.stream->set_health(health);
  a.stream->set_reason(std::move(reason));
  return a;
}

struct Case {
  std::string_view name;
  EdgeAnswer answer;
  Kind want;
  bool offline;
  std::string_view reason_has;
};

TEST(StallPolicy, FirstAnswerDecides) {
  EdgeAnswer draining = answered(rs::cluster::STREAM_HEALTH_LIVE);
  draining.draining = true;
  const Case cases[] = {
      {"edge silent: no answer within the timeout",
       {EdgeReply::NoAnswer, {}, false, "300 ms"},
       Kind::Failover,
       false,
       "did not answer"},
      {"edge closed the connection",
       {EdgeReply::Closed, {}, false, "EOF"},
       Kind::Failover,
       false,
       "connection to the edge ended"},
      {"third-party server: 451",
       {EdgeReply::Refused, {}, false, "451 Parameter Not Understood"},
       Kind::Failover,
       false,
       "451"},
      {"source down at the origin", answered(rs::cluster::STREAM_HEALTH_SOURCE_DOWN, "camera gone"),
       Kind::Wait, true, "source offline"},
      {"origin silent (restart)", answered(rs::cluster::STREAM_HEALTH_ORIGIN_SILENT), Kind::Wait,
       true, "origin-silent"},
      {"edge starting the stream", answered(rs::cluster::STREAM_HEALTH_STARTING), Kind::Wait, true,
       "starting"},
      {"edge switching to a standby origin", answered(rs::cluster::STREAM_HEALTH_SWITCHING),
       Kind::Wait, false, "standby origin"},
      {"edge-local fault", answered(rs::cluster::STREAM_HEALTH_EDGE_LOCAL, "live on edge-2"),
       Kind::Failover, false, "edge-local"},
      {"edge draining", draining, Kind::Failover, false, "draining"},
      {"edge does not carry the stream", answered(rs::cluster::STREAM_HEALTH_UNSPECIFIED),
       Kind::Failover, false, "unknown"},
      {"answer without stream_state",
       {EdgeReply::Answered, {}, false, ""},
       Kind::Failover,
       false,
       "usable"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    StallPolicy policy;
    const StallDecision d = policy.on_answer(c.answer);
    EXPECT_EQ(d.kind, c.want);
    EXPECT_EQ(d.source_offline, c.offline);
    EXPECT_NE(d.reason.find(c.reason_has), std::string::npos) << d.reason;
    EXPECT_EQ(policy.source_offline(), c.offline);
  }
}

TEST(StallPolicy, UpstreamFaultRechecksWithCappedBackoffUntilMediaReturns) {
  StallPolicy policy;
  const auto down = answered(rs::cluster::STREAM_HEALTH_SOURCE_DOWN, "connection refused");
  const std::chrono::milliseconds want[] = {250ms, 500ms, 1000ms, 1000ms, 1000ms};
  for (auto w : want) {
    const StallDecision d = policy.on_answer(down);
    ASSERT_EQ(d.kind, Kind::Wait);
    EXPECT_EQ(d.recheck_in, w);
    EXPECT_LE(d.recheck_in, 1000ms);
  }
  policy.on_media();
  EXPECT_FALSE(policy.source_offline());
  EXPECT_EQ(policy.on_answer(down).recheck_in, 250ms);  // a new stall starts over
}

TEST(StallPolicy, LiveButStarvedGetsOneMoreCheckThenFailsOver) {
  StallPolicy policy;
  const auto live = answered(rs::cluster::STREAM_HEALTH_LIVE);
  StallDecision d = policy.on_answer(live);
  EXPECT_EQ(d.kind, Kind::Wait);
  EXPECT_FALSE(d.source_offline);
  d = policy.on_answer(live);
  EXPECT_EQ(d.kind, Kind::Failover);
  EXPECT_NE(d.reason.find("sends nothing"), std::string::npos) << d.reason;
}

TEST(StallPolicy, LiveAnswerAfterMediaResumedIsForgiven) {
  StallPolicy policy;
  const auto live = answered(rs::cluster::STREAM_HEALTH_LIVE);
  EXPECT_EQ(policy.on_answer(live).kind, Kind::Wait);
  policy.on_media();
  EXPECT_EQ(policy.on_answer(live).kind, Kind::Wait);
}

TEST(StallPolicy, EdgeThatStopsAnsweringWhileOfflineIsLeft) {
  StallPolicy policy;
  EXPECT_EQ(policy.on_answer(answered(rs::cluster::STREAM_HEALTH_ORIGIN_SILENT)).kind, Kind::Wait);
  EXPECT_TRUE(policy.source_offline());
  const StallDecision d = policy.on_answer({EdgeReply::NoAnswer, {}, false, "300 ms"});
  EXPECT_EQ(d.kind, Kind::Failover);
  EXPECT_FALSE(policy.source_offline());
}

}  // namespace
}  // namespace client
