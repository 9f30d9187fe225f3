// NodeAgent: keeps an origin or edge registered with the coordinator. It connects, sends
// Register, then a NodeReport every interval over one long-lived Connect stream
// (docs/adr/008-report-stream.md); it reconnects with exponential backoff and full jitter when the
// stream breaks, and hands edges the origins' endpoints whenever they change.
//
// The coordinator is never in the media path: a node works the same while the agent is
// disconnected.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "cluster/backoff.hpp"
#include "cluster/credentials.hpp"
#include "proto/cluster.grpc.pb.h"

namespace cluster {

struct NodeAgentOptions {
  std::string coordinator;  // "host:port"
  rs::cluster::NodeIdentity identity;
  std::chrono::milliseconds report_interval{500};
  std::string token;  // shared registration token ("" = none)
  TlsOptions tls;
  BackoffOptions backoff{std::chrono::milliseconds(50), std::chrono::milliseconds(1000)};
  // A Register that gets no answer within this is abandoned and retried.
  std::chrono::milliseconds register_timeout{3000};
};

class NodeAgent {
 public:
  // Fills a report; called on the agent thread once per interval (and for the first report).
  // Sequence, uptime (when 0) and the draining flag are filled in by the agent.
  using ReportSource = std::function<rs::cluster::NodeReport()>;
  // Edges: the healthy origins' ZeroMQ endpoints, sorted; called on the agent's reader thread
  // after registration and whenever the set changes (not for an identical set).
  using OriginsCallback = std::function<void(std::vector<std::string> endpoints)>;
  // Edges: what the cluster knows of each stream (StreamFacts), whenever it changes and again
  // every few seconds while it does not; called on the agent's reader thread.
  using FactsCallback = std::function<void(const rs::cluster::StreamFacts& facts)>;

  // Validates the options (name, role, edge URL and capacity, credentials files).
  static absl::StatusOr<std::unique_ptr<NodeAgent>> create(NodeAgentOptions options);
  ~NodeAgent();  // stop()
  NodeAgent(const NodeAgent&) = delete;
  NodeAgent& operator=(const NodeAgent&) = delete;

  // Set before start().
  void set_report_source(ReportSource source);
  void on_origins_changed(OriginsCallback callback);
  void on_stream_facts(FactsCallback callback);

  // Starts the agent thread. Returns at once; registration happens in the background.
  void start();
  // Marks the node draining: a report goes out at once and every later one says draining, so the
  // coordinator assigns no new clients to it. Thread-safe; idempotent.
  void drain();
  // Closes the stream cleanly (the coordinator forgets the node at once) and joins. Idempotent.
  void stop();

  bool registered() const { return registered_.load(); }
  // Successful registrations so far (1 + reconnects).
  uint64_t registrations() const { return registrations_.load(); }
  const rs::cluster::NodeIdentity& identity() const { return options_.identity; }

 private:
  explicit NodeAgent(NodeAgentOptions options);
  void run();
  // One Connect stream from Register to its end; returns the final status.
  grpc::Status run_session();
  void read_loop(
      grpc::ClientReaderWriter<rs::cluster::NodeMessage, rs::cluster::CoordinatorMessage>* stream);
  void handle_origins(const rs::cluster::OriginsUpdate& update);
  rs::cluster::NodeReport make_report();
  bool sleep_for(std::chrono::milliseconds duration);  // false when stopping

  NodeAgentOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<rs::cluster::Coordinator::Stub> stub_;
  ReportSource report_source_;
  OriginsCallback origins_callback_;
  FactsCallback facts_callback_;
  std::vector<std::string> last_origins_;
  Backoff backoff_;
  std::chrono::steady_clock::time_point started_;
  uint64_t sequence_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool drain_requested_ = false;  // a draining report is due now
  bool session_done_ = false;
  bool session_registered_ = false;
  grpc::ClientContext* context_ = nullptr;  // the live session's, for cancel on stop

  std::atomic<bool> draining_{false};
  std::atomic<bool> registered_{false};
  std::atomic<uint64_t> registrations_{0};
  std::thread thread_;
};

}  // namespace cluster
