// The Coordinator gRPC service (coordinator_service.hpp).
#include "coordinator/coordinator_service.hpp"

#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "base/handoff.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "cluster/credentials.hpp"

namespace coordinator {
namespace {

constexpr char kTag[] = "service";
// Edges get the stream facts when they change and at least this often (their copy expires).
constexpr auto kFactsRefresh = std::chrono::seconds(1);
// A parked AssignEdge is answered this long before the client's own deadline.
constexpr auto kDeadlineMargin = std::chrono::milliseconds(100);

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

grpc::Status CoordinatorService::check_token(const grpc::ServerContextBase& context) const {
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

// One node's Connect stream: Register first (checked), then a report every interval; edges get
// the origin list whenever it changes. Reads and writes complete on gRPC's callback threads; at
// most one write is in flight (the rest wait in `outbox_`), and Finish waits for it.
class NodeStream final
    : public grpc::ServerBidiReactor<rs::cluster::NodeMessage, rs::cluster::CoordinatorMessage> {
 public:
  NodeStream(CoordinatorService* service, grpc::CallbackServerContext* context)
      : service_(service), context_(context) {
    if (auto st = service_->check_token(*context_); !st.ok()) {
      LOG_WARN(kTag, "refused a node from ", context_->peer(), ": ", st.error_message());
      finish(st);
      return;
    }
    start_read();
  }

  void OnReadDone(bool ok) override {
    base::HandoffScope read_side(&in_);
    if (!ok) return finish(grpc::Status::OK);  // the node closed its side, or the call ended
    NodeRegistry* registry = service_->registry();
    if (!registered_) {
      if (!in_.has_register_()) {
        return finish(
            grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be Register"));
      }
      const auto& reg = in_.register_();
      if (auto error = validate_identity(reg.identity()); !error.empty()) {
        return finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, error));
      }
      edge_ = reg.identity().role() == rs::cluster::ROLE_EDGE;
      // Called with the registry lock held, never after unregister() (OnDone) has returned.
      session_ = registry->register_node(reg.identity(), reg.first_report(), Clock::now(),
                                         [context = context_] { context->TryCancel(); });
      {
        std::lock_guard lock(mutex_);
        registered_ = true;
      }
      rs::cluster::CoordinatorMessage out;
      auto* registered = out.mutable_registered();
      registered->set_node(reg.identity().name());
      registered->set_report_interval_ms(
          static_cast<uint32_t>(registry->config().report_interval.count()));
      registered->set_coordinator_epoch(registry->epoch());
      write(std::move(out));
    } else if (in_.has_report() && !registry->report(session_, in_.report(), Clock::now())) {
      return finish(grpc::Status::OK);  // the registry dropped this session
    }
    if (edge_) {
      auto origins = registry->origins();
      if (origins.version() != origins_sent_) {
        origins_sent_ = origins.version();
        rs::cluster::CoordinatorMessage update;
        *update.mutable_origins() = std::move(origins);
        write(std::move(update));
      }
      send_facts(*registry);
    }
    start_read();
  }

  void OnWriteDone(bool ok) override {
    base::HandoffScope write_side(&outbox_);
    std::lock_guard lock(mutex_);
    outbox_.pop_front();
    if (!ok) outbox_.clear();  // the call is ending; OnReadDone(false) finishes it
    if (!outbox_.empty()) {
      start_write();
    } else if (finish_status_ && !finished_) {
      finish_now();
    }
  }

  void OnDone() override {
    base::handoff_acquire(&in_);
    base::handoff_acquire(&outbox_);
    if (registered_) {
      service_->registry()->unregister(
          session_, context_->IsCancelled() ? "stream cancelled" : "stream closed");
    }
    delete this;
  }

 private:
  void write(rs::cluster::CoordinatorMessage message) {
    std::lock_guard lock(mutex_);
    if (finish_status_) return;
    outbox_.push_back(std::move(message));
    if (outbox_.size() == 1) start_write();
  }

  // The stream facts, when they changed or the edge's copy is getting old.
  void send_facts(const NodeRegistry& registry) {
    const auto now = Clock::now();
    auto facts = registry.facts();
    if (facts.version() == facts_sent_ && now - facts_sent_at_ < kFactsRefresh) return;
    facts_sent_ = facts.version();
    facts_sent_at_ = now;
    rs::cluster::CoordinatorMessage update;
    *update.mutable_streams() = std::move(facts);
    write(std::move(update));
  }

  // Ends the call once no write is in flight.
  void finish(grpc::Status status) {
    std::lock_guard lock(mutex_);
    if (finish_status_) return;
    finish_status_ = std::move(status);
    if (outbox_.empty()) finish_now();
  }

  // gRPC may run the next callback on another thread as soon as these are called
  // (base/handoff.hpp).
  void start_read() {
    base::handoff_release(&in_);
    StartRead(&in_);
  }
  void start_write() {  // mutex_ held
    base::handoff_release(&outbox_);
    StartWrite(&outbox_.front());
  }
  void finish_now() {  // mutex_ held
    finished_ = true;
    base::handoff_release(&in_);
    base::handoff_release(&outbox_);
    Finish(*finish_status_);
  }

  CoordinatorService* service_;
  grpc::CallbackServerContext* context_;
  rs::cluster::NodeMessage in_;
  bool edge_ = false;
  uint64_t session_ = 0;
  uint64_t origins_sent_ = 0;
  uint64_t facts_sent_ = 0;
  TimePoint facts_sent_at_{};
  std::mutex mutex_;  // guards the members below
  bool registered_ = false;
  std::deque<rs::cluster::CoordinatorMessage> outbox_;  // front: the write in flight
  std::optional<grpc::Status> finish_status_;
  bool finished_ = false;
};

grpc::ServerBidiReactor<rs::cluster::NodeMessage, rs::cluster::CoordinatorMessage>*
CoordinatorService::Connect(grpc::CallbackServerContext* context) {
  return new NodeStream(this, context);
}

grpc::ServerUnaryReactor* CoordinatorService::AssignEdge(grpc::CallbackServerContext* context,
                                                         const rs::cluster::AssignRequest* request,
                                                         rs::cluster::AssignReply* reply) {
  auto* reactor = context->DefaultReactor();
  const TimePoint now = Clock::now();
  Parked p{reactor, context, request, reply, now};
  if (try_answer(p, now, /*final=*/!registry_->in_startup_grace(now) || shutting_down_)) {
    return reactor;
  }
  // Park until the grace ends, or shortly before the client gives up on its own.
  p.until = now + registry_->config().startup_grace;
  const auto deadline = context->deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    const auto left = deadline - std::chrono::system_clock::now() - kDeadlineMargin;
    p.until = std::min(p.until, now + std::chrono::duration_cast<Clock::duration>(left));
  }
  std::lock_guard lock(parked_mutex_);
  parked_.push_back(p);
  return reactor;
}

bool CoordinatorService::try_answer(const Parked& p, TimePoint now, bool final) {
  auto result = registry_->assign(*p.request, now, /*count_failure=*/final);
  if (result.ok()) {
    *p.reply = std::move(*result);
    p.reactor->Finish(grpc::Status::OK);
    return true;
  }
  // Only "not there yet" waits: a bad request or a full cluster is answered at once.
  if (final || result.status().code() != absl::StatusCode::kUnavailable) {
    p.reactor->Finish(to_grpc(result.status()));
    return true;
  }
  return false;
}

void CoordinatorService::retry_parked(TimePoint now) {
  std::lock_guard lock(parked_mutex_);
  std::erase_if(parked_, [&](const Parked& p) {
    const bool final = now >= p.until || p.context->IsCancelled() || shutting_down_ ||
                       !registry_->in_startup_grace(now);
    return try_answer(p, now, final);
  });
}

void CoordinatorService::shutdown() {
  shutting_down_ = true;
  retry_parked(Clock::now());
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
