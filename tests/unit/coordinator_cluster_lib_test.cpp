// Pure parts of the cluster library and the coordinator's renderers: backoff with full jitter,
// the HTTP request line, Prometheus text, the status table.
#include <gtest/gtest.h>

#include "cluster/backoff.hpp"
#include "cluster/coordinator_client.hpp"
#include "cluster/http_server.hpp"
#include "coordinator/metrics.hpp"

namespace {

using std::chrono::milliseconds;

TEST(Backoff, FullJitterUnderADoublingCap) {
  cluster::Backoff b({milliseconds(100), milliseconds(1000)}, 42);
  const int64_t caps[] = {100, 200, 400, 800, 1000, 1000};
  for (int64_t cap : caps) {
    EXPECT_EQ(b.cap().count(), cap);
    const auto wait = b.next();
    EXPECT_GE(wait.count(), 0);
    EXPECT_LE(wait.count(), cap);
  }
  b.reset();
  EXPECT_EQ(b.cap().count(), 100);
}

TEST(Backoff, WaitsAreSpreadNotSynchronized) {
  // 1000 nodes at their third attempt: waits spread over [0, 400] ms.
  int buckets[4] = {};
  for (uint64_t seed = 0; seed < 1000; ++seed) {
    cluster::Backoff b({milliseconds(100), milliseconds(1000)}, seed);
    b.next();
    b.next();
    ++buckets[std::min<int64_t>(3, b.next().count() / 100)];
  }
  for (int n : buckets) EXPECT_GT(n, 150);
}

TEST(CoordinatorClient, RetriesOnlyTransientCodes) {
  EXPECT_TRUE(cluster::is_retryable(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(cluster::is_retryable(absl::StatusCode::kResourceExhausted));
  EXPECT_FALSE(cluster::is_retryable(absl::StatusCode::kNotFound));
  EXPECT_FALSE(cluster::is_retryable(absl::StatusCode::kUnauthenticated));
}

TEST(HttpServer, RequestLine) {
  struct Case {
    std::string_view name, in, want;
  };
  const Case cases[] = {
      {"metrics", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "/metrics"},
      {"query", "GET /api/cluster?x=1 HTTP/1.0\r\n\r\n", "/api/cluster?x=1"},
      {"post refused", "POST /metrics HTTP/1.1\r\n\r\n", ""},
      {"no version", "GET /metrics\r\n\r\n", ""},
      {"not a path", "GET metrics HTTP/1.1\r\n\r\n", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(cluster::http_request_path(c.in), c.want);
  }
}

rs::cluster::ClusterView sample_view() {
  rs::cluster::ClusterView view;
  auto* n = view.add_nodes();
  n->mutable_identity()->set_name("edge-\"a\"");
  n->mutable_identity()->set_role(rs::cluster::ROLE_EDGE);
  n->mutable_identity()->set_capacity_readers(100);
  n->set_state(rs::cluster::NODE_STATE_READY);
  n->mutable_last_report()->set_readers(7);
  n->set_report_age_ms(250);
  auto* s = view.add_streams();
  s->set_stream("cam1");
  s->set_readers(7);
  view.mutable_assignments()->set_ok(12);
  return view;
}

TEST(Metrics, PrometheusTextHasEveryFamilyAndEscapes) {
  const std::string text = coordinator::prometheus_text(sample_view());
  for (std::string_view want :
       {"rs_coordinator_nodes{role=\"edge\",state=\"ready\"} 1",
        "rs_coordinator_assignments_total{result=\"ok\"} 12",
        "rs_coordinator_edge_readers{edge=\"edge-\\\"a\\\"\"} 7",
        "rs_coordinator_view_age_seconds 0.25", "rs_coordinator_stream_readers{stream=\"cam1\"} 7",
        "# TYPE rs_coordinator_assignments_total counter"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
}

TEST(Metrics, StatusTableAndJson) {
  const std::string table = coordinator::status_table(sample_view());
  EXPECT_NE(table.find("7/100"), std::string::npos) << table;
  EXPECT_NE(table.find("cam1"), std::string::npos) << table;
  const std::string json = coordinator::cluster_json(sample_view());
  EXPECT_NE(json.find("\"nodes\""), std::string::npos) << json;
}

}  // namespace
