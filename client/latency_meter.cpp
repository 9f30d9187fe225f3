// LatencyMeter (latency_meter.hpp).
#include "client/latency_meter.hpp"

#include <algorithm>
#include <cmath>

namespace client {

std::optional<double> percentile_ms(std::vector<int64_t> samples_us, double p) {
  if (samples_us.empty()) return std::nullopt;
  // Nearest rank: the smallest value with at least p % of the samples at or below it.
  const auto n = static_cast<double>(samples_us.size());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * n));
  rank = std::clamp<size_t>(rank, 1, samples_us.size());
  auto nth = samples_us.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(samples_us.begin(), nth, samples_us.end());
  return static_cast<double>(*nth) / 1000.0;
}

LatencySummary summarize(const std::vector<int64_t>& samples_us) {
  LatencySummary s;
  s.count = samples_us.size();
  if (samples_us.empty()) return s;
  s.p50_ms = *percentile_ms(samples_us, 50);
  s.p95_ms = *percentile_ms(samples_us, 95);
  s.max_ms = static_cast<double>(*std::max_element(samples_us.begin(), samples_us.end())) / 1000.0;
  return s;
}

void LatencyMeter::add(int64_t now_us, int64_t latency_us) {
  samples_.push_back({now_us, latency_us});
}

void LatencyMeter::prune(int64_t now_us) {
  if (window_us_ <= 0) return;
  while (!samples_.empty() && samples_.front().at_us <= now_us - window_us_) samples_.pop_front();
}

LatencySummary LatencyMeter::summary(int64_t now_us) {
  prune(now_us);
  std::vector<int64_t> values;
  values.reserve(samples_.size());
  for (const auto& s : samples_) values.push_back(s.latency_us);
  return summarize(values);
}

}  // namespace client
