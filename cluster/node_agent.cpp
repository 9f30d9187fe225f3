// NodeAgent: registration, periodic reports, reconnects with jittered backoff (node_agent.hpp).
#include "cluster/node_agent.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "base/strings.hpp"

namespace cluster {
namespace {

constexpr char kTag[] = "agent";

absl::Status validate(const NodeAgentOptions& o) {
  const auto& id = o.identity;
  if (o.coordinator.empty()) return absl::InvalidArgumentError("coordinator address is empty");
  if (id.name().empty()) return absl::InvalidArgumentError("node name is empty");
  if (id.role() == rs::cluster::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError("node role must be ORIGIN or EDGE");
  }
  if (id.advertised_url().empty()) {
    return absl::InvalidArgumentError(base::cat("node ", id.name(), ": advertised URL is empty"));
  }
  if (id.role() == rs::cluster::ROLE_EDGE && id.capacity_readers() == 0) {
    return absl::InvalidArgumentError(
        base::cat("edge ", id.name(), ": capacity_readers must be > 0"));
  }
  if (o.report_interval < std::chrono::milliseconds(10)) {
    return absl::InvalidArgumentError("report interval must be >= 10ms");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<NodeAgent>> NodeAgent::create(NodeAgentOptions options) {
  if (auto st = validate(options); !st.ok()) return st;
  std::unique_ptr<NodeAgent> agent(new NodeAgent(std::move(options)));
  auto channel = make_channel(agent->options_.coordinator, agent->options_.tls);
  if (!channel.ok()) return channel.status();
  agent->channel_ = *channel;
  agent->stub_ = rs::cluster::Coordinator::NewStub(agent->channel_);
  return agent;
}

NodeAgent::NodeAgent(NodeAgentOptions options)
    : options_(std::move(options)),
      backoff_(options_.backoff),
      started_(std::chrono::steady_clock::now()) {}

NodeAgent::~NodeAgent() {
  stop();
}

void NodeAgent::set_report_source(ReportSource source) {
  report_source_ = std::move(source);
}
void NodeAgent::on_origins_changed(OriginsCallback callback) {
  origins_callback_ = std::move(callback);
}

void NodeAgent::on_stream_facts(FactsCallback callback) {
  facts_callback_ = std::move(callback);
}

void NodeAgent::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void NodeAgent::drain() {
  if (draining_.exchange(true)) return;
  std::lock_guard lock(mu_);
  drain_requested_ = true;
  cv_.notify_all();
}

void NodeAgent::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool NodeAgent::sleep_for(std::chrono::milliseconds duration) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, duration, [this] { return stopping_; });
  return !stopping_;
}

rs::cluster::NodeReport NodeAgent::make_report() {
  rs::cluster::NodeReport report;
  if (report_source_) report = report_source_();
  report.set_sequence(++sequence_);
  if (report.uptime_ms() == 0) {
    report.set_uptime_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started_)
                             .count());
  }
  if (report.health() == rs::cluster::HEALTH_UNSPECIFIED) report.set_health(rs::cluster::HEALTH_OK);
  if (draining_.load()) report.set_draining(true);
  return report;
}

void NodeAgent::run() {
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
      LOG_ERROR(kTag, name, ": coordinator ", options_.coordinator,
                " refused registration: ", status.error_message(), " (retrying in ", wait.count(),
                " ms)");
    } else {
      LOG_WARN(kTag, name, ": coordinator ", options_.coordinator,
               " link down: ", status.error_message(), " (", static_cast<int>(status.error_code()),
               "); retrying in ", wait.count(), " ms");
    }
    if (!sleep_for(wait)) break;
  }
}

grpc::Status NodeAgent::run_session() {
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
  registered_ = false;
  std::lock_guard relock(mu_);
  context_ = nullptr;
  return status;
}

void NodeAgent::read_loop(
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
      LOG_INFO(kTag, options_.identity.name(), ": registered with coordinator ",
               options_.coordinator, " (epoch ", message.registered().coordinator_epoch(), ")");
    } else if (message.has_origins()) {
      handle_origins(message.origins());
    } else if (message.has_streams() && facts_callback_) {
      facts_callback_(message.streams());
    }
  }
  std::lock_guard lock(mu_);
  session_done_ = true;
  cv_.notify_all();
}

void NodeAgent::handle_origins(const rs::cluster::OriginsUpdate& update) {
  std::vector<std::string> endpoints;
  for (const auto& origin : update.origins()) endpoints.push_back(origin.url());
  std::sort(endpoints.begin(), endpoints.end());
  endpoints.erase(std::unique(endpoints.begin(), endpoints.end()), endpoints.end());
  if (endpoints == last_origins_) return;
  last_origins_ = endpoints;
  if (origins_callback_) origins_callback_(std::move(endpoints));
}

}  // namespace cluster
