// Prometheus text, JSON and the status table from a ClusterView (metrics.hpp).
#include "coordinator/metrics.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/strings.hpp"
#include "cluster/stream_health.hpp"

namespace coordinator {
namespace {

// Label values escape backslash, double quote and newline (Prometheus exposition format).
std::string escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += base::cat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

std::string state_name(rs::cluster::NodeState s) {
  switch (s) {
    case rs::cluster::NODE_STATE_READY:
      return "ready";
    case rs::cluster::NODE_STATE_SUSPECT:
      return "suspect";
    case rs::cluster::NODE_STATE_DRAINING:
      return "draining";
    case rs::cluster::NODE_STATE_UNHEALTHY:
      return "unhealthy";
    default:
      return "unknown";
  }
}

void node_metrics(std::string& out, const rs::cluster::ClusterView& view) {
  struct Gauge {
    const char* name;
    const char* help;
    double (*get)(const rs::cluster::NodeView&);
  };
  const Gauge gauges[] = {
      {"rs_coordinator_edge_readers", "Readers an edge reported",
       [](const rs::cluster::NodeView& n) { return double(n.last_report().readers()); }},
      {"rs_coordinator_edge_mbps", "Mb/s out an edge reported",
       [](const rs::cluster::NodeView& n) { return n.last_report().mbps_out(); }},
      {"rs_coordinator_edge_load", "Load score max(readers/cap, mbps/cap, cpu) incl. pending",
       [](const rs::cluster::NodeView& n) { return n.load(); }},
      {"rs_coordinator_edge_pending", "Assignments not yet confirmed by a report",
       [](const rs::cluster::NodeView& n) { return double(n.pending()); }},
      {"rs_coordinator_edge_capacity_readers", "Reader capacity an edge declared",
       [](const rs::cluster::NodeView& n) { return double(n.identity().capacity_readers()); }},
      {"rs_coordinator_edge_frames_dropped", "Frames an edge dropped (counter from its report)",
       [](const rs::cluster::NodeView& n) { return double(n.last_report().frames_dropped()); }},
      {"rs_coordinator_edge_assigned_total", "Clients assigned to the edge since it registered",
       [](const rs::cluster::NodeView& n) { return double(n.assigned_total()); }},
  };
  for (const auto& g : gauges) {
    header(out, g.name, "gauge", g.help);
    for (const auto& n : view.nodes()) {
      if (n.identity().role() != rs::cluster::ROLE_EDGE) continue;
      out += absl::StrFormat("%s{edge=\"%s\"} %g\n", g.name, escape(n.identity().name()), g.get(n));
    }
  }
  header(out, "rs_coordinator_report_age_seconds", "gauge", "Age of the last report per node");
  double max_age = 0;
  for (const auto& n : view.nodes()) {
    const double age = n.report_age_ms() / 1000.0;
    max_age = std::max(max_age, age);
    out += absl::StrFormat("rs_coordinator_report_age_seconds{node=\"%s\"} %g\n",
                           escape(n.identity().name()), age);
  }
  header(out, "rs_coordinator_view_age_seconds", "gauge",
         "Oldest report in the coordinator's view");
  out += absl::StrFormat("rs_coordinator_view_age_seconds %g\n", max_age);
}

constexpr rs::cluster::StreamHealth kHealths[] = {
    rs::cluster::STREAM_HEALTH_LIVE,        rs::cluster::STREAM_HEALTH_STARTING,
    rs::cluster::STREAM_HEALTH_SOURCE_DOWN, rs::cluster::STREAM_HEALTH_ORIGIN_SILENT,
    rs::cluster::STREAM_HEALTH_EDGE_LOCAL,  rs::cluster::STREAM_HEALTH_SWITCHING};

// Stream health as Prometheus state sets: one sample per health, 1 for the current one.
void stream_health_metrics(std::string& out, const rs::cluster::ClusterView& view) {
  header(out, "rs_coordinator_stream_health", "gauge",
         "Cluster-wide stream health: 1 for the current state (live, source-down, origin-silent)");
  for (const auto& s : view.streams()) {
    for (auto h : kHealths) {
      out += absl::StrFormat("rs_coordinator_stream_health{stream=\"%s\",state=\"%s\"} %d\n",
                             escape(s.stream()), cluster::health_name(h),
                             s.status().health() == h ? 1 : 0);
    }
  }
  header(out, "rs_coordinator_edge_stream_health", "gauge",
         "Stream health as each edge sees it: 1 for the current state");
  for (const auto& s : view.streams()) {
    for (const auto& e : s.per_edge()) {
      for (auto h : kHealths) {
        out += absl::StrFormat(
            "rs_coordinator_edge_stream_health{edge=\"%s\",stream=\"%s\",state=\"%s\"} %d\n",
            escape(e.edge()), escape(s.stream()), cluster::health_name(h),
            e.status().health() == h ? 1 : 0);
      }
    }
  }
}

}  // namespace

std::string prometheus_text(const rs::cluster::ClusterView& view) {
  std::string out;
  header(out, "rs_coordinator_nodes", "gauge", "Registered nodes by role and state");
  std::map<std::pair<std::string, std::string>, int> counts;
  for (const char* role : {"edge", "origin"}) {
    for (const char* state : {"ready", "suspect", "draining", "unhealthy"})
      counts[{role, state}] = 0;
  }
  for (const auto& n : view.nodes()) {
    const char* role = n.identity().role() == rs::cluster::ROLE_EDGE ? "edge" : "origin";
    ++counts[{role, state_name(n.state())}];
  }
  for (const auto& [key, count] : counts) {
    out += absl::StrFormat("rs_coordinator_nodes{role=\"%s\",state=\"%s\"} %d\n", key.first,
                           key.second, count);
  }
  header(out, "rs_coordinator_nodes_removed_total", "counter",
         "Nodes removed (stream end or silence)");
  out += absl::StrFormat("rs_coordinator_nodes_removed_total %d\n", view.removed_nodes());
  header(out, "rs_coordinator_assignments_total", "counter", "AssignEdge answers by result");
  const auto& a = view.assignments();
  for (auto [result, value] :
       {std::pair{"ok", a.ok()}, std::pair{"not_found", a.not_found()},
        std::pair{"unavailable", a.unavailable()}, std::pair{"resource_exhausted", a.exhausted()},
        std::pair{"invalid", a.invalid()}}) {
    out += absl::StrFormat("rs_coordinator_assignments_total{result=\"%s\"} %d\n", result, value);
  }
  node_metrics(out, view);
  header(out, "rs_coordinator_stream_readers", "gauge", "Readers per stream, all edges");
  for (const auto& s : view.streams()) {
    out += absl::StrFormat("rs_coordinator_stream_readers{stream=\"%s\"} %d\n", escape(s.stream()),
                           s.readers());
  }
  header(out, "rs_coordinator_stream_mbps", "gauge", "Mb/s out per stream, all edges");
  for (const auto& s : view.streams()) {
    out += absl::StrFormat("rs_coordinator_stream_mbps{stream=\"%s\"} %g\n", escape(s.stream()),
                           s.mbps_out());
  }
  header(out, "rs_coordinator_stream_frames_dropped", "gauge",
         "Frames dropped per stream, all edges");
  for (const auto& s : view.streams()) {
    out += absl::StrFormat("rs_coordinator_stream_frames_dropped{stream=\"%s\"} %d\n",
                           escape(s.stream()), s.frames_dropped());
  }
  stream_health_metrics(out, view);
  return out;
}

std::string cluster_json(const rs::cluster::ClusterView& view) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(view, &out, options);
  out.push_back('\n');
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
        edge ? "edge" : "origin", state_name(n.state()), id.advertised_url(),
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
