// Prometheus text, JSON and the status table from a ClusterView (metrics.hpp).
#include "coordinator/metrics.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/strings.hpp"
#include "cluster/prometheus_text.hpp"
#include "cluster/stream_health.hpp"
#include "coordinator/cluster_events.hpp"

namespace coordinator {
namespace {

using cluster::MetricsText;

void node_metrics(MetricsText& w, const rs::cluster::ClusterView& view) {
  struct Per {
    const char* name;
    const char* type;
    const char* help;
    double (*get)(const rs::cluster::NodeView&);
  };
  const Per per_edge[] = {
      {"rs_coordinator_edge_readers", "gauge", "Readers an edge reported",
       [](const rs::cluster::NodeView& n) { return double(n.last_report().readers()); }},
      {"rs_coordinator_edge_sent_bytes_per_second", "gauge",
       "Bytes per second an edge reported sending to readers",
       [](const rs::cluster::NodeView& n) { return n.last_report().mbps_out() * 1e6 / 8; }},
      {"rs_coordinator_edge_cpu_ratio", "gauge", "Share of its CPU capacity an edge reported, 0..1",
       [](const rs::cluster::NodeView& n) { return n.last_report().cpu(); }},
      {"rs_coordinator_edge_load", "gauge",
       "Load score max(readers/cap, bytes/cap, cpu) including pending assignments",
       [](const rs::cluster::NodeView& n) { return n.load(); }},
      {"rs_coordinator_edge_pending", "gauge", "Assignments not yet confirmed by a report",
       [](const rs::cluster::NodeView& n) { return double(n.pending()); }},
      {"rs_coordinator_edge_capacity_readers", "gauge", "Reader capacity an edge declared",
       [](const rs::cluster::NodeView& n) { return double(n.identity().capacity_readers()); }},
      {"rs_coordinator_edge_frames_dropped_total", "counter",
       "Frames an edge dropped (its own counter, as reported)",
       [](const rs::cluster::NodeView& n) { return double(n.last_report().frames_dropped()); }},
      {"rs_coordinator_edge_frames_skipped_total", "counter",
       "Frames an edge's slow readers skipped (its own counter, as reported)",
       [](const rs::cluster::NodeView& n) { return double(n.last_report().frames_skipped()); }},
      {"rs_coordinator_edge_assigned_total", "counter",
       "Clients this coordinator assigned to the edge since it registered",
       [](const rs::cluster::NodeView& n) { return double(n.assigned_total()); }},
  };
  for (const auto& m : per_edge) {
    w.family(m.name, m.type, m.help);
    for (const auto& n : view.nodes()) {
      if (n.identity().role() != rs::cluster::ROLE_EDGE) continue;
      w.sample(m.name, {{"edge", n.identity().name()}}, m.get(n));
    }
  }
  w.family("rs_coordinator_report_age_seconds", "gauge", "Age of the last report per node");
  double max_age = 0;
  for (const auto& n : view.nodes()) {
    const double age = static_cast<double>(n.report_age_ms()) / 1000.0;
    max_age = std::max(max_age, age);
    w.sample("rs_coordinator_report_age_seconds", {{"node", n.identity().name()}}, age);
  }
  w.family("rs_coordinator_view_age_seconds", "gauge", "Oldest report in the coordinator's view");
  w.sample("rs_coordinator_view_age_seconds", {}, max_age);
}

constexpr rs::cluster::StreamHealth kHealths[] = {
    rs::cluster::STREAM_HEALTH_LIVE,        rs::cluster::STREAM_HEALTH_STARTING,
    rs::cluster::STREAM_HEALTH_SOURCE_DOWN, rs::cluster::STREAM_HEALTH_ORIGIN_SILENT,
    rs::cluster::STREAM_HEALTH_EDGE_LOCAL,  rs::cluster::STREAM_HEALTH_SWITCHING};

// Stream health as Prometheus state sets: one sample per health, 1 for the current one.
void stream_health_metrics(MetricsText& w, const rs::cluster::ClusterView& view) {
  w.family("rs_coordinator_stream_health", "gauge",
           "Cluster-wide stream health: 1 for the current state");
  for (const auto& s : view.streams()) {
    for (auto h : kHealths) {
      w.sample("rs_coordinator_stream_health",
               {{"stream", s.stream()}, {"state", cluster::health_name(h)}},
               uint64_t{s.status().health() == h});
    }
  }
  w.family("rs_coordinator_edge_stream_health", "gauge",
           "Stream health as each edge sees it: 1 for the current state");
  for (const auto& s : view.streams()) {
    for (const auto& e : s.per_edge()) {
      for (auto h : kHealths) {
        w.sample("rs_coordinator_edge_stream_health",
                 {{"edge", e.edge()}, {"stream", s.stream()}, {"state", cluster::health_name(h)}},
                 uint64_t{e.status().health() == h});
      }
    }
  }
}

}  // namespace

std::string prometheus_text(const rs::cluster::ClusterView& view) {
  MetricsText w;
  w.family("rs_coordinator_nodes", "gauge", "Registered nodes by role and state");
  std::map<std::pair<std::string, std::string>, uint64_t> counts;
  for (const char* role : {"edge", "origin"}) {
    for (const char* state : {"ready", "suspect", "draining", "unhealthy"})
      counts[{role, state}] = 0;
  }
  for (const auto& n : view.nodes()) {
    const char* role = n.identity().role() == rs::cluster::ROLE_EDGE ? "edge" : "origin";
    ++counts[{role, node_state_name(n.state())}];
  }
  for (const auto& [key, count] : counts) {
    w.sample("rs_coordinator_nodes", {{"role", key.first}, {"state", key.second}}, count);
  }
  w.family("rs_coordinator_nodes_removed_total", "counter",
           "Nodes removed (stream end or silence)");
  w.sample("rs_coordinator_nodes_removed_total", {}, view.removed_nodes());
  w.family("rs_coordinator_assignments_total", "counter", "AssignEdge answers by result");
  const auto& a = view.assignments();
  for (auto [result, value] :
       {std::pair{"ok", a.ok()}, std::pair{"not_found", a.not_found()},
        std::pair{"unavailable", a.unavailable()}, std::pair{"resource_exhausted", a.exhausted()},
        std::pair{"invalid", a.invalid()}}) {
    w.sample("rs_coordinator_assignments_total", {{"result", result}}, value);
  }
  node_metrics(w, view);
  w.family("rs_coordinator_stream_readers", "gauge", "Readers per stream, all edges");
  w.family("rs_coordinator_stream_sent_bytes_per_second", "gauge",
           "Bytes per second sent to readers per stream, all edges");
  w.family("rs_coordinator_stream_frames_dropped_total", "counter",
           "Frames dropped per stream, all edges (sum of the edges' counters)");
  for (const auto& s : view.streams()) {
    w.sample("rs_coordinator_stream_readers", {{"stream", s.stream()}}, uint64_t{s.readers()});
    w.sample("rs_coordinator_stream_sent_bytes_per_second", {{"stream", s.stream()}},
             s.mbps_out() * 1e6 / 8);
    w.sample("rs_coordinator_stream_frames_dropped_total", {{"stream", s.stream()}},
             s.frames_dropped());
  }
  stream_health_metrics(w, view);
  return w.text();
}

std::string cluster_json(const rs::cluster::ClusterView& view) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(view, &out, options);
  return out;
}

std::string status_table(const rs::cluster::ClusterView& view) {
  std::string out =
      absl::StrFormat("%-16s %-6s %-9s %-32s %9s %8s %7s %6s %7s %6s\n", "NODE", "ROLE", "STATE",
                      "URL", "READERS", "MBPS", "LOAD", "CPU", "PENDING", "AGE");
  for (const auto& n : view.nodes()) {
    const auto& id = n.identity();
    const auto& r = n.last_report();
    const bool edge = id.role() == rs::cluster::ROLE_EDGE;
    out += absl::StrFormat(
        "%-16s %-6s %-9s %-32s %9s %8.1f %6.0f%% %5.0f%% %7d %5.1fs\n", id.name(),
        edge ? "edge" : "origin", node_state_name(n.state()), id.advertised_url(),
        edge ? absl::StrFormat("%d/%d", r.readers(), id.capacity_readers()) : std::string("-"),
        r.mbps_out(), n.load() * 100, r.cpu() * 100, n.pending(), n.report_age_ms() / 1000.0);
  }
  out += absl::StrFormat("\n%-24s %-14s %-16s %8s %8s %8s  %s\n", "STREAM", "STATE", "ORIGIN",
                         "READERS", "MBPS", "DROPPED", "EDGES");
  for (const auto& s : view.streams()) {
    out += absl::StrFormat(
        "%-24s %-14s %-16s %8d %8.1f %8d  %s\n", s.stream(),
        cluster::health_name(s.status().health()),
        s.origin().empty()     ? std::string("-")
        : s.origins_size() > 1 ? base::cat(s.origin(), " +", s.origins_size() - 1)
                               : s.origin(),
        s.readers(), s.mbps_out(), s.frames_dropped(), absl::StrJoin(s.edges(), ","));
  }
  out += absl::StrFormat("\n%-24s %-16s %-14s %8s  %s\n", "STREAM", "EDGE", "STATE", "READERS",
                         "SINCE / REASON");
  for (const auto& s : view.streams()) {
    if (s.status().health() != rs::cluster::STREAM_HEALTH_LIVE) {
      out += absl::StrFormat("%-24s %-16s %-14s %8s  %s\n", s.stream(), "(cluster)",
                             cluster::health_name(s.status().health()), "-",
                             cluster::format_stream_state(s.status()));
    }
    for (const auto& e : s.per_edge()) {
      out += absl::StrFormat("%-24s %-16s %-14s %8d  %s\n", s.stream(), e.edge(),
                             cluster::health_name(e.status().health()), e.readers(),
                             cluster::format_stream_state(e.status()));
    }
  }
  const auto& a = view.assignments();
  out += absl::StrFormat(
      "\nassignments: ok %d, not_found %d, unavailable %d, exhausted %d; nodes removed %d\n",
      a.ok(), a.not_found(), a.unavailable(), a.exhausted(), view.removed_nodes());
  return out;
}

}  // namespace coordinator
