// The assignment policy as tables: skew with uneven capacities, ties, exclusions, pending under
// bursts, draining, zone affinity, capacity limits (coordinator/assignment_policy.hpp).
#include "coordinator/assignment_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace coordinator {
namespace {

EdgeLoad edge(std::string_view name, uint32_t capacity, uint32_t readers = 0) {
  EdgeLoad e;
  e.name = name;
  e.capacity_readers = capacity;
  e.readers = readers;
  return e;
}

absl::StatusOr<std::vector<Ranked>> rank(const std::vector<EdgeLoad>& edges,
                                         std::string_view zone = {},
                                         std::vector<std::string> excluded = {},
                                         uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  return rank_edges(edges, {"cam1", zone, excluded}, PolicyConfig{}, rng);
}

// Assigns n clients one by one, counting each as pending (as the registry does); returns the
// max/mean of capacity-normalised load.
double skew_after(std::vector<EdgeLoad> edges, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < n; ++i) {
    auto r = rank_edges(edges, {"cam1", {}, {}}, PolicyConfig{}, rng);
    if (!r.ok()) return -1;
    ++edges[(*r)[0].index].pending;
  }
  double max = 0;
  double sum = 0;
  for (const auto& e : edges) {
    const double load = double(e.readers + e.pending) / e.capacity_readers;
    max = std::max(max, load);
    sum += load;
  }
  return max / (sum / edges.size());
}

TEST(AssignmentPolicy, LoadScoreIsTheHighestOfReadersMbpsAndCpu) {
  struct Case {
    std::string_view name;
    EdgeLoad e;
    double want;
  };
  EdgeLoad readers = edge("a", 100, 50);
  EdgeLoad mbps = edge("a", 100, 10);
  mbps.capacity_mbps = 100;
  mbps.mbps_out = 70;
  EdgeLoad cpu = edge("a", 100, 10);
  cpu.cpu = 0.9;
  EdgeLoad pending = edge("a", 100, 10);
  pending.pending = 30;
  const Case cases[] = {{"readers dominate", readers, 0.5},
                        {"mbps dominate", mbps, 0.7},
                        {"cpu dominates", cpu, 0.9},
                        {"pending counts as readers", pending, 0.4}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_DOUBLE_EQ(load_score(c.e), c.want);
  }
}

TEST(AssignmentPolicy, SequentialClientsSpreadByCapacity) {
  struct Case {
    std::string_view name;
    std::vector<uint32_t> capacities;
    int clients;
    double max_skew;
  };
  const Case cases[] = {
      {"8 uneven edges, half full", {50, 100, 150, 200, 300, 400, 500, 800}, 1250, 1.10},
      {"3 edges 100/100/200, 80%", {100, 100, 200}, 320, 1.05},
      {"equal edges, few clients", {100, 100, 100, 100}, 40, 1.10},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> names;
    for (size_t i = 0; i < c.capacities.size(); ++i) names.push_back("e" + std::to_string(i));
    std::vector<EdgeLoad> edges;
    for (size_t i = 0; i < c.capacities.size(); ++i)
      edges.push_back(edge(names[i], c.capacities[i]));
    EXPECT_LE(skew_after(edges, c.clients, 7), c.max_skew);
  }
}

TEST(AssignmentPolicy, NearTiesAreBrokenRandomly) {
  const std::vector<EdgeLoad> edges = {edge("a", 100, 10), edge("b", 100, 10), edge("c", 100, 10)};
  std::map<size_t, int> picks;
  for (uint64_t seed = 0; seed < 300; ++seed) ++picks[(*rank(edges, {}, {}, seed))[0].index];
  ASSERT_EQ(picks.size(), 3u);
  for (const auto& [index, n] : picks) EXPECT_GT(n, 50) << index;
}

TEST(AssignmentPolicy, ClearWinnerIsAlwaysChosen) {
  const std::vector<EdgeLoad> edges = {edge("a", 100, 50), edge("b", 100, 10), edge("c", 100, 60)};
  for (uint64_t seed = 0; seed < 50; ++seed) EXPECT_EQ((*rank(edges, {}, {}, seed))[0].index, 1u);
}

TEST(AssignmentPolicy, AlternatesAreRankedAndExcludeThePrimary) {
  const std::vector<EdgeLoad> edges = {edge("a", 100, 50), edge("b", 100, 10), edge("c", 100, 30),
                                       edge("d", 100, 70)};
  auto r = rank(edges);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].index, 1u);
  EXPECT_EQ((*r)[1].index, 2u);
  EXPECT_EQ((*r)[2].index, 0u);
}

TEST(AssignmentPolicy, ExclusionsDrainingAndUnhealthy) {
  struct Case {
    std::string_view name;
    std::vector<EdgeLoad> edges;
    std::vector<std::string> excluded;
    absl::StatusCode want_code;
    size_t want_index;
  };
  EdgeLoad draining = edge("b", 100, 0);
  draining.assignable = false;
  const Case cases[] = {
      {"excluded edge is skipped",
       {edge("a", 100, 50), edge("b", 100, 0)},
       {"b"},
       absl::StatusCode::kOk,
       0},
      {"draining edge never chosen", {edge("a", 100, 90), draining}, {}, absl::StatusCode::kOk, 0},
      {"all excluded", {edge("a", 100)}, {"a"}, absl::StatusCode::kUnavailable, 0},
      {"only draining", {draining}, {}, absl::StatusCode::kUnavailable, 0},
      {"no edges", {}, {}, absl::StatusCode::kUnavailable, 0},
      {"all full",
       {edge("a", 100, 100), edge("b", 10, 10)},
       {},
       absl::StatusCode::kResourceExhausted,
       0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = rank(c.edges, {}, c.excluded);
    EXPECT_EQ(r.status().code(), c.want_code) << r.status();
    if (r.ok()) {
      EXPECT_EQ((*r)[0].index, c.want_index);
    } else {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
}

TEST(AssignmentPolicy, NeverPastCapacityNotEvenWithPending) {
  std::vector<EdgeLoad> edges = {edge("a", 3, 1), edge("b", 2, 0)};
  edges[0].pending = 1;
  std::mt19937_64 rng(3);
  int ok = 0;
  while (true) {
    auto r = rank_edges(edges, {"cam1", {}, {}}, PolicyConfig{}, rng);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
      EXPECT_NE(std::string(r.status().message()).find("at capacity"), std::string::npos);
      break;
    }
    ++edges[(*r)[0].index].pending;
    ++ok;
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(edges[0].readers + edges[0].pending, 3u);
  EXPECT_EQ(edges[1].pending, 2u);
}

TEST(AssignmentPolicy, MbpsCapacityAndWarmupLimitRoom) {
  EdgeLoad mbps = edge("a", 100, 10);
  mbps.capacity_mbps = 20;
  mbps.mbps_out = 19;
  mbps.mbps_per_reader = 2;
  EXPECT_FALSE(has_room(mbps));
  EdgeLoad warming = edge("a", 100, 0);
  warming.pending_limit = 4;
  warming.pending = 4;
  EXPECT_FALSE(has_room(warming));
  warming.pending = 3;
  EXPECT_TRUE(has_room(warming));
}

TEST(AssignmentPolicy, BurstWithPendingSpreadsWithoutItHerds) {
  // Stale reports: every edge reported 0 readers; 500 clients arrive before the next report.
  std::vector<EdgeLoad> edges;
  const std::vector<std::string> names = {"a", "b", "c", "d"};
  for (const auto& n : names) edges.push_back(edge(n, 1000));
  EXPECT_LE(skew_after(edges, 500, 11), 1.10);
}

TEST(AssignmentPolicy, ZoneAffinityWithFallback) {
  std::vector<EdgeLoad> edges = {edge("a", 100, 50), edge("b", 100, 0), edge("c", 100, 0)};
  edges[0].zone = "eu";
  edges[1].zone = "us";
  edges[2].zone = "us";
  EXPECT_EQ((*rank(edges, "eu"))[0].index, 0u);
  EXPECT_NE((*rank(edges, "us"))[0].index, 0u);
  edges[0].readers = 100;  // the zone is full: fall back to the others
  EXPECT_NE((*rank(edges, "eu"))[0].index, 0u);
  EXPECT_NE((*rank(edges, "mars"))[0].index, 0u);
}

TEST(AssignmentPolicy, StreamAffinityBelowThresholdOnly) {
  struct Case {
    std::string_view name;
    uint32_t carrying_readers;
    size_t want_index;
  };
  const Case cases[] = {
      {"carrying edge slightly busier wins", 5, 0},    // 0.06 vs 0.01: within the margin
      {"carrying edge much busier loses", 40, 1},      // 0.41 vs 0.01: beyond the margin
      {"carrying edge above threshold loses", 85, 1},  // 0.86 > 0.8
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<EdgeLoad> edges = {edge("a", 100, c.carrying_readers), edge("b", 100, 0)};
    edges[0].carries_stream = true;
    EXPECT_EQ((*rank(edges))[0].index, c.want_index);
  }
}

}  // namespace
}  // namespace coordinator
