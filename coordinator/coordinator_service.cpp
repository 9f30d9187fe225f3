// The Coordinator gRPC service (coordinator_service.hpp).
#include "coordinator/coordinator_service.hpp"

#include <thread>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "cluster/credentials.hpp"

namespace coordinator {
namespace {

constexpr char kTag[] = "service";

grpc::Status to_grpc(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(base::sv(status.message())));
}

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;  // constant time: no early exit on the first difference
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string validate_identity(const rs::cluster::NodeIdentity& id) {
  if (id.name().empty() || id.name().size() > 128) return "node name must be 1-128 characters";
  if (id.role() != rs::cluster::ROLE_EDGE && id.role() != rs::cluster::ROLE_ORIGIN) {
    return base::cat("node ", id.name(), ": role must be ORIGIN or EDGE");
  }
  if (id.advertised_url().empty())
    return base::cat("node ", id.name(), ": advertised_url is empty");
  if (id.role() == rs::cluster::ROLE_EDGE && id.capacity_readers() == 0) {
    return base::cat("edge ", id.name(), ": capacity_readers must be > 0");
  }
  return {};
}

CoordinatorService::CoordinatorService(NodeRegistry* registry, std::string token)
    : registry_(registry), token_(std::move(token)) {}

grpc::Status CoordinatorService::check_token(const grpc::ServerContext& context) const {
  if (token_.empty()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(cluster::kTokenMetadataKey);
  if (it == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "registration token required: this coordinator runs with --token");
  }
  if (!same_secret(std::string_view(it->second.data(), it->second.size()), token_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "registration token rejected: it does not match the coordinator's --token");
  }
  return grpc::Status::OK;
}

grpc::Status CoordinatorService::Connect(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<rs::cluster::CoordinatorMessage, rs::cluster::NodeMessage>* stream) {
  if (auto st = check_token(*context); !st.ok()) {
    LOG_WARN(kTag, "refused a node from ", context->peer(), ": ", st.error_message());
    return st;
  }
  rs::cluster::NodeMessage message;
  if (!stream->Read(&message)) return grpc::Status(grpc::StatusCode::CANCELLED, "no Register");
  if (!message.has_register_()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be Register");
  }
  const auto& reg = message.register_();
  if (auto error = validate_identity(reg.identity()); !error.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, error);
  }
  const bool edge = reg.identity().role() == rs::cluster::ROLE_EDGE;
  const uint64_t session = registry_->register_node(
      reg.identity(), reg.first_report(), Clock::now(), [context] { context->TryCancel(); });
  rs::cluster::CoordinatorMessage out;
  auto* registered = out.mutable_registered();
  registered->set_node(reg.identity().name());
  registered->set_report_interval_ms(
      static_cast<uint32_t>(registry_->config().report_interval.count()));
  registered->set_coordinator_epoch(registry_->epoch());
  bool alive = stream->Write(out);
  uint64_t origins_sent = 0;
  while (alive) {
    if (edge) {
      auto origins = registry_->origins();
      if (origins.version() != origins_sent) {
        origins_sent = origins.version();
        rs::cluster::CoordinatorMessage update;
        *update.mutable_origins() = std::move(origins);
        if (!stream->Write(update)) break;
      }
    }
    if (!stream->Read(&message)) break;
    if (message.has_report() && !registry_->report(session, message.report(), Clock::now())) break;
  }
  registry_->unregister(session, context->IsCancelled() ? "stream cancelled" : "stream closed");
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* CoordinatorService::AssignEdge(grpc::CallbackServerContext* context,
                                                         const rs::cluster::AssignRequest* request,
                                                         rs::cluster::AssignReply* reply) {
  auto* reactor = context->DefaultReactor();
  auto result = registry_->assign(*request, Clock::now());
  if (result.ok()) {
    *reply = std::move(*result);
    reactor->Finish(grpc::Status::OK);
  } else {
    reactor->Finish(to_grpc(result.status()));
  }
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::GetCluster(grpc::CallbackServerContext* context,
                                                         const rs::cluster::GetClusterRequest*,
                                                         rs::cluster::ClusterView* reply) {
  *reply = registry_->view(Clock::now());
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::Status CoordinatorService::WatchCluster(
    grpc::ServerContext* context, const rs::cluster::WatchClusterRequest* request,
    grpc::ServerWriter<rs::cluster::ClusterView>* writer) {
  const auto interval = std::chrono::milliseconds(
      request->min_interval_ms() == 0 ? 500 : std::max<uint32_t>(request->min_interval_ms(), 50));
  while (!context->IsCancelled() && !shutting_down_) {
    if (!writer->Write(registry_->view(Clock::now()))) break;
    const auto until = Clock::now() + interval;
    while (Clock::now() < until && !context->IsCancelled() && !shutting_down_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return grpc::Status::OK;
}

}  // namespace coordinator
