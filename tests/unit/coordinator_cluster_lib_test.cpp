// Pure parts of the cluster library and the coordinator's renderers: backoff with full jitter,
// the HTTP request line, Prometheus text, the status table.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/build_info.hpp"
#include "cluster/backoff.hpp"
#include "cluster/coordinator_client.hpp"
#include "cluster/prometheus_text.hpp"
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

TEST(MetricsText, GroupsSamplesUnderTheirFamilyAndPrintsIntegersExactly) {
  cluster::MetricsText w;
  w.family("rs_a_total", "counter", "A");
  w.family("rs_b", "gauge", "B");
  w.sample("rs_a_total", {{"x", "1"}}, uint64_t{1234567});
  w.sample("rs_b", {}, 0.25);
  w.sample("rs_a_total", {{"x", "2"}}, uint64_t{18446744073709551615u});
  w.sample("rs_b", {{"q", "say \"hi\"\\\n"}}, 3.0);
  EXPECT_EQ(w.text(),
            "# HELP rs_a_total A\n# TYPE rs_a_total counter\n"
            "rs_a_total{x=\"1\"} 1234567\nrs_a_total{x=\"2\"} 18446744073709551615\n"
            "# HELP rs_b B\n# TYPE rs_b gauge\n"
            "rs_b 0.25\nrs_b{q=\"say \\\"hi\\\"\\\\\\n\"} 3\n");
}

TEST(MetricsText, NumberFormats) {
  struct Case {
    double in;
    std::string_view want;
  };
  const Case cases[] = {{0, "0"},          {1234567, "1234567"}, {-3, "-3"},
                        {0.1, "0.1"},      {1e-7, "1e-07"},      {2.5e15, "2500000000000000"},
                        {1e300, "1e+300"}, {0.0001, "0.0001"}};
  for (const auto& c : cases) EXPECT_EQ(cluster::format_metric_value(c.in), c.want) << c.in;
  EXPECT_EQ(cluster::format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(cluster::format_metric_value(std::nan("")), "NaN");
}

TEST(MetricsText, HistogramHasCumulativeBucketsSumAndCount) {
  cluster::DelayHistogram h;
  h.observe(300);     // 0.3 ms
  h.observe(40'000);  // 40 ms
  h.observe(-5);      // clock step: counts as 0
  cluster::MetricsText w;
  w.family("rs_t_seconds", "histogram", "T");
  w.histogram("rs_t_seconds", {&h}, {{"stream", "cam1"}});
  const std::string text = w.text();
  for (std::string_view want :
       {"rs_t_seconds_bucket{stream=\"cam1\",le=\"0.0001\"} 1\n",
        "rs_t_seconds_bucket{stream=\"cam1\",le=\"0.0005\"} 2\n",
        "rs_t_seconds_bucket{stream=\"cam1\",le=\"0.05\"} 3\n",
        "rs_t_seconds_bucket{stream=\"cam1\",le=\"+Inf\"} 3\n",
        "rs_t_seconds_sum{stream=\"cam1\"} 0.0403\n", "rs_t_seconds_count{stream=\"cam1\"} 3\n"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
}

TEST(BuildInfo, MetricAndVersionLine) {
  EXPECT_NE(base::build_info_metric().find("rs_build_info{version=\"" +
                                           std::string(base::kBuildVersion) + "\",commit=\""),
            std::string::npos);
  EXPECT_EQ(
      base::version_line("rtsp-edge").rfind("rtsp-edge " + std::string(base::kBuildVersion), 0),
      0u);
}

rs::cluster::ClusterView sample_view() {
  rs::cluster::ClusterView view;
  auto* n = view.add_nodes();
  n->mutable_identity()->set_name("edge-\"a\"");
  n->mutable_identity()->set_role(rs::cluster::ROLE_EDGE);
  n->mutable_identity()->set_capacity_readers(100);
  n->set_state(rs::cluster::NODE_STATE_READY);
  n->mutable_last_report()->set_readers(7);
  n->mutable_last_report()->set_mbps_out(8);
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
        "# TYPE rs_coordinator_assignments_total counter",
        "# TYPE rs_coordinator_edge_frames_dropped_total counter",
        "# TYPE rs_coordinator_edge_assigned_total counter",
        "rs_coordinator_edge_sent_bytes_per_second{edge=\"edge-\\\"a\\\"\"} 1000000"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
}

TEST(Metrics, StatusTableAndJson) {
  const std::string table = coordinator::status_table(sample_view());
  EXPECT_NE(table.find("7/100"), std::string::npos) << table;
  EXPECT_NE(table.find("cam1"), std::string::npos) << table;
  const std::string json = coordinator::cluster_json(sample_view());
  EXPECT_EQ(json.find('\n'), std::string::npos) << "one line, for the event stream";
  const auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(j.is_object()) << json;
  EXPECT_EQ(j["nodes"][0]["identity"]["name"], "edge-\"a\"");
  EXPECT_EQ(j["nodes"][0]["state"], "NODE_STATE_READY");
  EXPECT_EQ(j["nodes"][0]["report_age_ms"], "250") << "int64 is a string in proto3 JSON";
  EXPECT_EQ(j["assignments"]["ok"], "12");
}

}  // namespace
