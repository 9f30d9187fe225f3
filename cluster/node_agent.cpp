// NodeAgent: one AgentLink per coordinator replica, one shared report, merged origin sets
// (node_agent.hpp).
#include "cluster/node_agent.hpp"

#include <algorithm>
#include <set>

#include "absl/strings/str_join.h"
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
  auto replicas = split_coordinators(options.coordinator);
  if (!replicas.ok()) return replicas.status();
  if (auto creds = channel_credentials(options.tls); !creds.ok()) return creds.status();
  std::unique_ptr<NodeAgent> agent(new NodeAgent(std::move(options), *std::move(replicas)));
  return agent;
}

NodeAgent::NodeAgent(NodeAgentOptions options, std::vector<base::HostPort> replicas)
    : options_(std::move(options)),
      replicas_(std::move(replicas)),
      started_(std::chrono::steady_clock::now()) {
  for (const auto& r : replicas_) resolve_again_ |= !is_ip_literal(r.host);
}

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
  {
    std::lock_guard lock(mu_);
    if (started_links_ || stopping_) return;
    started_links_ = true;
  }
  refresh_links();
  resolver_ = std::thread([this] { resolver_loop(); });
}

void NodeAgent::resolver_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // Names are looked up again (pods come and go); sooner while a replica is unreachable (it
    // may be back at another address) or nothing resolved yet.
    const uint32_t links = link_count_.load();
    const bool all_up = links > 0 && registered_links_.load() == static_cast<int>(links);
    const std::chrono::seconds wait = all_up ? kResolveInterval : std::chrono::seconds(1);
    cv_.wait_for(lock, wait, [this] { return stopping_; });
    if (stopping_) break;
    if (!resolve_again_ && link_count_.load() > 0) continue;
    lock.unlock();
    refresh_links();
    lock.lock();
  }
}

void NodeAgent::refresh_links() {
  // Literals come back as they are (getaddrinfo needs no DNS for them), formatted like names.
  auto resolved = resolve_coordinators(replicas_);
  if (!resolved.ok()) {
    LOG_WARN(kTag, options_.identity.name(), ": ", resolved.status().message());
    return;  // keep the links there are
  }
  std::vector<std::unique_ptr<AgentLink>> retired;
  std::vector<AgentLink*> started;
  {
    std::lock_guard lock(links_mu_);
    for (auto it = links_.begin(); it != links_.end();) {
      const bool kept = std::any_of(resolved->begin(), resolved->end(),
                                    [&](const auto& r) { return r.address == it->first; });
      if (kept) {
        ++it;
        continue;
      }
      LOG_INFO(kTag, options_.identity.name(), ": coordinator ", it->first,
               " no longer resolves; closing its link");
      retired.push_back(std::move(it->second));
      it = links_.erase(it);
    }
    for (const auto& r : *resolved) {
      if (links_.contains(r.address)) continue;
      NodeAgentOptions link_options = options_;
      // A literal address from a name: the certificate still names the host.
      if (link_options.tls.enabled() && link_options.tls.server_name.empty() &&
          !is_ip_literal(r.host)) {
        link_options.tls.server_name = r.host;
      }
      auto link = AgentLink::create(r.address, link_options, hooks_for(r.address));
      if (!link.ok()) {
        LOG_WARN(kTag, options_.identity.name(), ": coordinator ", r.address, ": ",
                 link.status().message());
        continue;
      }
      started.push_back(link->get());
      links_[r.address] = *std::move(link);
    }
    link_count_ = static_cast<uint32_t>(links_.size());
    for (AgentLink* link : started) {
      if (draining_.load()) link->drain();
      link->start();
    }
  }
  for (auto& link : retired) link->stop();
}

AgentLinkHooks NodeAgent::hooks_for(const std::string& address) {
  AgentLinkHooks hooks;
  hooks.report = [this] { return shared_report(); };
  hooks.origins = [this, address](const rs::cluster::OriginsUpdate& update) {
    on_origins(address, update);
  };
  hooks.facts = [this](const rs::cluster::StreamFacts& facts) {
    if (facts_callback_) facts_callback_(facts);
  };
  hooks.registered = [this, address](bool registered) { on_registered(address, registered); };
  return hooks;
}

rs::cluster::NodeReport NodeAgent::shared_report() {
  std::lock_guard lock(report_mu_);
  const auto now = std::chrono::steady_clock::now();
  // One report a period for all links: the source measures rates between calls.
  if (last_report_at_ == std::chrono::steady_clock::time_point{} ||
      now - last_report_at_ >= options_.report_interval / 2) {
    last_report_ = report_source_ ? report_source_() : rs::cluster::NodeReport{};
    last_report_at_ = now;
    if (last_report_.uptime_ms() == 0) {
      last_report_.set_uptime_ms(
          std::chrono::duration_cast<std::chrono::milliseconds>(now - started_).count());
    }
    if (last_report_.health() == rs::cluster::HEALTH_UNSPECIFIED) {
      last_report_.set_health(rs::cluster::HEALTH_OK);
    }
  }
  rs::cluster::NodeReport report = last_report_;
  if (draining_.load()) report.set_draining(true);
  report.set_coordinator_replicas(std::max<uint32_t>(1, link_count_.load()));
  return report;
}

void NodeAgent::on_registered(const std::string& address, bool registered) {
  registered_links_ += registered ? 1 : -1;
  if (!registered) {
    std::lock_guard lock(origins_mu_);
    origins_by_link_.erase(address);
  }
}

void NodeAgent::on_origins(const std::string& address, const rs::cluster::OriginsUpdate& update) {
  std::vector<std::string> endpoints;
  {
    std::lock_guard lock(origins_mu_);
    auto& mine = origins_by_link_[address];
    mine.clear();
    for (const auto& origin : update.origins()) mine.push_back(origin.url());
    std::set<std::string> all;
    for (const auto& [link, urls] : origins_by_link_) all.insert(urls.begin(), urls.end());
    endpoints.assign(all.begin(), all.end());
    if (endpoints == last_origins_) return;
    last_origins_ = endpoints;
  }
  if (origins_callback_) origins_callback_(std::move(endpoints));
}

void NodeAgent::drain() {
  if (draining_.exchange(true)) return;
  std::lock_guard lock(links_mu_);
  for (auto& [address, link] : links_) link->drain();
}

void NodeAgent::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (resolver_.joinable()) resolver_.join();
  std::map<std::string, std::unique_ptr<AgentLink>> links;
  {
    std::lock_guard lock(links_mu_);
    links.swap(links_);
  }
  // Stopped together: each waits up to a second for its replica to close the stream.
  std::vector<std::thread> stoppers;
  // (Not a structured binding: clang before 16 cannot capture one in a lambda.)
  for (auto& entry : links) stoppers.emplace_back([link = entry.second.get()] { link->stop(); });
  for (auto& t : stoppers) t.join();
}

uint64_t NodeAgent::registrations() const {
  std::lock_guard lock(links_mu_);
  uint64_t total = 0;
  for (const auto& [address, link] : links_) total += link->registrations();
  return total;
}

std::vector<std::string> NodeAgent::addresses() const {
  std::lock_guard lock(links_mu_);
  std::vector<std::string> out;
  for (const auto& [address, link] : links_) out.push_back(address);
  return out;
}

}  // namespace cluster
