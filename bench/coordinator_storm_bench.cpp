// Reconnect storm simulation (docs/coordinator.md): the coordinator is down for 5 s while 1,000
// clients keep needing assignments (100/s in steady state) and 100 edges lose their report
// stream at the same instant. Clients retry with CoordinatorClient's schedule (full jitter),
// compared with a fixed 1 s retry and with the previous client schedule; edges reconnect on the
// agent's schedule. Both schedules come from cluster::reconnect_schedule(), the values the real
// channels use. Writes bench/results/coordinator_storm.json.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "cluster/backoff.hpp"
#include "cluster/credentials.hpp"

namespace {

constexpr int kClients = 1000;
constexpr int kEdges = 100;
constexpr double kMeanNeedS = 10.0;  // each client needs an assignment every 10 s on average
constexpr double kDownAt = 20.0, kUpAt = 25.0, kEnd = 45.0;
double kBucketS = 1.0;  // rate window: 1 s, then 250 ms

struct ClientResult {
  double steady_rate = 0;  // requests/s reaching the coordinator before the outage
  double peak_rate = 0;    // busiest bucket after it returns
  double backlog_cleared_s = 0;
};

enum class Retry { FullJitter, Fixed, WaitForReadyOld, WaitForReady };
// How each policy is printed in the table and keyed in the JSON.
struct RetryNames {
  Retry retry;
  const char* label;
  const char* key;
};
constexpr RetryNames kRetryNames[] = {
    {Retry::FullJitter, "retry, full jitter 200ms..4s", "retry_full_jitter"},
    {Retry::Fixed, "retry, fixed 1 s", "retry_fixed_1s"},
    {Retry::WaitForReadyOld, "wait-for-ready 1s..4s (old)", "wait_for_ready_1s_4s"},
    {Retry::WaitForReady, "wait-for-ready (our client)", "wait_for_ready"}};

double seconds(std::chrono::milliseconds ms) {
  return static_cast<double>(ms.count()) / 1000.0;
}

// The first reconnect attempt of a channel at or after the coordinator returns: gRPC channel
// backoff (schedule.initial x multiplier up to schedule.max, +-20 % jitter) from the moment the
// channel first failed to connect.
double channel_connects_at(double failed_at, const cluster::ReconnectSchedule& schedule,
                           std::mt19937_64& rng) {
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  double t = failed_at, backoff = seconds(schedule.initial);
  while (t < kUpAt) {
    t += backoff * jitter(rng);
    backoff = std::min(backoff * schedule.multiplier, seconds(schedule.max));
  }
  return t;
}

ClientResult simulate_clients(Retry retry, uint64_t seed) {
  const cluster::ReconnectSchedule client_schedule =
      cluster::reconnect_schedule(cluster::ReconnectProfile::Client);
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> need(1.0 / kMeanNeedS);
  std::vector<int> arrivals(static_cast<size_t>(kEnd / kBucketS) + 1, 0);
  double last_failure_resolved = kUpAt;
  for (int c = 0; c < kClients; ++c) {
    cluster::Backoff backoff({std::chrono::milliseconds(200), std::chrono::milliseconds(4000)},
                             rng());
    double t = need(rng);
    bool waiting = false;
    while (t < kEnd) {
      const bool down = t >= kDownAt && t < kUpAt;
      if (!down) ++arrivals[static_cast<size_t>(t / kBucketS)];
      if (!down) {
        if (waiting) last_failure_resolved = std::max(last_failure_resolved, t);
        waiting = false;
        backoff.reset();
        t += need(rng);
      } else if ((waiting = true) &&
                 (retry == Retry::WaitForReady || retry == Retry::WaitForReadyOld)) {
        // The request waits in the client and leaves when the channel connects (the client
        // asks again at once after each unconnected attempt: EdgeSelector::on_assigned).
        const cluster::ReconnectSchedule old{std::chrono::milliseconds(1000),
                                             std::chrono::milliseconds(4000)};
        t = channel_connects_at(t, retry == Retry::WaitForReady ? client_schedule : old, rng);
      } else {
        t += retry == Retry::FullJitter ? backoff.next().count() / 1000.0 : 1.0;
      }
    }
  }
  ClientResult r;
  double steady = 0;
  int n = 0;
  for (double t = 5; t < kDownAt; t += kBucketS, ++n)
    steady += arrivals[static_cast<size_t>(t / kBucketS)];
  r.steady_rate = steady / n / kBucketS;
  for (double t = kUpAt; t < kEnd; t += kBucketS) {
    r.peak_rate = std::max(r.peak_rate, arrivals[static_cast<size_t>(t / kBucketS)] / kBucketS);
  }
  r.backlog_cleared_s = last_failure_resolved - kUpAt;
  return r;
}

// Seconds after the coordinator returns until the last edge has re-registered (its Register
// carries its first report, so placement is rebuilt at that moment), and the busiest 100 ms.
std::pair<double, int> simulate_edges(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const cluster::ReconnectSchedule agent =
      cluster::reconnect_schedule(cluster::ReconnectProfile::Agent);
  std::vector<int> per_100ms(100, 0);
  double last = 0;
  for (int e = 0; e < kEdges; ++e) {
    const double t = channel_connects_at(kDownAt, agent, rng);
    last = std::max(last, t - kUpAt);
    ++per_100ms[static_cast<size_t>((t - kUpAt) / 0.1)];
  }
  return {last, *std::max_element(per_100ms.begin(), per_100ms.end())};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out_path = argc > 1 ? argv[1] : "bench/results/coordinator_storm.json";
  std::printf("coordinator down %.0f s; %d clients (%.0f req/s steady), %d edges\n",
              kUpAt - kDownAt, kClients, kClients / kMeanNeedS, kEdges);
  std::printf("%-28s %10s %10s %8s %14s\n", "client retry", "steady/s", "peak/s", "peak/x",
              "backlog done");
  std::string json = "{\n  \"clients\": 1000, \"edges\": 100, \"outage_s\": 5,\n";
  // peak/x: the busiest 250 ms after the return, as a rate, over the steady rate.
  for (double bucket : {1.0, 0.25}) {
    kBucketS = bucket;
    std::printf("-- rate window %.0f ms\n", bucket * 1000);
    for (const auto& [retry, label, key] : kRetryNames) {
      ClientResult mean;
      const int seeds = 10;
      for (int s = 0; s < seeds; ++s) {
        const auto r = simulate_clients(retry, 100 + s);
        mean.steady_rate += r.steady_rate / seeds;
        mean.peak_rate = std::max(mean.peak_rate, r.peak_rate);
        mean.backlog_cleared_s = std::max(mean.backlog_cleared_s, r.backlog_cleared_s);
      }
      std::printf("%-28s %10.0f %10.0f %8.2f %13.2fs\n", label, mean.steady_rate, mean.peak_rate,
                  mean.peak_rate / mean.steady_rate, mean.backlog_cleared_s);
      json += std::string("  \"") + key + (bucket == 1.0 ? "_1s" : "_250ms") +
              "\": {\"steady_per_s\": " + std::to_string(mean.steady_rate) +
              ", \"peak_per_s\": " + std::to_string(mean.peak_rate) +
              ", \"peak_over_steady\": " + std::to_string(mean.peak_rate / mean.steady_rate) +
              "},\n";
    }
  }
  const auto [edges_back_s, peak_100ms] = simulate_edges(7);
  std::printf(
      "edges: all %d re-registered %.0f ms after the coordinator returned "
      "(report period 500 ms); busiest 100 ms: %d registrations\n",
      kEdges, edges_back_s * 1000, peak_100ms);
  json += "  \"edges_all_back_ms\": " + std::to_string(edges_back_s * 1000) +
          ",\n  \"edges_peak_per_100ms\": " + std::to_string(peak_100ms) + "\n}\n";
  std::ofstream(out_path) << json;
  std::printf("wrote %s\n", out_path.c_str());
  return 0;
}
