// The assignment policy (assignment_policy.hpp): filter, zone, stream affinity, near-tie
// power-of-two choice, ranked alternates.
#include "coordinator/assignment_policy.hpp"

#include <algorithm>
#include <limits>

#include "base/strings.hpp"

namespace coordinator {
namespace {

bool excluded(const EdgeLoad& e, std::span<const std::string> names) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n == e.name; });
}

absl::Status none_assignable(std::span<const EdgeLoad> edges, const AssignQuery& q) {
  size_t not_ready = 0;
  size_t broken = 0;
  size_t skipped = 0;
  for (const auto& e : edges) {
    if (!e.assignable) {
      ++not_ready;
    } else if (e.stream_broken) {
      ++broken;
    } else {
      ++skipped;
    }
  }
  return absl::UnavailableError(
      base::cat("no healthy edge for stream \"", q.stream, "\": ", edges.size(),
                " edge(s) registered, ", not_ready, " draining, unhealthy or silent, ", broken,
                " not receiving the stream, ", skipped, " excluded by the client"));
}

absl::Status all_full(std::span<const EdgeLoad> edges, const std::vector<size_t>& eligible,
                      const AssignQuery& q) {
  uint64_t readers = 0;
  uint64_t capacity = 0;
  for (size_t i : eligible) {
    readers += edges[i].readers + edges[i].pending;
    capacity += edges[i].capacity_readers;
  }
  return absl::ResourceExhaustedError(
      base::cat("all ", eligible.size(), " healthy edge(s) are at capacity for stream \"", q.stream,
                "\" (readers incl. pending ", readers, "/", capacity, "); try again later"));
}

// Power-of-two choices among the near-ties of `pool` (sorted by load, best first).
size_t pick_near_tie(const std::vector<Ranked>& pool, double epsilon, std::mt19937_64& rng) {
  size_t ties = 1;
  while (ties < pool.size() && pool[ties].load <= pool[0].load + epsilon) ++ties;
  if (ties < 2) return 0;
  std::uniform_int_distribution<size_t> dist(0, ties - 1);
  const size_t a = dist(rng);
  size_t b = dist(rng);
  if (b == a) b = (a + 1) % ties;
  if (pool[a].load != pool[b].load) return pool[a].load < pool[b].load ? a : b;
  return a;
}

}  // namespace

double load_score(const EdgeLoad& e, uint32_t extra) {
  const double readers = static_cast<double>(e.readers) + e.pending + extra;
  double score = e.capacity_readers > 0 ? readers / e.capacity_readers
                                        : std::numeric_limits<double>::infinity();
  if (e.capacity_mbps > 0) {
    const double mbps = e.mbps_out + (e.pending + extra) * e.mbps_per_reader;
    score = std::max(score, mbps / e.capacity_mbps);
  }
  return std::max(score, e.cpu);
}

bool has_room(const EdgeLoad& e) {
  if (static_cast<uint64_t>(e.readers) + e.pending + 1 > e.capacity_readers) return false;
  if (e.pending >= e.pending_limit) return false;
  if (e.capacity_mbps > 0 && e.mbps_out + (e.pending + 1) * e.mbps_per_reader > e.capacity_mbps) {
    return false;
  }
  return e.cpu < 1.0;
}

absl::StatusOr<std::vector<Ranked>> rank_edges(std::span<const EdgeLoad> edges,
                                               const AssignQuery& query, const PolicyConfig& config,
                                               std::mt19937_64& rng) {
  std::vector<size_t> eligible;
  for (size_t i = 0; i < edges.size(); ++i) {
    if (edges[i].assignable && !edges[i].stream_broken && !excluded(edges[i], query.excluded)) {
      eligible.push_back(i);
    }
  }
  if (eligible.empty()) return none_assignable(edges, query);
  std::vector<Ranked> room;
  for (size_t i : eligible) {
    if (has_room(edges[i])) room.push_back({i, load_score(edges[i], 1)});
  }
  if (room.empty()) return all_full(edges, eligible, query);
  std::sort(room.begin(), room.end(),
            [](const Ranked& a, const Ranked& b) { return a.load < b.load; });

  // Zone affinity: a client that names a zone stays in it while that zone has room.
  std::vector<Ranked> pool;
  if (!query.client_zone.empty()) {
    for (const auto& r : room) {
      if (edges[r.index].zone == query.client_zone) pool.push_back(r);
    }
  }
  if (pool.empty()) pool = room;

  // Stream affinity: an edge already carrying the stream avoids a new origin subscription, as
  // long as it is under the threshold and not much busier than the least-loaded edge.
  std::vector<Ranked> carrying;
  for (const auto& r : pool) {
    if (edges[r.index].carries_stream && r.load <= config.carry_threshold &&
        r.load <= pool[0].load + config.affinity_margin) {
      carrying.push_back(r);
    }
  }
  if (!carrying.empty()) pool = carrying;

  const size_t chosen = pick_near_tie(pool, config.tie_epsilon, rng);
  std::vector<Ranked> out{pool[chosen]};
  for (const auto& r : room) {
    if (out.size() > config.alternates) break;
    if (r.index != out[0].index) out.push_back(r);
  }
  return out;
}

}  // namespace coordinator
