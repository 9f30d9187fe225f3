// AgentLink: registration with one replica, periodic reports, reconnects with jittered backoff
// (agent_link.hpp).
#include "cluster/agent_link.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "base/strings.hpp"

namespace cluster {
namespace {

constexpr char kTag[] = "agent";

}  // namespace

absl::StatusOr<std::unique_ptr<AgentLink>> AgentLink::create(std::string address,
                                                             const NodeAgentOptions& options,
                                                             AgentLinkHooks hooks) {
  std::unique_ptr<AgentLink> link(new AgentLink(std::move(address), options, std::move(hooks)));
  auto channel = make_channel(link->address_, link->options_.tls);
  if (!channel.ok()) return channel.status();
  link->channel_ = *channel;
  link->stub_ = rs::cluster::Coordinator::NewStub(link->channel_);
  return link;
}

AgentLink::AgentLink(std::string address, const NodeAgentOptions& options, AgentLinkHooks hooks)
    : address_(std::move(address)),
      options_(options),
      hooks_(std::move(hooks)),
      backoff_(options_.backoff) {}

AgentLink::~AgentLink() {
  stop();
}

void AgentLink::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void AgentLink::drain() {
  std::lock_guard lock(mu_);
  drain_requested_ = true;
  cv_.notify_all();
}

void AgentLink::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool AgentLink::sleep_for(std::chrono::milliseconds duration) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, duration, [this] { return stopping_; });
  return !stopping_;
}

rs::cluster::NodeReport AgentLink::make_report() {
  rs::cluster::NodeReport report = hooks_.report();
  report.set_sequence(++sequence_);
  return report;
}

void AgentLink::run() {
  const std::string& name = options_.identity.name();
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    const grpc::Status status = run_session();
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    std::chrono::milliseconds wait;
    {
      std::lock_guard lock(mu_);
      wait = backoff_.next();
    }
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
        status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      wait = std::max(wait, std::chrono::milliseconds(2000));  // a refusal is not transient
      LOG_ERROR(kTag, name, ": coordinator ", address_,
                " refused registration: ", status.error_message(), " (retrying in ", wait.count(),
                " ms)");
    } else {
      LOG_WARN(kTag, name, ": coordinator ", address_, " link down: ", status.error_message(), " (",
               static_cast<int>(status.error_code()), "); retrying in ", wait.count(), " ms");
    }
    if (!sleep_for(wait)) break;
  }
}

grpc::Status AgentLink::run_session() {
  // Wait for a connection first: an RPC on a channel in backoff fails at once with the last
  // error, so waiting here lets the channel's own (fast) reconnects find a restarted coordinator.
  const auto connect_deadline = std::chrono::steady_clock::now() + options_.register_timeout;
  while (!channel_->WaitForConnected(std::chrono::system_clock::now() +
                                     std::chrono::milliseconds(100))) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return grpc::Status(grpc::StatusCode::CANCELLED, "stopping");
    }
    if (std::chrono::steady_clock::now() > connect_deadline) {
      return grpc::Status(
          grpc::StatusCode::UNAVAILABLE,
          base::cat("cannot connect within ", options_.register_timeout.count(), " ms"));
    }
  }
  grpc::ClientContext context;
  if (!options_.token.empty()) context.AddMetadata(kTokenMetadataKey, options_.token);
  auto stream = stub_->Connect(&context);
  {
    std::lock_guard lock(mu_);
    context_ = &context;
    session_done_ = false;
    session_registered_ = false;
    if (stopping_) context.TryCancel();
  }
  rs::cluster::NodeMessage hello;
  *hello.mutable_register_()->mutable_identity() = options_.identity;
  *hello.mutable_register_()->mutable_first_report() = make_report();
  const bool wrote = stream->Write(hello);
  std::thread reader([&] { read_loop(stream.get()); });
  std::unique_lock lock(mu_);
  if (wrote && !cv_.wait_for(lock, options_.register_timeout,
                             [&] { return session_registered_ || session_done_ || stopping_; })) {
    LOG_WARN(kTag, options_.identity.name(), ": no answer to Register within ",
             options_.register_timeout.count(), " ms");
  }
  auto next = std::chrono::steady_clock::now() + options_.report_interval;
  while (wrote && session_registered_ && !session_done_ && !stopping_) {
    cv_.wait_until(lock, next, [&] { return session_done_ || stopping_ || drain_requested_; });
    if (session_done_ || stopping_) break;
    drain_requested_ = false;
    lock.unlock();
    rs::cluster::NodeMessage message;
    *message.mutable_report() = make_report();
    const bool ok = stream->Write(message);
    lock.lock();
    if (!ok) break;
    next += options_.report_interval;
    const auto now = std::chrono::steady_clock::now();
    if (next < now)
      next = now + options_.report_interval;  // we were descheduled: no catch-up burst
  }
  const bool graceful = stopping_ && session_registered_ && !session_done_;
  lock.unlock();
  if (graceful) {
    stream->WritesDone();  // the coordinator forgets us at once
    std::unique_lock wait_lock(mu_);
    cv_.wait_for(wait_lock, std::chrono::seconds(1), [&] { return session_done_; });
  }
  {
    std::lock_guard done_lock(mu_);
    // Cancel only a stream that is still open: one the coordinator ended carries its status.
    if (!session_done_) context.TryCancel();
  }
  reader.join();
  const grpc::Status status = stream->Finish();
  if (registered_.exchange(false) && hooks_.registered) hooks_.registered(false);
  std::lock_guard relock(mu_);
  context_ = nullptr;
  return status;
}

void AgentLink::read_loop(
    grpc::ClientReaderWriter<rs::cluster::NodeMessage, rs::cluster::CoordinatorMessage>* stream) {
  rs::cluster::CoordinatorMessage message;
  while (stream->Read(&message)) {
    if (message.has_registered()) {
      {
        std::lock_guard lock(mu_);
        session_registered_ = true;
        backoff_.reset();
        cv_.notify_all();
      }
      registered_ = true;
      ++registrations_;
      if (hooks_.registered) hooks_.registered(true);
      LOG_INFO(kTag, options_.identity.name(), ": registered with coordinator ", address_,
               " (epoch ", message.registered().coordinator_epoch(), ")");
    } else if (message.has_origins()) {
      if (hooks_.origins) hooks_.origins(message.origins());
    } else if (message.has_streams() && hooks_.facts) {
      hooks_.facts(message.streams());
    }
  }
  std::lock_guard lock(mu_);
  session_done_ = true;
  cv_.notify_all();
}

}  // namespace cluster
