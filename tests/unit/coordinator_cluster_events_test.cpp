// The dashboard's timeline: which events lead from one cluster view to the next, and the log
// watchers wait on.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "coordinator/cluster_events.hpp"

namespace coordinator {
namespace {

using rs::cluster::ClusterView;

ClusterView view(int64_t at) {
  ClusterView v;
  v.set_generated_unix_ms(at);
  return v;
}

rs::cluster::NodeView* add_node(ClusterView& v, const std::string& name, rs::cluster::Role role,
                                rs::cluster::NodeState state = rs::cluster::NODE_STATE_READY) {
  auto* n = v.add_nodes();
  n->mutable_identity()->set_name(name);
  n->mutable_identity()->set_role(role);
  n->mutable_identity()->set_advertised_url("rtsp://10.0.0.1:8554");
  n->set_state(state);
  return n;
}

void add_stream(ClusterView& v, const std::string& name, rs::cluster::StreamHealth health,
                const std::string& reason = "") {
  auto* s = v.add_streams();
  s->set_stream(name);
  s->set_origin("origin-1");
  s->mutable_status()->set_health(health);
  s->mutable_status()->set_reason(reason);
}

std::vector<std::string> kinds_and_subjects(const std::vector<ClusterEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.kind + " " + e.subject);
  return out;
}

TEST(ClusterEvents, NodesJoinChangeStateAndLeave) {
  using rs::cluster::ROLE_EDGE;
  struct Case {
    std::string name;
    std::function<void(ClusterView&)> before, after;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"joined",
       [](ClusterView&) {},
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE); },
       {"node-joined edge-a"}},
      {"left",
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE); },
       [](ClusterView&) {},
       {"node-left edge-a"}},
      {"suspect then ready",
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE, rs::cluster::NODE_STATE_SUSPECT); },
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE); },
       {"node-ready edge-a"}},
      {"suspect",
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE); },
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE, rs::cluster::NODE_STATE_SUSPECT); },
       {"node-suspect edge-a"}},
      {"draining by report",
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE); },
       [](ClusterView& v) {
         add_node(v, "edge-a", ROLE_EDGE)->mutable_last_report()->set_draining(true);
       },
       {"node-draining edge-a"}},
      {"end of warm-up is not an event",
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE)->set_warming(true); },
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE); },
       {}},
      {"unchanged",
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE); },
       [](ClusterView& v) { add_node(v, "edge-a", ROLE_EDGE); },
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ClusterView before = view(1), after = view(2);
    c.before(before);
    c.after(after);
    EXPECT_EQ(kinds_and_subjects(diff_views(before, after)), c.want);
  }
}

TEST(ClusterEvents, StreamsGoDownAndUp) {
  ClusterView a = view(1), b = view(2), c = view(3), d = view(4);
  add_stream(a, "cam1", rs::cluster::STREAM_HEALTH_STARTING);
  add_stream(b, "cam1", rs::cluster::STREAM_HEALTH_LIVE);
  add_stream(c, "cam1", rs::cluster::STREAM_HEALTH_SOURCE_DOWN, "camera gone");
  const auto up = diff_views(a, b);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0], (ClusterEvent{2, "stream-up", "cam1", "live from origin-1"}));
  const auto down = diff_views(b, c);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0], (ClusterEvent{3, "stream-down", "cam1", "source-down: camera gone"}));
  EXPECT_TRUE(diff_views(c, c).empty());
  EXPECT_EQ(kinds_and_subjects(diff_views(b, d)), std::vector<std::string>{"stream-down cam1"})
      << "a live stream that vanishes from the view went down";
}

TEST(ClusterEvents, JsonIsOneValidObject) {
  const std::string line = event_json({7, "node-joined", "edge-\"x\"\n", "edge rtsp://h:1"});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["unix_ms"], 7);
  EXPECT_EQ(j["subject"], "edge-\"x\"\n");
}

TEST(ClusterEvents, LogKeepsTheLastEventsAndWakesWaiters) {
  EventLog log;
  ClusterView empty = view(1);
  log.observe(empty);  // baseline: no events
  EXPECT_TRUE(log.since(0, std::chrono::milliseconds(0)).empty());
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ClusterView one = view(2);
    add_node(one, "edge-a", rs::cluster::ROLE_EDGE);
    log.observe(one);
  });
  const auto got = log.since(0, std::chrono::seconds(5));
  later.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sequence, 1u);
  EXPECT_EQ(got[0].event.kind, "node-joined");
  // Flapping past the bound keeps only the newest kTimelineEvents.
  for (int i = 0; i < 200; ++i) {
    ClusterView v = view(10 + i);
    if (i % 2 == 0) add_node(v, "edge-a", rs::cluster::ROLE_EDGE);
    log.observe(v);
  }
  const auto all = log.since(0, std::chrono::milliseconds(0));
  ASSERT_EQ(all.size(), kTimelineEvents);
  EXPECT_EQ(all.back().sequence, 200u);  // 1 join, then 199 changes
  EXPECT_EQ(all.front().sequence, 200u - kTimelineEvents + 1);
}

}  // namespace
}  // namespace coordinator
