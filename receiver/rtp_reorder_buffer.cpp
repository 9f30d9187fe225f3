// RtpReorderBuffer (rtp_reorder_buffer.hpp).
#include "receiver/rtp_reorder_buffer.hpp"

#include <algorithm>

namespace receiver {

int64_t RtpReorderBuffer::extend(uint16_t sequence) const {
  // The extended value whose low 16 bits are `sequence`, within +-32768 of next_.
  const int64_t base = next_ & ~int64_t{0xFFFF};
  int64_t candidate = base | sequence;
  if (candidate - next_ > 32768) candidate -= 65536;
  if (next_ - candidate > 32768) candidate += 65536;
  return candidate;
}

void RtpReorderBuffer::push(uint16_t sequence, std::string packet, int64_t now_us,
                            std::vector<std::string>& out) {
  if (!started_) {
    started_ = true;
    first_ = next_ = highest_ = 65536 + sequence;  // room below for packets that overtook it
  }
  const int64_t at = extend(sequence);
  if (at < next_ || held_.contains(at)) {
    ++stats_.duplicates;
    return;
  }
  ++stats_.packets;
  if (at < highest_) ++stats_.reordered;
  highest_ = std::max(highest_, at);
  held_.emplace(at, Held{std::move(packet), now_us});
  release_in_order(out);
  // A full window gives up on the gap in front of it.
  while (held_.size() > window_) skip_to_first_held(out);
}

void RtpReorderBuffer::release_in_order(std::vector<std::string>& out) {
  for (auto it = held_.begin(); it != held_.end() && it->first == next_; it = held_.begin()) {
    out.push_back(std::move(it->second.packet));
    held_.erase(it);
    ++next_;
  }
}

void RtpReorderBuffer::skip_to_first_held(std::vector<std::string>& out) {
  if (held_.empty()) return;
  stats_.lost += static_cast<uint64_t>(held_.begin()->first - next_);
  next_ = held_.begin()->first;
  release_in_order(out);
}

void RtpReorderBuffer::flush_due(int64_t now_us, std::vector<std::string>& out) {
  while (!held_.empty() && now_us - held_.begin()->second.arrived_us >= max_hold_us_) {
    skip_to_first_held(out);
  }
}

void RtpReorderBuffer::restart(std::vector<std::string>& out) {
  while (!held_.empty()) skip_to_first_held(out);
  started_ = false;
}

std::optional<int64_t> RtpReorderBuffer::next_due_us() const {
  if (held_.empty()) return std::nullopt;
  return held_.begin()->second.arrived_us + max_hold_us_;
}

}  // namespace receiver
