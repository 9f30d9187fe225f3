// NodeRegistry (node_registry.hpp): registrations, reports, silence detection, pending
// assignment accounting, cluster views.
#include "coordinator/node_registry.hpp"

#include <algorithm>
#include <map>

#include "absl/strings/str_join.h"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"

namespace coordinator {
namespace {

// A versioned view pushed to nodes (StreamFacts, OriginsUpdate): replaced by `next`, with the
// version one higher, only when its content changed, so that nodes see a new version only for
// news.
template <typename Versioned>
void replace_when_changed(Versioned& current, Versioned next) {
  next.set_version(current.version());
  if (next.SerializeAsString() == current.SerializeAsString()) return;
  next.set_version(current.version() + 1);
  current = std::move(next);
}

constexpr char kTag[] = "registry";

int64_t ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

bool carries(const rs::cluster::NodeReport& r, std::string_view stream) {
  return std::any_of(r.streams().begin(), r.streams().end(),
                     [&](const auto& s) { return s.stream() == stream; });
}

// The edge's own view of `stream` (UNSPECIFIED when it does not carry it).
rs::cluster::StreamHealth edge_health(const rs::cluster::NodeReport& r, std::string_view stream) {
  for (const auto& s : r.streams()) {
    if (s.stream() == stream) return s.status().health();
  }
  return rs::cluster::STREAM_HEALTH_UNSPECIFIED;
}

int64_t wall_ms_of(TimePoint t, TimePoint now) {
  return base::wall_clock_us() / 1000 - ms(now - t);
}

}  // namespace

std::string stream_url(std::string_view base_url, std::string_view stream) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  return base::cat(base_url, "/", stream);
}

void NodeRegistry::set_started(TimePoint now) {
  std::lock_guard lock(mu_);
  started_ = now;
}

NodeRegistry::NodeRegistry(RegistryConfig config)
    : config_(config), epoch_(static_cast<uint64_t>(base::wall_clock_us())), rng_(config.seed) {}

uint64_t NodeRegistry::register_node(const rs::cluster::NodeIdentity& identity,
                                     const rs::cluster::NodeReport& first_report, TimePoint now,
                                     std::function<void()> cancel) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(identity.name());
  if (it != nodes_.end()) remove(it, "replaced by a new registration");
  const uint64_t session = next_session_++;
  Node& node = nodes_[identity.name()];
  node.session = session;
  node.identity = identity;
  node.last = first_report;
  node.last_report_at = now;
  node.registered_at = now;
  node.cancel = std::move(cancel);
  sessions_[session] = identity.name();
  remember_streams(node, now);
  LOG_INFO(kTag, "registered ", rs::cluster::Role_Name(identity.role()), " ", identity.name(), " ",
           identity.advertised_url(), " capacity ", identity.capacity_readers(), " readers");
  if (identity.role() == rs::cluster::ROLE_ORIGIN) refresh_origins(now);
  return session;
}

bool NodeRegistry::report(uint64_t session, const rs::cluster::NodeReport& report, TimePoint now) {
  std::lock_guard lock(mu_);
  auto s = sessions_.find(session);
  if (s == sessions_.end()) return false;
  Node& node = nodes_[s->second];
  // A report confirms as many pending assignments as readers it gained (oldest first); with
  // several replicas, this replica's share of them.
  if (report.readers() > node.last.readers()) {
    size_t confirmed =
        own_share(report.readers() - node.last.readers(), report.coordinator_replicas());
    while (confirmed-- > 0 && !node.pending.empty()) node.pending.pop_front();
  }
  node.last = report;
  node.last_report_at = now;
  remember_streams(node, now);
  expire_pending(node, now);
  if (node.identity.role() == rs::cluster::ROLE_ORIGIN) refresh_origins(now);
  return true;
}

void NodeRegistry::unregister(uint64_t session, std::string_view reason) {
  std::lock_guard lock(mu_);
  auto s = sessions_.find(session);
  if (s == sessions_.end()) return;
  remove(nodes_.find(s->second), reason);
}

void NodeRegistry::remove(absl::flat_hash_map<std::string, Node>::iterator it,
                          std::string_view reason) {
  Node& node = it->second;
  LOG_INFO(kTag, "removed ", node.identity.name(), ": ", reason);
  if (node.cancel) node.cancel();
  sessions_.erase(node.session);
  const bool origin = node.identity.role() == rs::cluster::ROLE_ORIGIN;
  nodes_.erase(it);
  ++removed_;
  if (origin) refresh_origins(Clock::now());
}

size_t NodeRegistry::sweep(TimePoint now) {
  std::lock_guard lock(mu_);
  const auto limit = config_.report_interval * config_.remove_after_missed;
  std::vector<std::string> silent;
  for (auto& [name, node] : nodes_) {
    if (now - node.last_report_at > limit) {
      silent.push_back(name);
    } else {
      expire_pending(node, now);
    }
  }
  for (const auto& name : silent) {
    remove(nodes_.find(name),
           base::cat("silent for ", config_.remove_after_missed, " report intervals"));
  }
  for (auto it = memory_.begin(); it != memory_.end();) {
    if (now - it->second.last_seen > config_.stream_memory) {
      memory_.erase(it++);
    } else {
      ++it;
    }
  }
  if (now >= next_facts_) {
    next_facts_ = now + config_.facts_interval;
    refresh_facts(now);
  }
  return silent.size();
}

void NodeRegistry::remember_streams(const Node& node, TimePoint now) {
  for (const auto& s : node.last.streams()) memory_[s.stream()].last_seen = now;
  for (const auto& info : node.last.origin_streams()) {
    StreamMemory& m = memory_[info.stream()];
    m.last_seen = now;
    m.last_origin_report = now;
  }
}

bool NodeRegistry::in_startup_grace(TimePoint now) const {
  std::lock_guard lock(mu_);
  return started_ && now - *started_ < config_.startup_grace;
}

rs::cluster::StreamStatus NodeRegistry::stream_status(std::string_view stream,
                                                      TimePoint now) const {
  std::lock_guard lock(mu_);
  return stream_status_locked(stream, now);
}

rs::cluster::StreamStatus NodeRegistry::stream_status_locked(std::string_view stream,
                                                             TimePoint now) const {
  rs::cluster::StreamStatus out;
  bool down = false;
  for (const auto& [name, node] : nodes_) {
    if (node.identity.role() != rs::cluster::ROLE_ORIGIN ||
        state_of(node, now) == rs::cluster::NODE_STATE_SUSPECT) {
      continue;
    }
    for (const auto& info : node.last.origin_streams()) {
      if (info.stream() != stream) continue;
      if (info.state() != rs::media::STREAM_STATE_DOWN) {
        out.set_health(rs::cluster::STREAM_HEALTH_LIVE);
        out.set_since_unix_ms(info.state_since_us() / 1000);
        out.clear_reason();
        return out;  // one origin with it live is enough
      }
      down = true;
      out.set_health(rs::cluster::STREAM_HEALTH_SOURCE_DOWN);
      out.set_since_unix_ms(info.state_since_us() / 1000);
      out.set_reason(
          base::cat(name, ": ", info.state_reason().empty() ? "source down" : info.state_reason()));
    }
  }
  if (down) return out;
  out.set_health(rs::cluster::STREAM_HEALTH_ORIGIN_SILENT);
  auto m = memory_.find(base::av(stream));
  if (m != memory_.end() && m->second.last_origin_report) {
    out.set_since_unix_ms(wall_ms_of(*m->second.last_origin_report, now));
    out.set_reason("no origin reports the stream any more");
  } else {
    out.set_reason("no origin has reported the stream since the coordinator started");
  }
  return out;
}

void NodeRegistry::refresh_facts(TimePoint now) {
  std::map<std::string, rs::cluster::StreamFact> facts;
  for (const auto& [stream, memory] : memory_) {
    auto& fact = facts[stream];
    fact.set_stream(stream);
    *fact.mutable_origin() = stream_status_locked(stream, now);
  }
  for (const auto& [name, node] : nodes_) {
    if (node.identity.role() != rs::cluster::ROLE_EDGE ||
        state_of(node, now) == rs::cluster::NODE_STATE_SUSPECT) {
      continue;
    }
    for (const auto& s : node.last.streams()) {
      if (s.status().health() == rs::cluster::STREAM_HEALTH_LIVE) {
        facts[s.stream()].add_live_edges(name);
      }
    }
  }
  rs::cluster::StreamFacts next;
  for (auto& [stream, fact] : facts) {
    std::sort(fact.mutable_live_edges()->begin(), fact.mutable_live_edges()->end());
    *next.add_streams() = std::move(fact);
  }
  replace_when_changed(facts_, std::move(next));
}

rs::cluster::StreamFacts NodeRegistry::facts() const {
  std::lock_guard lock(mu_);
  return facts_;
}

void NodeRegistry::expire_pending(Node& node, TimePoint now) const {
  while (!node.pending.empty() && now - node.pending.front() > config_.pending_ttl) {
    node.pending.pop_front();
  }
}

rs::cluster::NodeState NodeRegistry::state_of(const Node& node, TimePoint now) const {
  if (now - node.last_report_at > config_.report_interval * config_.suspect_after_missed) {
    return rs::cluster::NODE_STATE_SUSPECT;
  }
  if (node.last.health() == rs::cluster::HEALTH_UNHEALTHY) return rs::cluster::NODE_STATE_UNHEALTHY;
  if (node.last.draining()) return rs::cluster::NODE_STATE_DRAINING;
  return rs::cluster::NODE_STATE_READY;
}

double NodeRegistry::stream_mbps(std::string_view stream) const {
  for (const auto& [name, node] : nodes_) {
    for (const auto& info : node.last.origin_streams()) {
      if (info.stream() != stream) continue;
      double bps = 0;
      for (const auto& t : info.tracks()) bps += static_cast<double>(t.bitrate_bps());
      return bps / 1e6;
    }
  }
  return 0;
}

EdgeLoad NodeRegistry::edge_load(const Node& node, std::string_view stream, TimePoint now) const {
  const auto& id = node.identity;
  const auto& r = node.last;
  EdgeLoad e;
  e.name = id.name();
  e.zone = id.zone();
  e.capacity_readers = id.capacity_readers();
  e.capacity_mbps = id.capacity_mbps();
  e.readers = r.readers();
  e.mbps_out = r.mbps_out();
  e.cpu = r.cpu();
  e.pending = cluster_pending(static_cast<uint32_t>(node.pending.size()), r.coordinator_replicas());
  e.assignable = state_of(node, now) == rs::cluster::NODE_STATE_READY;
  e.carries_stream = carries(r, stream);
  e.stream_broken = edge_health(r, stream) == rs::cluster::STREAM_HEALTH_EDGE_LOCAL;
  if (r.readers() > 0 && r.mbps_out() > 0) e.mbps_per_reader = r.mbps_out() / r.readers();
  const int64_t uptime_ms = r.uptime_ms() + ms(now - node.last_report_at);
  const int64_t warmup_ms = config_.warmup.count();
  if (warmup_ms > 0 && uptime_ms < warmup_ms) {
    const double ramp = static_cast<double>(id.capacity_readers()) * uptime_ms / warmup_ms;
    e.pending_limit = std::max(config_.warmup_min_pending, static_cast<uint32_t>(ramp));
  }
  return e;
}

bool NodeRegistry::stream_known(std::string_view stream, TimePoint now) const {
  if (auto m = memory_.find(base::av(stream));
      m != memory_.end() && now - m->second.last_seen <= config_.stream_memory) {
    return true;
  }
  for (const auto& [name, node] : nodes_) {
    if (carries(node.last, stream)) return true;
    for (const auto& info : node.last.origin_streams()) {
      if (info.stream() == stream) return true;
    }
  }
  return false;
}

std::string NodeRegistry::known_streams() const {
  std::vector<std::string> names;
  for (const auto& [name, node] : nodes_) {
    for (const auto& s : node.last.streams()) names.push_back(s.stream());
    for (const auto& info : node.last.origin_streams()) names.push_back(info.stream());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > 10) names.resize(10);
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

absl::StatusOr<rs::cluster::AssignReply> NodeRegistry::assign(
    const rs::cluster::AssignRequest& request, TimePoint now, bool count_failure) {
  std::lock_guard lock(mu_);
  const std::string& stream = request.stream();
  if (stream.empty() || stream.size() > 256) {
    if (count_failure) counters_.set_invalid(counters_.invalid() + 1);
    return absl::InvalidArgumentError("stream name must be 1-256 characters");
  }
  if (config_.require_known_stream && !stream_known(stream, now)) {
    if (started_ && now - *started_ < config_.startup_grace) {
      if (count_failure) counters_.set_unavailable(counters_.unavailable() + 1);
      return absl::UnavailableError(
          base::cat("stream \"", stream, "\" is not known yet: the coordinator started ",
                    std::chrono::duration_cast<std::chrono::milliseconds>(now - *started_).count(),
                    " ms ago and the cluster is re-registering; retry"));
    }
    if (count_failure) counters_.set_not_found(counters_.not_found() + 1);
    return absl::NotFoundError(base::cat("stream \"", stream,
                                         "\" is not published by any registered origin or edge "
                                         "(known streams: ",
                                         known_streams(), ")"));
  }
  scratch_.clear();
  scratch_nodes_.clear();
  const double fallback_mbps = stream_mbps(stream);
  for (auto& [name, node] : nodes_) {
    if (node.identity.role() != rs::cluster::ROLE_EDGE) continue;
    expire_pending(node, now);
    scratch_.push_back(edge_load(node, stream, now));
    if (scratch_.back().mbps_per_reader == 0) scratch_.back().mbps_per_reader = fallback_mbps;
    scratch_nodes_.push_back(&node);
  }
  std::vector<std::string> excluded(request.excluded_edges().begin(),
                                    request.excluded_edges().end());
  const AssignQuery query{stream, request.client_zone(), excluded};
  auto ranked = rank_edges(scratch_, query, config_.policy, rng_);
  if (!ranked.ok()) {
    if (ranked.status().code() == absl::StatusCode::kResourceExhausted) {
      if (count_failure) counters_.set_exhausted(counters_.exhausted() + 1);
    } else {
      if (count_failure) counters_.set_unavailable(counters_.unavailable() + 1);
    }
    return ranked.status();
  }
  Node& chosen = *scratch_nodes_[(*ranked)[0].index];
  chosen.pending.push_back(now);
  ++chosen.assigned_total;
  counters_.set_ok(counters_.ok() + 1);
  rs::cluster::AssignReply reply;
  reply.set_edge(chosen.identity.name());
  reply.set_url(stream_url(chosen.identity.advertised_url(), stream));
  reply.set_ttl_ms(static_cast<uint32_t>(config_.assignment_ttl.count()));
  *reply.mutable_stream_status() = stream_status_locked(stream, now);
  for (size_t i = 1; i < ranked->size(); ++i) {
    const Node& alt = *scratch_nodes_[(*ranked)[i].index];
    auto* choice = reply.add_alternates();
    choice->set_edge(alt.identity.name());
    choice->set_url(stream_url(alt.identity.advertised_url(), stream));
    choice->set_load((*ranked)[i].load);
  }
  return reply;
}

void NodeRegistry::refresh_origins(TimePoint now) {
  rs::cluster::OriginsUpdate next;
  std::map<std::string, const Node*> sorted;
  for (const auto& [name, node] : nodes_) {
    if (node.identity.role() == rs::cluster::ROLE_ORIGIN) sorted[name] = &node;
  }
  for (const auto& [name, node] : sorted) {
    const auto state = state_of(*node, now);
    if (state != rs::cluster::NODE_STATE_READY && state != rs::cluster::NODE_STATE_DRAINING)
      continue;
    auto* o = next.add_origins();
    o->set_name(name);
    o->set_url(node->identity.advertised_url());
    for (const auto& info : node->last.origin_streams()) o->add_streams(info.stream());
  }
  replace_when_changed(origins_, std::move(next));
}

rs::cluster::OriginsUpdate NodeRegistry::origins() const {
  std::lock_guard lock(mu_);
  return origins_;
}

uint64_t NodeRegistry::origins_version() const {
  std::lock_guard lock(mu_);
  return origins_.version();
}

rs::cluster::ClusterView NodeRegistry::view(TimePoint now) const {
  std::lock_guard lock(mu_);
  rs::cluster::ClusterView view;
  view.set_generated_unix_ms(base::wall_clock_us() / 1000);
  view.set_coordinator_epoch(epoch_);
  *view.mutable_assignments() = counters_;
  view.set_removed_nodes(removed_);
  std::map<std::string, const Node*> sorted;
  for (const auto& [name, node] : nodes_) sorted[name] = &node;
  std::map<std::string, rs::cluster::StreamView> streams;
  for (const auto& [name, node] : sorted) {
    auto* v = view.add_nodes();
    *v->mutable_identity() = node->identity;
    v->set_state(state_of(*node, now));
    *v->mutable_last_report() = node->last;
    v->set_report_age_ms(ms(now - node->last_report_at));
    v->set_pending(static_cast<uint32_t>(node->pending.size()));
    v->set_registered_ms(ms(now - node->registered_at));
    v->set_assigned_total(node->assigned_total);
    if (node->identity.role() == rs::cluster::ROLE_EDGE) {
      const EdgeLoad load = edge_load(*node, "", now);
      v->set_load(load_score(load));
      v->set_warming(load.pending_limit != UINT32_MAX);  // still ramping up (warm-up)
    }
    for (const auto& s : node->last.streams()) {
      auto& sv = streams[s.stream()];
      sv.set_stream(s.stream());
      sv.set_readers(sv.readers() + s.readers());
      sv.set_mbps_out(sv.mbps_out() + s.mbps_out());
      sv.set_frames_dropped(sv.frames_dropped() + s.frames_dropped());
      sv.add_edges(name);
      auto* per_edge = sv.add_per_edge();
      per_edge->set_edge(name);
      per_edge->set_readers(s.readers());
      *per_edge->mutable_status() = s.status();
    }
    for (const auto& info : node->last.origin_streams()) {
      auto& sv = streams[info.stream()];
      sv.set_stream(info.stream());
      if (sv.origin().empty()) sv.set_origin(name);
      sv.add_origins(name);
      if (!info.publisher_protocol().empty() && !sv.has_publisher()) {
        auto* p = sv.mutable_publisher();
        p->set_protocol(info.publisher_protocol());
        p->set_address(info.publisher_address());
        p->set_since_unix_ms(info.publisher_since_us() / 1000);
        p->set_origin(name);
      }
    }
  }
  for (const auto& [stream, memory] : memory_) streams[stream].set_stream(stream);
  for (auto& [name, s] : streams) {
    *s.mutable_status() = stream_status_locked(name, now);
    *view.add_streams() = std::move(s);
  }
  return view;
}

}  // namespace coordinator
