// CoordinatorLink: the edge's registration with the coordinator (cluster::NodeAgent). Reports
// per-stream readers and load every 500 ms, follows the origin set the coordinator announces,
// and announces draining on shutdown.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "cluster/node_agent.hpp"
#include "edge/edge_options.hpp"

namespace edge {

class EdgeServer;

class CoordinatorLink {
 public:
  // Creates and starts the agent; `server` must outlive the link.
  static absl::StatusOr<std::unique_ptr<CoordinatorLink>> start(const EdgeOptions& options,
                                                                EdgeServer& server);
  ~CoordinatorLink();
  void drain() { agent_->drain(); }

 private:
  CoordinatorLink(std::unique_ptr<cluster::NodeAgent> agent) : agent_(std::move(agent)) {}
  std::unique_ptr<cluster::NodeAgent> agent_;
};

// CPU share of this process since the previous call (0..1 of all cores) and its RSS in bytes,
// from /proc/self.
struct ProcessSample {
  double cpu = 0;
  uint64_t rss_bytes = 0;
};
class ProcessMeter {
 public:
  ProcessSample sample();

 private:
  uint64_t last_ticks_ = 0;
  int64_t last_us_ = 0;
};

}  // namespace edge
