// The assignment policy: which edge serves a new client. Pure and fast: no clock, no locks, no
// I/O; randomness comes from the caller's generator. Unit-tested in
// tests/unit/coordinator_policy_test.cpp and simulated in bench/coordinator_policy_bench.cpp.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace coordinator {

// What the policy knows of one edge. Strings are views into the caller's storage.
struct EdgeLoad {
  std::string_view name;
  std::string_view zone;
  uint32_t capacity_readers = 0;
  double capacity_mbps = 0;             // 0 = unlimited
  uint32_t readers = 0;                 // from the last report
  double mbps_out = 0;                  // from the last report
  double cpu = 0;                       // 0..1 from the last report
  uint32_t pending = 0;                 // our assignments the reports have not confirmed yet
  double mbps_per_reader = 0;           // estimate for one more reader of this stream
  uint32_t pending_limit = UINT32_MAX;  // warm-up: most unconfirmed assignments allowed
  bool assignable = true;               // reporting, healthy, not draining
  bool carries_stream = false;          // already serves the requested stream
  bool stream_broken = false;           // reports the stream edge-local: not for this stream
};

struct PolicyConfig {
  // An edge carrying the stream is preferred while its load stays under this...
  double carry_threshold = 0.8;
  // ...and within this much of the least-loaded edge (load units, 0..1).
  double affinity_margin = 0.10;
  // Scores this close to the best are a near-tie, broken by power-of-two random choices.
  double tie_epsilon = 0.02;
  size_t alternates = 2;
};

struct AssignQuery {
  std::string_view stream;
  std::string_view client_zone;
  std::span<const std::string> excluded;  // edge names
};

struct Ranked {
  size_t index = 0;  // into the edges given
  double load = 0;   // score with the new reader added
};

// Coordinator replicas (ADR 015) share no state: each knows only its own pending assignments.
// Clients spread evenly over the replicas, so the cluster's pending assignments to an edge are
// about `own` times the number of replicas the edge reports to...
inline uint32_t cluster_pending(uint32_t own, uint32_t replicas) {
  return own * (replicas == 0 ? 1 : replicas);
}
// ...and of `gained` new readers in a report, this replica's share (rounded) confirms its own.
inline uint32_t own_share(uint32_t gained, uint32_t replicas) {
  if (replicas <= 1) return gained;
  return (gained + replicas / 2) / replicas;
}

// Load score = the highest of readers/capacity, Mb/s/capacity and CPU, counting pending
// assignments plus `extra` more readers.
double load_score(const EdgeLoad& edge, uint32_t extra = 0);
// True when one more reader keeps every limit (readers, Mb/s, warm-up) at or under capacity.
bool has_room(const EdgeLoad& edge);

// Ranks the edges for one client: [0] is the choice, then up to config.alternates alternates.
// Errors: UNAVAILABLE when no edge is assignable (none, all draining/unhealthy/excluded, or not
// receiving the stream although it is live elsewhere),
// RESOURCE_EXHAUSTED when every assignable edge is full. Never returns an edge without room.
absl::StatusOr<std::vector<Ranked>> rank_edges(std::span<const EdgeLoad> edges,
                                               const AssignQuery& query, const PolicyConfig& config,
                                               std::mt19937_64& rng);

}  // namespace coordinator
