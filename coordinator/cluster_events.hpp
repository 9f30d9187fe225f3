// The cluster's timeline for the dashboard: what changed between two views of the cluster (node
// joined, left, suspect, ready, draining; stream up, down), kept as the last few events that a
// watcher can wait on. diff_views() is pure; EventLog adds the memory and the waiting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "proto/cluster.pb.h"

namespace coordinator {

struct ClusterEvent {
  int64_t unix_ms = 0;
  std::string kind;     // node-joined, node-left, node-suspect, node-ready, node-draining,
                        // node-unhealthy, stream-up, stream-down
  std::string subject;  // node or stream name
  std::string detail;   // in words
  friend bool operator==(const ClusterEvent&, const ClusterEvent&) = default;
};

// The events that lead from `before` to `after`, stamped with after.generated_unix_ms(): nodes in
// name order first, then streams.
std::vector<ClusterEvent> diff_views(const rs::cluster::ClusterView& before,
                                     const rs::cluster::ClusterView& after);

// One line of JSON: {"unix_ms":…,"kind":"…","subject":"…","detail":"…"}.
std::string event_json(const ClusterEvent& event);

// ready, suspect, draining, unhealthy (unknown for anything else): metrics labels and tables.
std::string node_state_name(rs::cluster::NodeState state);
// The word the dashboard shows for a node: ready, warming, suspect, draining or unhealthy.
std::string node_state_word(const rs::cluster::NodeView& node);

inline constexpr size_t kTimelineEvents = 100;

class EventLog {
 public:
  // Diffs `view` against the last one observed and keeps the new events (the first view only
  // sets the baseline). Wakes waiters.
  void observe(const rs::cluster::ClusterView& view);

  struct Entry {
    uint64_t sequence = 0;  // 1, 2, 3, … in order
    ClusterEvent event;
  };
  // Kept events with a sequence above `after` (at most kTimelineEvents, oldest first); when there
  // are none, waits up to `wait` for one.
  std::vector<Entry> since(uint64_t after, std::chrono::milliseconds wait);

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::optional<rs::cluster::ClusterView> last_;
  std::deque<Entry> events_;
  uint64_t next_sequence_ = 1;
};

}  // namespace coordinator
