// CoordinatorClient: what the client program (and tools) use to ask the coordinator for an edge.
// AssignEdge retries with exponential backoff and full jitter, so a coordinator restart does not
// turn waiting clients into a synchronized storm.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cluster/backoff.hpp"
#include "cluster/credentials.hpp"
#include "proto/cluster.grpc.pb.h"

namespace cluster {

struct CoordinatorClientOptions {
  std::string coordinator;  // "host:port[,host:port...]": any replica answers
  TlsOptions tls;
  std::chrono::milliseconds rpc_timeout{1000};  // per attempt
  int max_attempts = 6;                         // AssignEdge attempts in all (>= 1)
  bool wait_for_ready = true;  // an attempt waits (up to rpc_timeout) for the channel to connect
  BackoffOptions backoff{std::chrono::milliseconds(200), std::chrono::milliseconds(4000)};
};

// Thread-safe (the stub is); every call blocks the caller.
class CoordinatorClient {
 public:
  static absl::StatusOr<std::unique_ptr<CoordinatorClient>> create(
      CoordinatorClientOptions options);

  // Asks for an edge serving `stream`. Retries UNAVAILABLE, DEADLINE_EXCEEDED and
  // RESOURCE_EXHAUSTED (with backoff); NOT_FOUND, INVALID_ARGUMENT and the rest return at once.
  // On success the reply has the primary URL, ranked alternates and a TTL.
  absl::StatusOr<rs::cluster::AssignReply> assign_edge(
      const std::string& stream, const std::string& client_zone = {},
      const std::vector<std::string>& excluded = {});
  // One attempt, no retry.
  absl::StatusOr<rs::cluster::AssignReply> assign_edge_once(
      const rs::cluster::AssignRequest& request);
  absl::StatusOr<rs::cluster::ClusterView> get_cluster();
  // Whether the channel is connected now. After a failed attempt, false means the request never
  // reached the coordinator: the channel's reconnect backoff is already spacing the attempts,
  // so the next one needs no extra delay.
  bool connected() const;

  rs::cluster::Coordinator::Stub& stub() { return *stub_; }

 private:
  explicit CoordinatorClient(CoordinatorClientOptions options) : options_(std::move(options)) {}
  CoordinatorClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<rs::cluster::Coordinator::Stub> stub_;
};

// True for the codes assign_edge retries.
bool is_retryable(absl::StatusCode code);

}  // namespace cluster
