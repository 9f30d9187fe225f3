// NodeAgent: keeps an origin or edge registered with every coordinator replica it is given
// (docs/adr/015-coordinator-replicas.md): one AgentLink, and so one Connect stream, per replica
// address, so that each replica holds the whole soft state. A name that resolves to several
// addresses (a headless service) is resolved again every kResolveInterval (every second while a
// replica is unreachable: it may be back at another address), and links follow.
// Edges get the union of the origin sets the registered replicas announce.
//
// The coordinator is never in the media path: a node works the same while every link is down.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "cluster/agent_link.hpp"
#include "cluster/coordinator_targets.hpp"

namespace cluster {

inline constexpr std::chrono::seconds kResolveInterval{10};

class NodeAgent {
 public:
  // Fills a report; called once per interval (and for the first report) on a link thread, shared
  // by all links. Sequence, uptime (when 0), replica count and the draining flag are filled in.
  using ReportSource = std::function<rs::cluster::NodeReport()>;
  // Edges: the healthy origins' ZeroMQ endpoints, sorted, as the union over the registered
  // replicas; called after registration and whenever the union changes (not for an identical
  // set, and not when no replica is registered: the last set stays).
  using OriginsCallback = std::function<void(std::vector<std::string> endpoints)>;
  // Edges: what the cluster knows of each stream (StreamFacts), from any replica, whenever it
  // changes and again every few seconds while it does not.
  using FactsCallback = std::function<void(const rs::cluster::StreamFacts& facts)>;

  // Validates the options (addresses, name, role, edge URL and capacity, credentials files).
  static absl::StatusOr<std::unique_ptr<NodeAgent>> create(NodeAgentOptions options);
  ~NodeAgent();  // stop()
  NodeAgent(const NodeAgent&) = delete;
  NodeAgent& operator=(const NodeAgent&) = delete;

  // Set before start().
  void set_report_source(ReportSource source);
  void on_origins_changed(OriginsCallback callback);
  void on_stream_facts(FactsCallback callback);

  // Starts the links. Returns at once; registration happens in the background.
  void start();
  // Marks the node draining: a report goes out at once on every link and every later one says
  // draining, so no replica assigns new clients to it. Thread-safe; idempotent.
  void drain();
  // Closes every stream cleanly (the replicas forget the node at once) and joins. Idempotent.
  void stop();

  // Registered with at least one replica.
  bool registered() const { return registered_links_.load() > 0; }
  // Successful registrations so far, all replicas together.
  uint64_t registrations() const;
  // Replica addresses with a link now.
  std::vector<std::string> addresses() const;
  const rs::cluster::NodeIdentity& identity() const { return options_.identity; }

 private:
  explicit NodeAgent(NodeAgentOptions options, std::vector<base::HostPort> replicas);
  // Brings the links in line with what the replicas resolve to now.
  void refresh_links();
  void resolver_loop();
  rs::cluster::NodeReport shared_report();
  void on_origins(const std::string& address, const rs::cluster::OriginsUpdate& update);
  void on_registered(const std::string& address, bool registered);
  AgentLinkHooks hooks_for(const std::string& address);

  NodeAgentOptions options_;
  std::vector<base::HostPort> replicas_;
  bool resolve_again_ = false;  // some replica is a name, not a literal
  ReportSource report_source_;
  OriginsCallback origins_callback_;
  FactsCallback facts_callback_;
  std::chrono::steady_clock::time_point started_;

  mutable std::mutex links_mu_;
  std::map<std::string, std::unique_ptr<AgentLink>> links_;  // by address
  std::vector<std::unique_ptr<AgentLink>> retired_;          // stopped outside the lock

  std::mutex report_mu_;
  rs::cluster::NodeReport last_report_;
  std::chrono::steady_clock::time_point last_report_at_{};

  std::mutex origins_mu_;
  std::map<std::string, std::vector<std::string>> origins_by_link_;  // registered links only
  std::vector<std::string> last_origins_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool started_links_ = false;
  bool stopping_ = false;
  std::atomic<bool> draining_{false};
  std::atomic<int> registered_links_{0};
  std::atomic<uint32_t> link_count_{0};
  std::thread resolver_;
};

}  // namespace cluster
