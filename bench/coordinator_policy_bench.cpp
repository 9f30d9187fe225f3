// Simulation of the assignment policy (one coordinator, and two replicas sharing no state)
// against random choice and naive least-loaded
// (docs/coordinator.md): 8 edges with uneven capacities; 2,000 sequential clients; a burst of
// 500 clients on 1 s-stale reports. Prints a table, writes bench/results/coordinator_policy.json.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "coordinator/assignment_policy.hpp"

namespace {

using coordinator::EdgeLoad;

const std::vector<uint32_t> kCapacities = {100, 200, 300, 400, 500, 600, 800, 1100};  // 4000
const char* const kNames[] = {"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"};

// TwoReplicas: clients split at random over two coordinator replicas that share no state; each
// knows its own pending assignments and counts them for both (coordinator::cluster_pending, ADR
// 015). TwoReplicasOwnOnly: the same without that estimate (each sees only its own).
enum class Strategy { Policy, TwoReplicas, TwoReplicasOwnOnly, Random, NaiveLeastLoaded };
const char* name(Strategy s) {
  static constexpr const char* kStrategyNames[] = {
      "policy", "policy-2-replicas", "2-replicas-own-only", "random", "naive-least-loaded"};
  return kStrategyNames[static_cast<int>(s)];
}

struct Result {
  double skew = 0;      // max / mean of capacity-normalised load
  double max_load = 0;  // highest readers/capacity
  int over_capacity = 0;
  int refused = 0;
};

std::vector<EdgeLoad> make_edges(const std::vector<uint32_t>& initial) {
  std::vector<EdgeLoad> edges;
  for (size_t i = 0; i < kCapacities.size(); ++i) {
    EdgeLoad e;
    e.name = kNames[i];
    e.capacity_readers = kCapacities[i];
    e.readers = initial[i];
    edges.push_back(e);
  }
  return edges;
}

// `fresh`: reports confirm every assignment before the next client (sequential); otherwise the
// reports stay as they were (a burst between two reports).
Result run(Strategy s, std::vector<EdgeLoad> edges, int clients, bool fresh, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> actual;
  for (const auto& e : edges) actual.push_back(e.readers);
  Result r;
  const bool replicas = s == Strategy::TwoReplicas || s == Strategy::TwoReplicasOwnOnly;
  std::vector<uint32_t> own[2] = {std::vector<uint32_t>(edges.size()),
                                  std::vector<uint32_t>(edges.size())};
  for (int c = 0; c < clients; ++c) {
    size_t pick = 0;
    if (replicas) {
      const int replica = static_cast<int>(rng() % 2);
      for (size_t i = 0; i < edges.size(); ++i) {
        edges[i].pending = s == Strategy::TwoReplicas
                               ? coordinator::cluster_pending(own[replica][i], 2)
                               : own[replica][i];
      }
      auto ranked = coordinator::rank_edges(edges, {"cam1", {}, {}}, {}, rng);
      if (!ranked.ok()) {
        ++r.refused;
        continue;
      }
      pick = (*ranked)[0].index;
      ++own[replica][pick];
    } else if (s == Strategy::Policy) {
      auto ranked = coordinator::rank_edges(edges, {"cam1", {}, {}}, {}, rng);
      if (!ranked.ok()) {
        ++r.refused;
        continue;
      }
      pick = (*ranked)[0].index;
      ++edges[pick].pending;
    } else if (s == Strategy::Random) {
      pick = std::uniform_int_distribution<size_t>(0, edges.size() - 1)(rng);
    } else {
      pick = static_cast<size_t>(std::min_element(edges.begin(), edges.end(),
                                                  [](const auto& a, const auto& b) {
                                                    return double(a.readers) / a.capacity_readers <
                                                           double(b.readers) / b.capacity_readers;
                                                  }) -
                                 edges.begin());
    }
    ++actual[pick];
    if (fresh) {  // the next report arrives before the next client
      edges[pick].readers = actual[pick];
      edges[pick].pending = 0;
      own[0][pick] = own[1][pick] = 0;
    }
  }
  double sum = 0;
  for (size_t i = 0; i < edges.size(); ++i) {
    const double load = double(actual[i]) / edges[i].capacity_readers;
    r.max_load = std::max(r.max_load, load);
    sum += load;
    if (actual[i] > edges[i].capacity_readers) ++r.over_capacity;
  }
  r.skew = r.max_load / (sum / edges.size());
  return r;
}

double ns_per_decision(size_t n_edges) {
  std::vector<EdgeLoad> edges(n_edges);
  std::vector<std::string> names(n_edges);
  for (size_t i = 0; i < n_edges; ++i) {
    names[i] = "edge-" + std::to_string(i);
    edges[i].name = names[i];
    edges[i].capacity_readers = 1'000'000;
    edges[i].readers = static_cast<uint32_t>(i * 37 % 1000);
  }
  std::mt19937_64 rng(1);
  const int n = 200000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    auto r = coordinator::rank_edges(edges, {"cam1", {}, {}}, {}, rng);
    ++edges[(*r)[0].index].pending;
  }
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
         n;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out_path = argc > 1 ? argv[1] : "bench/results/coordinator_policy.json";
  const std::vector<uint32_t> empty(kCapacities.size(), 0);
  std::vector<uint32_t> stale;  // 30 % loaded, uneven
  for (size_t i = 0; i < kCapacities.size(); ++i)
    stale.push_back(kCapacities[i] * (20 + 5 * (i % 3)) / 100);
  struct Scenario {
    const char* name;
    std::vector<uint32_t> initial;
    int clients;
    bool fresh;
    double target;
  };
  const Scenario scenarios[] = {{"sequential-2000", empty, 2000, true, 1.10},
                                {"burst-500-stale-1s", stale, 500, false, 1.25}};
  std::printf(
      "8 edges, capacities 100..1100 (4000 readers); skew = max/mean of readers/capacity\n");
  std::printf("%-20s %-20s %7s %9s %9s %8s %7s\n", "scenario", "strategy", "skew", "max load",
              "over cap", "refused", "target");
  std::string json = "{\n  \"edges\": 8, \"capacity_total\": 4000,\n  \"results\": [\n";
  bool first = true;
  for (const auto& sc : scenarios) {
    for (Strategy s : {Strategy::Policy, Strategy::TwoReplicas, Strategy::TwoReplicasOwnOnly,
                       Strategy::Random, Strategy::NaiveLeastLoaded}) {
      double skew = 0, max_load = 0;
      int over = 0, refused = 0;
      const int seeds = 20;
      for (int seed = 0; seed < seeds; ++seed) {  // mean over seeds
        const Result r = run(s, make_edges(sc.initial), sc.clients, sc.fresh, seed);
        skew += r.skew / seeds;
        max_load += r.max_load / seeds;
        over += r.over_capacity;
        refused += r.refused;
      }
      std::printf("%-20s %-20s %7.3f %9.3f %9d %8d %7s\n", sc.name, name(s), skew, max_load, over,
                  refused,
                  s == Strategy::Policy || s == Strategy::TwoReplicas
                      ? (skew <= sc.target ? "met" : "MISSED")
                      : "");
      json += std::string(first ? "" : ",\n") + "    {\"scenario\": \"" + sc.name +
              "\", \"strategy\": \"" + name(s) + "\", \"skew\": " + std::to_string(skew) +
              ", \"max_load\": " + std::to_string(max_load) +
              ", \"over_capacity_edges\": " + std::to_string(over) +
              ", \"target\": " + std::to_string(sc.target) + "}";
      first = false;
    }
  }
  const double ns8 = ns_per_decision(8);
  const double ns100 = ns_per_decision(100);
  std::printf("\ndecision time: %.0f ns with 8 edges, %.0f ns with 100 edges\n", ns8, ns100);
  json += "\n  ],\n  \"ns_per_decision_8_edges\": " + std::to_string(ns8) +
          ",\n  \"ns_per_decision_100_edges\": " + std::to_string(ns100) + "\n}\n";
  std::ofstream(out_path) << json;
  std::printf("wrote %s\n", out_path.c_str());
  return 0;
}
