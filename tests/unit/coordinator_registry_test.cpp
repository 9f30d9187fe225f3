// NodeRegistry with fake time: registration, silence, removal, pending accounting, drain,
// unknown streams, origins updates (coordinator/node_registry.hpp).
#include "coordinator/node_registry.hpp"

#include <gtest/gtest.h>

#include <map>

namespace coordinator {
namespace {

using std::chrono::milliseconds;

rs::cluster::NodeIdentity edge_id(const std::string& name, uint32_t capacity,
                                  std::string zone = {}) {
  rs::cluster::NodeIdentity id;
  id.set_name(name);
  id.set_role(rs::cluster::ROLE_EDGE);
  id.set_advertised_url("rtsp://" + name + ":8554/");
  id.set_capacity_readers(capacity);
  id.set_zone(zone);
  return id;
}

rs::cluster::NodeReport edge_report(uint32_t readers, bool draining = false) {
  rs::cluster::NodeReport r;
  auto* s = r.add_streams();
  s->set_stream("cam1");
  s->set_readers(readers);
  r.set_readers(readers);
  r.set_health(rs::cluster::HEALTH_OK);
  r.set_draining(draining);
  r.set_uptime_ms(3'600'000);  // warmed up
  return r;
}

rs::cluster::AssignRequest request(const std::string& stream = "cam1") {
  rs::cluster::AssignRequest r;
  r.set_stream(stream);
  return r;
}

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() : registry_(config()) {}
  static RegistryConfig config() {
    RegistryConfig c;
    c.seed = 5;
    return c;
  }
  uint64_t add_edge(const std::string& name, uint32_t capacity, uint32_t readers = 0) {
    return registry_.register_node(edge_id(name, capacity), edge_report(readers), now_, [] {});
  }
  std::map<std::string, int> assign_many(int n) {
    std::map<std::string, int> got;
    for (int i = 0; i < n; ++i) {
      auto r = registry_.assign(request(), now_);
      if (!r.ok()) {
        ++got[std::string(absl::StatusCodeToString(r.status().code()))];
      } else {
        ++got[r->edge()];
      }
    }
    return got;
  }
  TimePoint now_ = TimePoint() + std::chrono::hours(1);
  NodeRegistry registry_;
};

TEST_F(RegistryTest, AssignsByCapacityShareAndNeverPastIt) {
  add_edge("a", 100);
  add_edge("b", 100);
  add_edge("c", 200);
  auto got = assign_many(401);
  EXPECT_EQ(got["a"], 100);
  EXPECT_EQ(got["b"], 100);
  EXPECT_EQ(got["c"], 200);
  EXPECT_EQ(got["RESOURCE_EXHAUSTED"], 1);
}

TEST_F(RegistryTest, ReplyHasUrlAlternatesAndTtl) {
  add_edge("a", 100);
  add_edge("b", 100, 50);
  auto r = registry_.assign(request(), now_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->edge(), "a");
  EXPECT_EQ(r->url(), "rtsp://a:8554/cam1");
  ASSERT_EQ(r->alternates_size(), 1);
  EXPECT_EQ(r->alternates(0).edge(), "b");
  EXPECT_EQ(r->ttl_ms(), 10000u);
}

TEST_F(RegistryTest, ErrorsAreClear) {
  struct Case {
    std::string_view name;
    std::string stream;
    absl::StatusCode code;
    std::string_view message_part;
  };
  add_edge("a", 1, 1);
  const Case cases[] = {
      {"unknown stream", "nope", absl::StatusCode::kNotFound, "known streams: cam1"},
      {"empty stream", "", absl::StatusCode::kInvalidArgument, "stream name"},
      {"full", "cam1", absl::StatusCode::kResourceExhausted, "at capacity"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = registry_.assign(request(c.stream), now_);
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_NE(std::string(r.status().message()).find(c.message_part), std::string::npos)
        << r.status();
  }
}

TEST_F(RegistryTest, NoEdgesIsUnavailable) {
  rs::cluster::NodeIdentity origin;
  origin.set_name("o");
  origin.set_role(rs::cluster::ROLE_ORIGIN);
  origin.set_advertised_url("tcp://o:5556");
  rs::cluster::NodeReport r;
  r.add_origin_streams()->set_stream("cam1");
  registry_.register_node(origin, r, now_, [] {});
  EXPECT_EQ(registry_.assign(request(), now_).status().code(), absl::StatusCode::kUnavailable);
  auto origins = registry_.origins();
  ASSERT_EQ(origins.origins_size(), 1);
  EXPECT_EQ(origins.origins(0).url(), "tcp://o:5556");
}

TEST_F(RegistryTest, WithTwoReplicasPendingCountsTwiceAndReportsConfirmHalf) {
  // The edge reports to two coordinator replicas (ADR 015): this replica's own assignments
  // stand for as many again at the other one, and a report's new readers are half its own.
  auto report = [](uint32_t readers) {
    auto r = edge_report(readers);
    r.set_coordinator_replicas(2);
    return r;
  };
  const uint64_t a = registry_.register_node(edge_id("a", 100), report(0), now_, [] {});
  assign_many(10);
  EXPECT_EQ(registry_.view(now_).nodes(0).pending(), 10u);
  EXPECT_NEAR(registry_.view(now_).nodes(0).load(), 0.20, 1e-9);  // 20 pending / 100
  now_ += milliseconds(500);
  registry_.report(a, report(12), now_);  // 12 new readers: 6 of them ours
  EXPECT_EQ(registry_.view(now_).nodes(0).pending(), 4u);
}

TEST_F(RegistryTest, EveryOriginOfAStreamIsListed) {
  for (const char* name : {"origin-b", "origin-a"}) {
    rs::cluster::NodeIdentity origin;
    origin.set_name(name);
    origin.set_role(rs::cluster::ROLE_ORIGIN);
    origin.set_advertised_url(std::string("tcp://") + name + ":5556");
    rs::cluster::NodeReport r;
    r.add_origin_streams()->set_stream("cam1");
    registry_.register_node(origin, r, now_, [] {});
  }
  EXPECT_EQ(registry_.origins().origins_size(), 2);  // edges are told of both
  const auto view = registry_.view(now_);
  ASSERT_EQ(view.streams_size(), 1);
  EXPECT_EQ(view.streams(0).origin(), "origin-a");
  ASSERT_EQ(view.streams(0).origins_size(), 2);
  EXPECT_EQ(view.streams(0).origins(1), "origin-b");
}

TEST_F(RegistryTest, PendingIsConfirmedByReportsAndExpires) {
  const uint64_t a = add_edge("a", 100);
  assign_many(10);
  auto view = registry_.view(now_);
  EXPECT_EQ(view.nodes(0).pending(), 10u);
  now_ += milliseconds(500);
  registry_.report(a, edge_report(6), now_);  // six readers arrived
  EXPECT_EQ(registry_.view(now_).nodes(0).pending(), 4u);
  now_ += milliseconds(500);
  registry_.report(a, edge_report(6), now_);
  now_ += milliseconds(2600);  // past pending_ttl (3 s) since the assignments
  registry_.report(a, edge_report(6), now_);
  EXPECT_EQ(registry_.view(now_).nodes(0).pending(), 0u);
}

TEST_F(RegistryTest, SilentEdgeIsSuspectThenRemovedAndCancelled) {
  int cancelled = 0;
  const uint64_t a =
      registry_.register_node(edge_id("a", 100), edge_report(0), now_, [&] { ++cancelled; });
  const uint64_t b = add_edge("b", 100, 90);
  for (int i = 0; i < 3; ++i) {  // only b keeps reporting
    now_ += milliseconds(400);
    registry_.report(b, edge_report(90), now_);
  }
  // a is 1.2 s silent: more than 2 missed reports, so not assigned, but not yet removed.
  EXPECT_EQ(registry_.view(now_).nodes(0).state(), rs::cluster::NODE_STATE_SUSPECT);
  EXPECT_EQ(registry_.assign(request(), now_)->edge(), "b");
  EXPECT_EQ(registry_.sweep(now_), 0u);
  now_ += milliseconds(400);  // 1.6 s silent: removed
  registry_.report(b, edge_report(91), now_);
  EXPECT_EQ(registry_.sweep(now_), 1u);
  EXPECT_EQ(cancelled, 1);
  EXPECT_EQ(registry_.view(now_).nodes_size(), 1);
  EXPECT_FALSE(registry_.report(a, edge_report(0), now_));  // its stream must reconnect
}

TEST_F(RegistryTest, StreamEndRemovesAtOnceAndReplacedSessionIsIgnored) {
  const uint64_t first = add_edge("a", 100);
  int cancelled = 0;
  const uint64_t second =
      registry_.register_node(edge_id("a", 100), edge_report(0), now_, [&] { ++cancelled; });
  registry_.unregister(first, "stream closed");  // the old stream ending removes nothing
  EXPECT_EQ(registry_.view(now_).nodes_size(), 1);
  registry_.unregister(second, "stream closed");
  EXPECT_EQ(registry_.view(now_).nodes_size(), 0);
  EXPECT_EQ(cancelled, 1);
}

TEST_F(RegistryTest, DrainingAndUnhealthyEdgesGetNoClients) {
  const uint64_t a = add_edge("a", 100);
  add_edge("b", 100, 95);
  registry_.report(a, edge_report(0, /*draining=*/true), now_);
  auto got = assign_many(5);
  EXPECT_EQ(got["b"], 5);
  EXPECT_EQ(got["a"], 0);
  auto r = edge_report(0);
  r.set_health(rs::cluster::HEALTH_UNHEALTHY);
  registry_.report(a, r, now_);
  EXPECT_EQ(registry_.assign(request(), now_).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(RegistryTest, NewEdgeWarmsUpInsteadOfTakingTheBurst) {
  add_edge("old", 1000, 500);
  auto fresh = edge_report(0);
  fresh.set_uptime_ms(100);  // just started: 1% of the 10 s warm-up
  registry_.register_node(edge_id("new", 1000), fresh, now_, [] {});
  auto got = assign_many(100);
  EXPECT_EQ(got["new"], 10);  // max(4, 1000 * 1%) unconfirmed at a time
  EXPECT_EQ(got["old"], 90);
}

TEST_F(RegistryTest, ViewAggregatesStreams) {
  add_edge("a", 100, 3);
  add_edge("b", 100, 4);
  auto view = registry_.view(now_);
  ASSERT_EQ(view.streams_size(), 1);
  EXPECT_EQ(view.streams(0).readers(), 7u);
  EXPECT_EQ(view.streams(0).edges_size(), 2);
}

rs::cluster::NodeIdentity origin_id(const std::string& name) {
  rs::cluster::NodeIdentity id;
  id.set_name(name);
  id.set_role(rs::cluster::ROLE_ORIGIN);
  id.set_advertised_url("tcp://" + name + ":5556");
  return id;
}

rs::cluster::NodeReport origin_report(rs::media::StreamState state, std::string reason = {}) {
  rs::cluster::NodeReport r;
  auto* info = r.add_origin_streams();
  info->set_stream("cam1");
  info->set_state(state);
  info->set_state_since_us(1'764'973'800'000'000);
  info->set_state_reason(std::move(reason));
  return r;
}

rs::cluster::NodeReport edge_report_with(rs::cluster::StreamHealth health, uint32_t readers = 0) {
  rs::cluster::NodeReport r = edge_report(readers);
  r.mutable_streams(0)->mutable_status()->set_health(health);
  return r;
}

TEST_F(RegistryTest, StreamHealthFollowsTheOriginsReports) {
  const uint64_t o = registry_.register_node(
      origin_id("origin-1"), origin_report(rs::media::STREAM_STATE_LIVE), now_, [] {});
  add_edge("a", 100);
  EXPECT_EQ(registry_.stream_status("cam1", now_).health(), rs::cluster::STREAM_HEALTH_LIVE);
  registry_.report(o, origin_report(rs::media::STREAM_STATE_DOWN, "source lost: EOF"), now_);
  auto down = registry_.stream_status("cam1", now_);
  EXPECT_EQ(down.health(), rs::cluster::STREAM_HEALTH_SOURCE_DOWN);
  EXPECT_EQ(down.reason(), "origin-1: source lost: EOF");
  EXPECT_EQ(down.since_unix_ms(), 1'764'973'800'000);
  // A viewer asking now still gets an edge, and learns the stream is down.
  auto reply = registry_.assign(request(), now_);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->stream_status().health(), rs::cluster::STREAM_HEALTH_SOURCE_DOWN);
  registry_.unregister(o, "killed");
  EXPECT_EQ(registry_.stream_status("cam1", now_).health(),
            rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
}

TEST_F(RegistryTest, StreamSeenRecentlyIsStillAssignedWhenNoNodeReportsIt) {
  const uint64_t o = registry_.register_node(
      origin_id("origin-1"), origin_report(rs::media::STREAM_STATE_LIVE), now_, [] {});
  rs::cluster::NodeReport bare = edge_report(0);
  bare.clear_streams();
  registry_.register_node(edge_id("a", 100), bare, now_, [] {});
  registry_.unregister(o, "killed");  // nothing reports cam1 now
  auto reply = registry_.assign(request(), now_ + milliseconds(400));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->stream_status().health(), rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
  now_ += std::chrono::minutes(11);
  registry_.sweep(now_);
  EXPECT_EQ(registry_.assign(request(), now_).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryTest, EdgeLocalEdgesGetNoNewViewersOfThatStream) {
  registry_.register_node(origin_id("origin-1"), origin_report(rs::media::STREAM_STATE_LIVE), now_,
                          [] {});
  registry_.register_node(edge_id("a", 100),
                          edge_report_with(rs::cluster::STREAM_HEALTH_EDGE_LOCAL), now_, [] {});
  registry_.register_node(edge_id("b", 100), edge_report_with(rs::cluster::STREAM_HEALTH_LIVE),
                          now_, [] {});
  auto got = assign_many(20);
  EXPECT_EQ(got["a"], 0);
  EXPECT_EQ(got["b"], 20);
  auto view = registry_.view(now_);
  ASSERT_EQ(view.streams_size(), 1);
  ASSERT_EQ(view.streams(0).per_edge_size(), 2);
  EXPECT_EQ(view.streams(0).per_edge(0).edge(), "a");
  EXPECT_EQ(view.streams(0).per_edge(0).status().health(), rs::cluster::STREAM_HEALTH_EDGE_LOCAL);
  EXPECT_EQ(view.streams(0).status().health(), rs::cluster::STREAM_HEALTH_LIVE);
}

TEST_F(RegistryTest, FactsNameTheLiveEdgesAndChangeVersionOnlyOnChange) {
  registry_.register_node(origin_id("origin-1"), origin_report(rs::media::STREAM_STATE_LIVE), now_,
                          [] {});
  const uint64_t a = registry_.register_node(
      edge_id("a", 100), edge_report_with(rs::cluster::STREAM_HEALTH_LIVE), now_, [] {});
  registry_.register_node(edge_id("b", 100), edge_report_with(rs::cluster::STREAM_HEALTH_LIVE),
                          now_, [] {});
  registry_.sweep(now_);
  auto facts = registry_.facts();
  ASSERT_EQ(facts.streams_size(), 1);
  EXPECT_EQ(facts.streams(0).origin().health(), rs::cluster::STREAM_HEALTH_LIVE);
  EXPECT_EQ(std::vector<std::string>(facts.streams(0).live_edges().begin(),
                                     facts.streams(0).live_edges().end()),
            (std::vector<std::string>{"a", "b"}));
  const uint64_t version = facts.version();
  now_ += milliseconds(300);
  registry_.sweep(now_);
  EXPECT_EQ(registry_.facts().version(), version);
  registry_.report(a, edge_report_with(rs::cluster::STREAM_HEALTH_ORIGIN_SILENT), now_);
  now_ += milliseconds(300);
  registry_.sweep(now_);
  EXPECT_EQ(registry_.facts().version(), version + 1);
  EXPECT_EQ(registry_.facts().streams(0).live_edges_size(), 1);
}

}  // namespace
}  // namespace coordinator
