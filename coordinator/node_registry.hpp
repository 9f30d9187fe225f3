// NodeRegistry: the coordinator's whole state, rebuilt from registrations and reports (nothing is
// persisted). Thread-safe: every method takes one mutex. Time is passed in, so tests use fake time.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "coordinator/assignment_policy.hpp"
#include "proto/cluster.pb.h"

namespace coordinator {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct RegistryConfig {
  std::chrono::milliseconds report_interval{500};
  int suspect_after_missed = 2;                 // silent this many intervals: no longer assigned
  int remove_after_missed = 3;                  // silent this many intervals: removed
  std::chrono::milliseconds pending_ttl{3000};  // an unconfirmed assignment counts this long
  std::chrono::milliseconds warmup{10000};      // a node younger than this ramps up
  uint32_t warmup_min_pending = 4;              // unconfirmed assignments a brand-new edge may take
  std::chrono::milliseconds assignment_ttl{10000};
  bool require_known_stream = true;  // NOT_FOUND for streams no origin or edge reports
  // Right after a (re)start the nodes are still re-registering: an unknown stream is then
  // UNAVAILABLE (clients retry), not NOT_FOUND (clients give up).
  std::chrono::milliseconds startup_grace{3000};
  // A stream that no node reports any more is remembered this long: viewers asking for it get an
  // edge (its health says origin-silent) instead of NOT_FOUND, so they are there when it returns.
  std::chrono::milliseconds stream_memory{std::chrono::minutes(10)};
  // How often the stream facts sent to edges are recomputed.
  std::chrono::milliseconds facts_interval{250};
  PolicyConfig policy;
  uint64_t seed = std::random_device{}();
};

class NodeRegistry {
 public:
  explicit NodeRegistry(RegistryConfig config);
  // Starts the startup grace period at `now` (the coordinator's start).
  void set_started(TimePoint now);

  // Registers a node (replacing, and cancelling through its `cancel`, an older session with the
  // same name). `cancel` ends the session's stream; it is called with the registry lock held and
  // only while the session is registered. Returns the session id.
  uint64_t register_node(const rs::cluster::NodeIdentity& identity,
                         const rs::cluster::NodeReport& first_report, TimePoint now,
                         std::function<void()> cancel);
  // Records a report; false when the session is gone (replaced or removed).
  bool report(uint64_t session, const rs::cluster::NodeReport& report, TimePoint now);
  // The session's stream ended: the node is removed at once (no-op for a replaced session).
  void unregister(uint64_t session, std::string_view reason);
  // Removes nodes silent for remove_after_missed intervals (cancelling their streams) and expires
  // old pending assignments. Returns the number removed.
  size_t sweep(TimePoint now);

  // Picks an edge for a client (assignment_policy.hpp) and counts it as pending on that edge.
  // `count_failure` false: a failed attempt is not counted (a parked call that tries again).
  absl::StatusOr<rs::cluster::AssignReply> assign(const rs::cluster::AssignRequest& request,
                                                  TimePoint now, bool count_failure = true);

  rs::cluster::ClusterView view(TimePoint now) const;
  // The cluster-wide health of `stream` (live / source down at the origin / origin silent).
  rs::cluster::StreamStatus stream_status(std::string_view stream, TimePoint now) const;
  // What edges are told of every stream (recomputed by sweep() every facts_interval); the version
  // changes whenever the content does.
  rs::cluster::StreamFacts facts() const;
  // True while the startup grace lasts at `now`.
  bool in_startup_grace(TimePoint now) const;
  // The healthy origins, for edges; the version changes whenever the set changes.
  rs::cluster::OriginsUpdate origins() const;
  uint64_t origins_version() const;
  uint64_t epoch() const { return epoch_; }
  const RegistryConfig& config() const { return config_; }

 private:
  struct Node {
    uint64_t session = 0;
    rs::cluster::NodeIdentity identity;
    rs::cluster::NodeReport last;
    TimePoint last_report_at;
    TimePoint registered_at;
    std::deque<TimePoint> pending;  // times of unconfirmed assignments, oldest first
    std::function<void()> cancel;
    uint64_t assigned_total = 0;
  };

  // The helpers below run with mu_ held.
  rs::cluster::NodeState state_of(const Node& node, TimePoint now) const;
  EdgeLoad edge_load(const Node& node, std::string_view stream, TimePoint now) const;
  void expire_pending(Node& node, TimePoint now) const;
  bool stream_known(std::string_view stream, TimePoint now) const;
  rs::cluster::StreamStatus stream_status_locked(std::string_view stream, TimePoint now) const;
  void remember_streams(const Node& node, TimePoint now);
  void refresh_facts(TimePoint now);
  std::string known_streams() const;
  void refresh_origins(TimePoint now);
  void remove(absl::flat_hash_map<std::string, Node>::iterator it, std::string_view reason);
  double stream_mbps(std::string_view stream) const;

  const RegistryConfig config_;
  const uint64_t epoch_;
  // A std::mutex, not absl::Mutex: Debian's Abseil is not built for TSan, so `make tsan` cannot
  // see absl::Mutex order the threads and reports every access below. Everything from here on
  // is guarded by it.
  mutable std::mutex mu_;
  std::optional<TimePoint> started_;  // start of the startup grace
  absl::flat_hash_map<std::string, Node> nodes_;
  absl::flat_hash_map<uint64_t, std::string> sessions_;
  uint64_t next_session_ = 1;
  rs::cluster::OriginsUpdate origins_;
  rs::cluster::AssignmentCounters counters_;
  uint64_t removed_ = 0;
  std::mt19937_64 rng_;
  std::vector<EdgeLoad> scratch_;
  std::vector<Node*> scratch_nodes_;
  // Every stream any node reported: when an origin last reported it (origin-silent "since").
  struct StreamMemory {
    TimePoint last_seen;
    std::optional<TimePoint> last_origin_report;
  };
  absl::flat_hash_map<std::string, StreamMemory> memory_;
  rs::cluster::StreamFacts facts_;
  TimePoint next_facts_{};
};

// The stream URL on an edge: "<advertised base URL>/<stream>".
std::string stream_url(std::string_view base_url, std::string_view stream);

}  // namespace coordinator
