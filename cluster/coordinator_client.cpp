// CoordinatorClient: AssignEdge with jittered retries, GetCluster (coordinator_client.hpp).
#include "cluster/coordinator_client.hpp"

#include <thread>

#include "cluster/coordinator_targets.hpp"

namespace cluster {

bool is_retryable(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kResourceExhausted;
}

absl::StatusOr<std::unique_ptr<CoordinatorClient>> CoordinatorClient::create(
    CoordinatorClientOptions options) {
  if (options.max_attempts < 1) return absl::InvalidArgumentError("max_attempts must be >= 1");
  std::unique_ptr<CoordinatorClient> client(new CoordinatorClient(std::move(options)));
  // Several replicas: one channel over all of them (coordinator_targets.hpp).
  auto target = client_channel_target(client->options_.coordinator);
  if (!target.ok()) return target.status();
  auto channel = make_channel(*target, client->options_.tls, ReconnectProfile::Client);
  if (!channel.ok()) return channel.status();
  client->channel_ = *channel;
  client->stub_ = rs::cluster::Coordinator::NewStub(client->channel_);
  return client;
}

absl::StatusOr<rs::cluster::AssignReply> CoordinatorClient::assign_edge_once(
    const rs::cluster::AssignRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.rpc_timeout);
  // While the coordinator is unreachable the request waits here, in the client, for the channel
  // to reconnect (jittered): a restarted coordinator sees each waiting client once, spread out,
  // instead of a flood of retries (bench/coordinator_storm_bench.cpp).
  context.set_wait_for_ready(options_.wait_for_ready);
  rs::cluster::AssignReply reply;
  const grpc::Status status = stub_->AssignEdge(&context, request, &reply);
  if (!status.ok()) return to_absl(status);
  return reply;
}

absl::StatusOr<rs::cluster::AssignReply> CoordinatorClient::assign_edge(
    const std::string& stream, const std::string& client_zone,
    const std::vector<std::string>& excluded) {
  rs::cluster::AssignRequest request;
  request.set_stream(stream);
  request.set_client_zone(client_zone);
  for (const auto& e : excluded) request.add_excluded_edges(e);
  Backoff backoff(options_.backoff);
  absl::Status last;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    auto reply = assign_edge_once(request);
    if (reply.ok() || !is_retryable(reply.status().code())) return reply;
    last = reply.status();
    // Not connected with wait_for_ready: the attempt waited for the channel, whose reconnect
    // backoff already spaces the attempts.
    if (attempt + 1 < options_.max_attempts && (connected() || !options_.wait_for_ready)) {
      std::this_thread::sleep_for(backoff.next());
    }
  }
  return last;
}

bool CoordinatorClient::connected() const {
  return channel_->GetState(false) == GRPC_CHANNEL_READY;
}

absl::StatusOr<rs::cluster::ClusterView> CoordinatorClient::get_cluster() {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.rpc_timeout);
  rs::cluster::ClusterView view;
  const grpc::Status status = stub_->GetCluster(&context, rs::cluster::GetClusterRequest(), &view);
  if (!status.ok()) return to_absl(status);
  return view;
}

}  // namespace cluster
