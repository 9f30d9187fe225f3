// Timeline events from successive cluster views (cluster_events.hpp).
#include "coordinator/cluster_events.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "base/lookup.hpp"
#include "base/strings.hpp"
#include "cluster/stream_health.hpp"

namespace coordinator {
namespace {

using rs::cluster::ClusterView;
using rs::cluster::NodeView;
using rs::cluster::StreamView;

bool is_live(const StreamView& s) {
  return s.status().health() == rs::cluster::STREAM_HEALTH_LIVE;
}
bool is_down(const StreamView& s) {
  const auto h = s.status().health();
  return h == rs::cluster::STREAM_HEALTH_SOURCE_DOWN ||
         h == rs::cluster::STREAM_HEALTH_ORIGIN_SILENT;
}

std::string role_word(const NodeView& n) {
  return n.identity().role() == rs::cluster::ROLE_EDGE ? "edge" : "origin";
}

template <typename T, typename Key>
std::map<std::string, const T*> by_name(const google::protobuf::RepeatedPtrField<T>& items,
                                        Key key) {
  std::map<std::string, const T*> out;
  for (const T& item : items) out[key(item)] = &item;
  return out;
}

}  // namespace

std::string node_state_name(rs::cluster::NodeState state) {
  static constexpr base::Row<rs::cluster::NodeState, const char*> kNames[] = {
      {rs::cluster::NODE_STATE_READY, "ready"},
      {rs::cluster::NODE_STATE_SUSPECT, "suspect"},
      {rs::cluster::NODE_STATE_DRAINING, "draining"},
      {rs::cluster::NODE_STATE_UNHEALTHY, "unhealthy"}};
  return base::lookup(kNames, state, "unknown");
}

std::string node_state_word(const NodeView& node) {
  if (node.state() != rs::cluster::NODE_STATE_READY) return node_state_name(node.state());
  if (node.last_report().draining()) return "draining";
  return node.warming() ? "warming" : "ready";
}

std::vector<ClusterEvent> diff_views(const ClusterView& before, const ClusterView& after) {
  const int64_t at = after.generated_unix_ms();
  std::vector<ClusterEvent> out;
  auto node_name = [](const NodeView& n) { return n.identity().name(); };
  const auto old_nodes = by_name(before.nodes(), node_name);
  const auto new_nodes = by_name(after.nodes(), node_name);
  // Joined and changed, in name order; then the ones that left.
  for (const auto& [name, n] : new_nodes) {
    const auto it = old_nodes.find(name);
    if (it == old_nodes.end()) {
      out.push_back(
          {at, "node-joined", name, base::cat(role_word(*n), " ", n->identity().advertised_url())});
      continue;
    }
    const std::string was = node_state_word(*it->second);
    const std::string is = node_state_word(*n);
    if (was == is || is == "warming") continue;
    // "warming" → "ready" is the end of warm-up, not a recovery: not worth a line.
    if (is == "ready" && was == "warming") continue;
    out.push_back({at, "node-" + is, name, base::cat(role_word(*n), ", was ", was)});
  }
  for (const auto& [name, n] : old_nodes) {
    if (!new_nodes.contains(name)) {
      out.push_back({at, "node-left", name, base::cat(role_word(*n), " gone from the cluster")});
    }
  }
  auto stream_name = [](const StreamView& s) { return s.stream(); };
  const auto old_streams = by_name(before.streams(), stream_name);
  const auto new_streams = by_name(after.streams(), stream_name);
  for (const auto& [name, s] : new_streams) {
    const auto it = old_streams.find(name);
    const bool was_live = it != old_streams.end() && is_live(*it->second);
    const bool was_down = it != old_streams.end() && is_down(*it->second);
    if (is_live(*s) && !was_live) {
      out.push_back({at, "stream-up", name, base::cat("live from ", s->origin())});
    } else if (is_down(*s) && !was_down && it != old_streams.end()) {
      // (A stream first seen down is not news: edges that preload it register before the
      // origin does, at every cluster start.)
      const std::string reason = s->status().reason();
      out.push_back({at, "stream-down", name,
                     base::cat(cluster::health_name(s->status().health()),
                               reason.empty() ? "" : ": ", reason)});
    }
  }
  for (const auto& [name, s] : old_streams) {
    if (!new_streams.contains(name) && !is_down(*s)) {
      out.push_back({at, "stream-down", name, "no origin publishes it any more"});
    }
  }
  return out;
}

std::string event_json(const ClusterEvent& e) {
  const nlohmann::json j = {
      {"unix_ms", e.unix_ms}, {"kind", e.kind}, {"subject", e.subject}, {"detail", e.detail}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void EventLog::observe(const ClusterView& view) {
  std::lock_guard lock(mu_);
  if (last_) {
    for (ClusterEvent& e : diff_views(*last_, view)) {
      events_.push_back({next_sequence_++, std::move(e)});
      if (events_.size() > kTimelineEvents) events_.pop_front();
    }
  }
  last_ = view;
  changed_.notify_all();
}

std::vector<EventLog::Entry> EventLog::since(uint64_t after, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, wait, [&] { return next_sequence_ - 1 > after; });
  std::vector<Entry> out;
  for (const Entry& e : events_) {
    if (e.sequence > after) out.push_back(e);
  }
  return out;
}

}  // namespace coordinator
