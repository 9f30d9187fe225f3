// The Coordinator gRPC service (proto/cluster.proto) over a NodeRegistry. AssignEdge, GetCluster
// and the nodes' Connect streams use the callback API: no thread per call or per node, so
// thousands of edges reporting every 500 ms cost no thread each. WatchCluster (tools) is a
// sync stream, one thread each.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/node_registry.hpp"
#include "proto/cluster.grpc.pb.h"

namespace coordinator {

using ServiceBase = rs::cluster::Coordinator::WithCallbackMethod_Connect<
    rs::cluster::Coordinator::WithCallbackMethod_AssignEdge<
        rs::cluster::Coordinator::WithCallbackMethod_GetCluster<
            rs::cluster::Coordinator::Service>>>;

class CoordinatorService final : public ServiceBase {
 public:
  // `token`: required on Connect when not empty. The registry must outlive the service.
  CoordinatorService(NodeRegistry* registry, std::string token);

  grpc::ServerBidiReactor<rs::cluster::NodeMessage, rs::cluster::CoordinatorMessage>* Connect(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* AssignEdge(grpc::CallbackServerContext* context,
                                       const rs::cluster::AssignRequest* request,
                                       rs::cluster::AssignReply* reply) override;
  grpc::ServerUnaryReactor* GetCluster(grpc::CallbackServerContext* context,
                                       const rs::cluster::GetClusterRequest* request,
                                       rs::cluster::ClusterView* reply) override;
  grpc::Status WatchCluster(grpc::ServerContext* context,
                            const rs::cluster::WatchClusterRequest* request,
                            grpc::ServerWriter<rs::cluster::ClusterView>* writer) override;

  // Ends WatchCluster loops and answers parked AssignEdge calls (called before server shutdown).
  void shutdown();
  // Answers the AssignEdge calls parked during the startup grace that can be answered now (an
  // edge for the stream registered), or whose wait is over. Called by the sweeper.
  void retry_parked(TimePoint now);

 private:
  grpc::Status check_token(const grpc::ServerContextBase& context) const;
  NodeRegistry* registry() const { return registry_; }

  friend class NodeStream;

  // An AssignEdge that could not be answered during the startup grace: nodes are still
  // re-registering, so it waits (up to the grace's end or its own deadline) instead of sending
  // the client into a retry backoff.
  struct Parked {
    grpc::ServerUnaryReactor* reactor;
    grpc::CallbackServerContext* context;
    const rs::cluster::AssignRequest* request;
    rs::cluster::AssignReply* reply;
    TimePoint until;
  };
  // Answers `p` if the registry can, or if `final`; true when answered.
  bool try_answer(const Parked& p, TimePoint now, bool final);

  NodeRegistry* registry_;
  std::string token_;
  std::atomic<bool> shutting_down_{false};
  std::mutex parked_mutex_;
  std::vector<Parked> parked_;
};

// Checks a Register message: name, role, advertised URL, edge capacity. Empty when valid.
std::string validate_identity(const rs::cluster::NodeIdentity& identity);

}  // namespace coordinator
