// StreamHealthBoard: every stream's StreamHealthTracker on this edge, behind one mutex. The
// ingest thread feeds it (frames, StreamInfo, subscriptions), the coordinator link feeds it the
// cluster's facts, and any thread reads a status: I/O loops answer GET_PARAMETER stream_state
// with it, the coordinator link reports it, /metrics shows it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "edge/stream_health_tracker.hpp"

namespace edge {

class StreamHealthBoard {
 public:
  explicit StreamHealthBoard(HealthTiming timing = {}) : timing_(timing) {}

  // This edge's name as the coordinator knows it (to leave itself out of "live elsewhere").
  void set_self(std::string name);

  // Ingest thread.
  void on_subscribed(const std::string& stream, int64_t now_us);
  void on_unsubscribed(const std::string& stream);
  void on_frame(const std::string& stream, int64_t now_us);
  void on_info(const rs::media::StreamInfo& info, int64_t now_us);
  void on_switching(const std::string& stream, bool switching, int64_t now_us);
  // Coordinator link thread: the whole set of facts (streams left out have none).
  void on_facts(const rs::cluster::StreamFacts& facts, int64_t now_us);

  // Any thread. nullopt when the edge does not carry `stream`.
  std::optional<rs::cluster::StreamStatus> status(const std::string& stream, int64_t now_us,
                                                  int64_t now_wall_ms) const;
  // Every carried stream's status, sorted by name.
  std::vector<std::pair<std::string, rs::cluster::StreamStatus>> all(int64_t now_us,
                                                                     int64_t now_wall_ms) const;

 private:
  HealthTiming timing_;
  mutable std::mutex mutex_;
  std::string self_;
  absl::flat_hash_map<std::string, StreamHealthTracker> streams_;
  absl::flat_hash_map<std::string, rs::cluster::StreamFact> facts_;
  int64_t facts_us_ = 0;
};

}  // namespace edge
