// EdgeServer: wires the ingest thread (ZeroMQ SUB -> StreamIngest -> every loop), the RTSP
// acceptor and the I/O loops. See docs/threading.md.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cluster/http_server.hpp"
#include "edge/edge_options.hpp"
#include "edge/ingest.hpp"
#include "edge/io_loop.hpp"
#include "edge/loop_counters.hpp"
#include "edge/stream_health_board.hpp"

namespace edge {

class EdgeServer {
 public:
  // Binds the RTSP listener and creates the loops; errors name what failed (port in use, ...).
  static absl::StatusOr<std::unique_ptr<EdgeServer>> create(const EdgeOptions& options);
  ~EdgeServer();

  void start();
  void stop();  // any thread; idempotent
  void wait();  // until stop() and all threads have finished

  uint16_t rtsp_port() const { return rtsp_port_; }
  uint16_t http_port() const;
  // Prometheus text for /metrics. Any thread.
  std::string metrics() const;
  // One of the loops' counters summed over all loops, e.g. &LoopCounters::bytes_out. Any thread.
  uint64_t loop_total(std::atomic<uint64_t> LoopCounters::*counter) const;
  // Readers per stream across loops, including streams taken in with no readers. Any thread.
  std::vector<std::pair<std::string, size_t>> readers_by_stream() const;
  // Any thread: reconnect to these origins (coordinator updates).
  void set_origins(std::vector<std::string> endpoints) {
    ingest_->set_origins(std::move(endpoints));
  }
  // Any thread: refuse new sessions (503) while readers drain away.
  void set_draining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }
  // Every carried stream's health on this edge (thread-safe).
  StreamHealthBoard& health() { return health_; }
  const StreamHealthBoard& health() const { return health_; }
  size_t readers() const;

 private:
  explicit EdgeServer(const EdgeOptions& options) : options_(options) {}
  absl::Status listen();
  void accept_loop();
  void log_stats();

  EdgeOptions options_;
  zmq::context_t zmq_context_{1};
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  uint16_t rtsp_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> sessions_{0};
  std::atomic<bool> draining_{false};
  StreamHealthBoard health_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<MulticastGroups> multicast_;
  TunnelRegistry tunnels_;
  std::unique_ptr<ReaderLimits> reader_limits_;
  std::vector<std::unique_ptr<IoLoop>> loops_;
  std::vector<const LoopCounters*> loop_counters_;  // each loop's, in loops_ order
  std::thread acceptor_;
  std::unique_ptr<Ingest> ingest_;
  std::thread ingest_thread_;
  std::thread stats_thread_;
  std::unique_ptr<cluster::HttpServer> http_;
};

}  // namespace edge
