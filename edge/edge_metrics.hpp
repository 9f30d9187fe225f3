// Prometheus text exposition of the edge's metrics (docs/metrics.md).
#pragma once

#include <string>
#include <vector>

#include "edge/ingest.hpp"
#include "edge/io_loop.hpp"
#include "proto/cluster.pb.h"

namespace edge {

struct MetricsInput {
  std::vector<const LoopCounters*> loops;
  std::vector<LoopSnapshot> loop_snapshots;
  IngestSnapshot ingest;
  const IngestCounters* ingest_counters = nullptr;
  size_t sessions = 0;
  uint64_t multicast_packets = 0;
  std::vector<std::pair<std::string, rs::cluster::StreamStatus>> health;  // per carried stream
};

// Renders every metric in the Prometheus text format 0.0.4.
std::string render_metrics(const MetricsInput& input);

}  // namespace edge
