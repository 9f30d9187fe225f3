// StreamHealthBoard (stream_health_board.hpp).
#include "edge/stream_health_board.hpp"

#include <algorithm>

namespace edge {

void StreamHealthBoard::set_self(std::string name) {
  std::lock_guard lock(mutex_);
  self_ = std::move(name);
}

void StreamHealthBoard::on_subscribed(const std::string& stream, int64_t now_us) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = streams_.try_emplace(stream, timing_);
  it->second.on_subscribed(now_us);
  if (auto fact = facts_.find(stream); fact != facts_.end()) {
    it->second.on_fact(fact->second, self_, facts_us_);
  }
}

void StreamHealthBoard::on_unsubscribed(const std::string& stream) {
  std::lock_guard lock(mutex_);
  streams_.erase(stream);
}

void StreamHealthBoard::on_frame(const std::string& stream, int64_t now_us) {
  std::lock_guard lock(mutex_);
  if (auto it = streams_.find(stream); it != streams_.end()) it->second.on_frame(now_us);
}

void StreamHealthBoard::on_info(const rs::media::StreamInfo& info, int64_t now_us) {
  std::lock_guard lock(mutex_);
  if (auto it = streams_.find(info.stream()); it != streams_.end())
    it->second.on_info(info, now_us);
}

void StreamHealthBoard::on_switching(const std::string& stream, bool switching, int64_t now_us) {
  std::lock_guard lock(mutex_);
  if (auto it = streams_.find(stream); it != streams_.end())
    it->second.on_switching(switching, now_us);
}

void StreamHealthBoard::on_facts(const rs::cluster::StreamFacts& facts, int64_t now_us) {
  std::lock_guard lock(mutex_);
  facts_.clear();
  facts_us_ = now_us;
  for (const auto& fact : facts.streams()) facts_[fact.stream()] = fact;
  for (auto& [name, tracker] : streams_) {
    auto fact = facts_.find(name);
    // A stream the coordinator no longer mentions: an empty fact (nothing known elsewhere).
    tracker.on_fact(fact != facts_.end() ? fact->second : rs::cluster::StreamFact{}, self_, now_us);
  }
}

std::optional<rs::cluster::StreamStatus> StreamHealthBoard::status(const std::string& stream,
                                                                   int64_t now_us,
                                                                   int64_t now_wall_ms) const {
  std::lock_guard lock(mutex_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) return std::nullopt;
  return it->second.status(now_us, now_wall_ms);
}

std::vector<std::pair<std::string, rs::cluster::StreamStatus>> StreamHealthBoard::all(
    int64_t now_us, int64_t now_wall_ms) const {
  std::vector<std::pair<std::string, rs::cluster::StreamStatus>> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, tracker] : streams_) {
      out.emplace_back(name, tracker.status(now_us, now_wall_ms));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace edge
