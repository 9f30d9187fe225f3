// EdgeSelector: the failover policy with a fake clock (time points passed in, no sleeps).
#include "client/edge_selector.hpp"

#include <gtest/gtest.h>

namespace client {
namespace {

using namespace std::chrono_literals;
using Kind = Step::Kind;

SteadyTime t0() {
  return SteadyTime(std::chrono::seconds(1000));
}

SelectorOptions coordinator_options() {
  SelectorOptions o;
  o.stream = "cam1";
  o.coordinator = "127.0.0.1:50051";
  o.seed = 42;
  return o;
}

// Playing `url` directly (no coordinator), giving up after `retries` attempts that never played.
SelectorOptions direct_options(std::string url, int retries = SelectorOptions{}.connect_retries) {
  SelectorOptions o;
  o.direct_url = std::move(url);
  o.connect_retries = retries;
  return o;
}

rs::cluster::AssignReply reply(const std::string& edge, std::vector<std::string> alternates) {
  rs::cluster::AssignReply r;
  r.set_edge(edge);
  r.set_url("rtsp://" + edge + ":8554/cam1");
  r.set_ttl_ms(10000);
  for (const auto& a : alternates) {
    auto* c = r.add_alternates();
    c->set_edge(a);
    c->set_url("rtsp://" + a + ":8554/cam1");
  }
  return r;
}

PlayOutcome stalled(bool got_frames = true) {
  return {PlayEnd::Stalled, got_frames, "no packet for 500 ms"};
}

TEST(EdgeSelector, AsksThenPlaysTheAssignedEdge) {
  EdgeSelector s(coordinator_options());
  Step step = s.start(t0());
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
  EXPECT_EQ(step.delay, 0ms);
  EXPECT_TRUE(step.excluded.empty());
  step = s.on_assigned(reply("edge-a", {"edge-b"}), t0());
  EXPECT_EQ(step.kind, Kind::Play);
  EXPECT_EQ(step.edge, "edge-a");
  EXPECT_EQ(step.url, "rtsp://edge-a:8554/cam1");
  EXPECT_NE(step.message.find("alternates: edge-b"), std::string::npos) << step.message;
}

TEST(EdgeSelector, LostEdgeIsExcludedWithGrowingJitteredBackoff) {
  EdgeSelector s(coordinator_options());
  s.start(t0());
  s.on_assigned(reply("edge-a", {}), t0());
  // Caps double from 250 ms up to 8 s; every wait is within [0, cap].
  const std::chrono::milliseconds caps[] = {250ms,  500ms,  1000ms, 2000ms,
                                            4000ms, 8000ms, 8000ms, 8000ms};
  bool any_below_cap = false;
  for (const auto cap : caps) {
    SCOPED_TRACE(cap.count());
    Step step = s.on_play_ended(stalled(false), t0());
    ASSERT_EQ(step.kind, Kind::AskCoordinator);
    EXPECT_EQ(step.excluded, std::vector<std::string>{"edge-a"});
    EXPECT_GE(step.delay, 0ms);
    EXPECT_LE(step.delay, cap);
    if (step.delay < cap) any_below_cap = true;
    EXPECT_NE(step.message.find("excluding edge-a"), std::string::npos) << step.message;
    EXPECT_NE(step.message.find("backoff cap " + std::to_string(cap.count()) + " ms"),
              std::string::npos)
        << step.message;
    s.on_assigned(reply("edge-a", {}), t0());  // the coordinator keeps answering edge-a
  }
  EXPECT_TRUE(any_below_cap);  // full jitter, not a fixed schedule
}

rs::cluster::AssignReply live_reply(const std::string& edge) {
  rs::cluster::AssignReply r = reply(edge, {});
  r.mutable_stream_status()->set_health(rs::cluster::STREAM_HEALTH_LIVE);
  return r;
}

TEST(EdgeSelector, WhileTheStreamIsLiveSomewhereRetriesStayUnderOneSecond) {
  EdgeSelector s(coordinator_options());
  s.start(t0());
  Step step = s.on_assigned(live_reply("edge-a"), t0());
  EXPECT_NE(step.message.find("stream live"), std::string::npos) << step.message;
  const std::chrono::milliseconds caps[] = {250ms, 500ms, 1000ms, 1000ms, 1000ms};
  for (const auto cap : caps) {
    SCOPED_TRACE(cap.count());
    step = s.on_play_ended(stalled(false), t0());
    ASSERT_EQ(step.kind, Kind::AskCoordinator);
    EXPECT_LE(step.delay, cap);
    EXPECT_NE(step.message.find("backoff cap " + std::to_string(cap.count()) + " ms"),
              std::string::npos)
        << step.message;
    s.on_assigned(live_reply("edge-a"), t0());
  }
}

TEST(EdgeSelector, EveryEdgeExcludedForgetsTheExclusionsInsteadOfBackingOff) {
  EdgeSelector s(coordinator_options());
  s.start(t0());
  s.on_assigned(reply("edge-a", {}), t0());
  Step step = s.on_play_ended(stalled(), t0());
  ASSERT_EQ(step.excluded, std::vector<std::string>{"edge-a"});
  const absl::Status none = absl::UnavailableError(
      "no healthy edge for stream \"cam1\": 1 edge(s) registered, 0 draining, unhealthy or "
      "silent, 0 not receiving the stream, 1 excluded by the client");
  step = s.on_assigned(none, t0());
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
  EXPECT_EQ(step.delay, 0ms);
  EXPECT_TRUE(step.excluded.empty());
  EXPECT_NE(step.message.find("forgetting the excluded edges"), std::string::npos) << step.message;
  EXPECT_TRUE(s.excluded(t0()).empty());
  // Without exclusions the same answer means no edge at all: back off then.
  step = s.on_assigned(none, t0());
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
  EXPECT_NE(step.message.find("backoff cap"), std::string::npos) << step.message;
}

TEST(EdgeSelector, FirstFrameResetsTheBackoff) {
  EdgeSelector s(coordinator_options());
  s.start(t0());
  s.on_assigned(reply("edge-a", {}), t0());
  s.on_play_ended(stalled(false), t0());
  s.on_assigned(reply("edge-b", {}), t0());
  s.on_play_ended(stalled(false), t0());
  EXPECT_EQ(s.failures(), 2);
  s.on_assigned(reply("edge-c", {}), t0());
  s.on_first_frame();
  EXPECT_EQ(s.failures(), 0);
  const Step step = s.on_play_ended(stalled(true), t0());
  EXPECT_LE(step.delay, 250ms);
  EXPECT_EQ(step.excluded, (std::vector<std::string>{"edge-a", "edge-b", "edge-c"}));
}

TEST(EdgeSelector, ExclusionsExpire) {
  SelectorOptions o = coordinator_options();
  o.exclude_for = 10s;
  EdgeSelector s(o);
  s.start(t0());
  s.on_assigned(reply("edge-a", {}), t0());
  EXPECT_EQ(s.on_play_ended(stalled(), t0()).excluded, std::vector<std::string>{"edge-a"});
  EXPECT_EQ(s.excluded(t0() + 9999ms), std::vector<std::string>{"edge-a"});
  EXPECT_TRUE(s.excluded(t0() + 10s).empty());
}

TEST(EdgeSelector, UnreachableCoordinatorFallsBackToAlternates) {
  EdgeSelector s(coordinator_options());
  s.start(t0());
  s.on_assigned(reply("edge-a", {"edge-b", "edge-c"}), t0());
  s.on_first_frame();
  s.on_play_ended(stalled(), t0());
  const absl::Status down = absl::UnavailableError("failed to connect to all addresses");
  Step step = s.on_assigned(down, t0());
  EXPECT_EQ(step.kind, Kind::Play);
  EXPECT_EQ(step.edge, "edge-b");
  EXPECT_EQ(step.delay, 0ms);
  EXPECT_NE(step.message.find("trying alternate edge-b"), std::string::npos) << step.message;
  step = s.on_play_ended(stalled(false), t0());
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
  EXPECT_EQ(step.excluded, (std::vector<std::string>{"edge-a", "edge-b"}));
  step = s.on_assigned(absl::DeadlineExceededError("deadline"), t0());
  EXPECT_EQ(step.kind, Kind::Play);
  EXPECT_EQ(step.edge, "edge-c");
  s.on_play_ended(stalled(false), t0());
  step = s.on_assigned(down, t0());  // no alternate left: back off and ask again, never give up
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
  EXPECT_GT(step.delay.count() + 1, 0);
}

TEST(EdgeSelector, UnreachedCoordinatorIsAskedAgainAtOnceThenGivenUp) {
  SelectorOptions o = coordinator_options();
  o.connect_retries = 3;
  EdgeSelector s(o);
  s.start(t0());
  const absl::Status silent = absl::DeadlineExceededError("Deadline Exceeded");
  // The request never left the client: the channel's reconnect backoff spaced the attempts.
  Step step = s.on_assigned(silent, t0(), /*reached=*/false);
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
  EXPECT_EQ(step.delay, 0ms);
  EXPECT_NE(step.message.find("unreachable"), std::string::npos) << step.message;
  EXPECT_NE(step.message.find("on attempt 1 "), std::string::npos) << step.message;
  EXPECT_NE(step.message.find("asking again at once"), std::string::npos) << step.message;
  // The coordinator answered UNAVAILABLE (reached): the client's own backoff applies.
  step = s.on_assigned(absl::UnavailableError("no healthy edge"), t0(), /*reached=*/true);
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
  EXPECT_NE(step.message.find("backoff cap"), std::string::npos) << step.message;
  step = s.on_assigned(silent, t0(), /*reached=*/false);
  EXPECT_EQ(step.kind, Kind::Exit);
  EXPECT_EQ(step.exit_code, kExitUnreachable);
  EXPECT_NE(step.message.find("coordinator unreachable: gave up"), std::string::npos)
      << step.message;
  EXPECT_NE(step.message.find("after 3 attempts"), std::string::npos) << step.message;
}

TEST(EdgeSelector, AlternatesSkipExcludedEdges) {
  EdgeSelector s(coordinator_options());
  s.start(t0());
  s.on_assigned(reply("edge-a", {"edge-b"}), t0());
  s.on_play_ended(stalled(), t0());
  s.on_assigned(reply("edge-b", {"edge-a"}), t0());  // edge-a is excluded: not an alternate
  s.on_play_ended(stalled(), t0());
  const Step step = s.on_assigned(absl::UnavailableError("down"), t0());
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
}

// The coordinator's first answer is final when the stream is unknown or the request refused: the
// client exits at once (no retry could change the answer) and says why.
TEST(EdgeSelector, UnknownStreamOrRefusedRequestExitsAtOnce) {
  struct Case {
    absl::Status answer;
    std::string_view says;
  };
  for (const Case& c :
       {Case{absl::NotFoundError("stream \"cam9\" is not published"), "unknown to the coordinator"},
        Case{absl::UnauthenticatedError("bad token"), "bad token"}}) {
    SCOPED_TRACE(c.answer.ToString());
    EdgeSelector s(coordinator_options());
    s.start(t0());
    const Step step = s.on_assigned(c.answer, t0());
    EXPECT_EQ(step.kind, Kind::Exit);
    EXPECT_EQ(step.exit_code, kExitNotFound);
    EXPECT_NE(step.message.find(c.says), std::string::npos) << step.message;
  }
}

TEST(EdgeSelector, NotFoundAfterPlayingIsRetried) {
  EdgeSelector s(coordinator_options());
  s.start(t0());
  s.on_assigned(reply("edge-a", {}), t0());
  s.on_first_frame();
  s.on_play_ended(stalled(), t0());
  const Step step = s.on_assigned(absl::NotFoundError("gone"), t0());
  EXPECT_EQ(step.kind, Kind::AskCoordinator);
}

TEST(EdgeSelector, CoordinatorDownAtStartGivesUpAfterRetries) {
  SelectorOptions o = coordinator_options();
  o.connect_retries = 5;
  EdgeSelector s(o);
  Step step = s.start(t0());
  int asks = 1;
  const absl::Status down = absl::UnavailableError("failed to connect to all addresses");
  while (true) {
    step = s.on_assigned(down, t0());
    if (step.kind == Kind::Exit) break;
    ASSERT_EQ(step.kind, Kind::AskCoordinator);
    ++asks;
    ASSERT_LE(asks, 5);
  }
  EXPECT_EQ(asks, 5);
  EXPECT_EQ(step.exit_code, kExitUnreachable);
  EXPECT_NE(step.message.find("after 5 attempts"), std::string::npos) << step.message;
  EXPECT_NE(step.message.find("failed to connect"), std::string::npos) << step.message;
}

TEST(EdgeSelector, DirectUrlNotFoundExitsWithoutRetry) {
  const SelectorOptions o = direct_options("rtsp://127.0.0.1:8554/nope");
  EdgeSelector s(o);
  Step step = s.start(t0());
  EXPECT_EQ(step.kind, Kind::Play);
  EXPECT_EQ(step.url, o.direct_url);
  step = s.on_play_ended({PlayEnd::NotFound, false, "404"}, t0());
  EXPECT_EQ(step.kind, Kind::Exit);
  EXPECT_EQ(step.exit_code, kExitNotFound);
}

TEST(EdgeSelector, DirectUrlReconnectsAfterPlaying) {
  const SelectorOptions o = direct_options("rtsp://127.0.0.1:8554/cam1", 2);
  EdgeSelector s(o);
  s.start(t0());
  s.on_first_frame();
  for (int i = 0; i < 10; ++i) {  // once it played, it never gives up
    const Step step = s.on_play_ended(stalled(false), t0());
    ASSERT_EQ(step.kind, Kind::Play);
    EXPECT_EQ(step.url, o.direct_url);
    EXPECT_NE(step.message.find("reconnecting"), std::string::npos) << step.message;
  }
}

TEST(EdgeSelector, DirectUrlRefusedAtStartGivesUp) {
  EdgeSelector s(direct_options("rtsp://127.0.0.1:1/cam1", 3));
  s.start(t0());
  const PlayOutcome refused{PlayEnd::Error, false, "Connection refused"};
  EXPECT_EQ(s.on_play_ended(refused, t0()).kind, Kind::Play);
  EXPECT_EQ(s.on_play_ended(refused, t0()).kind, Kind::Play);
  const Step step = s.on_play_ended(refused, t0());
  EXPECT_EQ(step.kind, Kind::Exit);
  EXPECT_EQ(step.exit_code, kExitUnreachable);
}

TEST(EdgeSelector, StoppedExitsCleanly) {
  EdgeSelector s(coordinator_options());
  s.start(t0());
  s.on_assigned(reply("edge-a", {}), t0());
  const Step step = s.on_play_ended({PlayEnd::Stopped, true, "stopped"}, t0());
  EXPECT_EQ(step.kind, Kind::Exit);
  EXPECT_EQ(step.exit_code, kExitOk);
}

}  // namespace
}  // namespace client
