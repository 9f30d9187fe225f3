// The origin's /metrics (docs/metrics.md, "Origin"): per stream its source state, reconnects,
// frames in and out, encode time; for the process the publish queue.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "origin/stream_runner.hpp"
#include "relay/publisher_thread.hpp"

namespace origin {

// Prometheus text format 0.0.4. Thread-safe: reads the runners' atomics and the publisher's
// locked counters.
std::string render_metrics(const std::vector<std::unique_ptr<StreamRunner>>& runners,
                           const relay::PublisherThreadStats& publisher);

}  // namespace origin
