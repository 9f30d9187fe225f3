// The Coordinator gRPC service (proto/cluster.proto) over a NodeRegistry. AssignEdge and
// GetCluster use the callback API (no thread per call: they are the hot path); Connect and
// WatchCluster are long-lived streams served by the sync API, one thread each.
#pragma once

#include <atomic>
#include <string>

#include "coordinator/node_registry.hpp"
#include "proto/cluster.grpc.pb.h"

namespace coordinator {

using ServiceBase = rs::cluster::Coordinator::WithCallbackMethod_AssignEdge<
    rs::cluster::Coordinator::WithCallbackMethod_GetCluster<rs::cluster::Coordinator::Service>>;

class CoordinatorService final : public ServiceBase {
 public:
  // `token`: required on Connect when not empty. The registry must outlive the service.
  CoordinatorService(NodeRegistry* registry, std::string token);

  grpc::Status Connect(grpc::ServerContext* context,
                       grpc::ServerReaderWriter<rs::cluster::CoordinatorMessage,
                                                rs::cluster::NodeMessage>* stream) override;
  grpc::ServerUnaryReactor* AssignEdge(grpc::CallbackServerContext* context,
                                       const rs::cluster::AssignRequest* request,
                                       rs::cluster::AssignReply* reply) override;
  grpc::ServerUnaryReactor* GetCluster(grpc::CallbackServerContext* context,
                                       const rs::cluster::GetClusterRequest* request,
                                       rs::cluster::ClusterView* reply) override;
  grpc::Status WatchCluster(grpc::ServerContext* context,
                            const rs::cluster::WatchClusterRequest* request,
                            grpc::ServerWriter<rs::cluster::ClusterView>* writer) override;

  // Ends WatchCluster loops (called before server shutdown).
  void shutdown() { shutting_down_ = true; }

 private:
  grpc::Status check_token(const grpc::ServerContext& context) const;

  NodeRegistry* registry_;
  std::string token_;
  std::atomic<bool> shutting_down_{false};
};

// Checks a Register message: name, role, advertised URL, edge capacity. Empty when valid.
std::string validate_identity(const rs::cluster::NodeIdentity& identity);

}  // namespace coordinator
