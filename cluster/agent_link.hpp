// AgentLink: one node's registration with one coordinator replica. It connects, sends Register,
// then a NodeReport every interval over one long-lived Connect stream
// (docs/adr/008-report-stream.md), and reconnects with exponential backoff and full jitter when
// the stream breaks. NodeAgent (node_agent.hpp) runs one link per replica.
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
  // One or more coordinator replicas, "host:port[,host:port...]"; a name that resolves to
  // several addresses (a headless service) counts as one replica per address.
  std::string coordinator;
  rs::cluster::NodeIdentity identity;
  std::chrono::milliseconds report_interval{500};
  std::string token;  // shared registration token ("" = none)
  TlsOptions tls;
  BackoffOptions backoff{std::chrono::milliseconds(50), std::chrono::milliseconds(1000)};
  // A Register that gets no answer within this is abandoned and retried.
  std::chrono::milliseconds register_timeout{3000};
};

// What a link hands back to its NodeAgent; called on the link's threads.
struct AgentLinkHooks {
  // The report to send now (the agent shares one between its links).
  std::function<rs::cluster::NodeReport()> report;
  // This replica's origin set, as received (after Registered, and on every change).
  std::function<void(const rs::cluster::OriginsUpdate&)> origins;
  std::function<void(const rs::cluster::StreamFacts&)> facts;
  // The link registered (true) or lost its stream (false).
  std::function<void(bool)> registered;
};

class AgentLink {
 public:
  // `address` is one replica's "host:port" (or "ip:port"); `options.coordinator` is ignored.
  static absl::StatusOr<std::unique_ptr<AgentLink>> create(std::string address,
                                                           const NodeAgentOptions& options,
                                                           AgentLinkHooks hooks);
  ~AgentLink();  // stop()
  AgentLink(const AgentLink&) = delete;
  AgentLink& operator=(const AgentLink&) = delete;
  const std::string& address() const { return address_; }

  // Starts the agent thread. Returns at once; registration happens in the background.
  void start();
  // A report goes out at once (the node started draining). Thread-safe.
  void drain();
  // Closes the stream cleanly (the coordinator forgets the node at once) and joins. Idempotent.
  void stop();

  bool registered() const { return registered_.load(); }
  // Successful registrations so far (1 + reconnects).
  uint64_t registrations() const { return registrations_.load(); }

 private:
  AgentLink(std::string address, const NodeAgentOptions& options, AgentLinkHooks hooks);
  void run();
  // One Connect stream from Register to its end; returns the final status.
  grpc::Status run_session();
  void read_loop(
      grpc::ClientReaderWriter<rs::cluster::NodeMessage, rs::cluster::CoordinatorMessage>* stream);
  rs::cluster::NodeReport make_report();
  bool sleep_for(std::chrono::milliseconds duration);  // false when stopping

  std::string address_;
  NodeAgentOptions options_;
  AgentLinkHooks hooks_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<rs::cluster::Coordinator::Stub> stub_;
  Backoff backoff_;
  uint64_t sequence_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool drain_requested_ = false;  // a draining report is due now
  bool session_done_ = false;
  bool session_registered_ = false;
  grpc::ClientContext* context_ = nullptr;  // the live session's, for cancel on stop

  std::atomic<bool> registered_{false};
  std::atomic<uint64_t> registrations_{0};
  std::thread thread_;
};

}  // namespace cluster
