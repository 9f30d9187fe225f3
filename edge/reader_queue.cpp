// ReaderQueue (reader_queue.hpp).
#include "edge/reader_queue.hpp"

#include <algorithm>
#include <cstring>

namespace edge {

void ReaderQueue::push_text(std::string text, int64_t now_us) {
  bytes_ += text.size();
  items_.push_back(Item{.text = std::move(text), .enqueued_us = now_us});
}

bool ReaderQueue::passes(bool keyframe) {
  if (!skipping_) return true;
  if (!keyframe) return false;
  skipping_ = false;
  return true;
}

ReaderQueue::Push ReaderQueue::push_frame(media::PacketizedFramePtr frame, uint8_t channel,
                                          bool live, int64_t now_us) {
  Push out;
  const bool overflow = bytes_ + frame->bytes.size() > limits_.max_bytes ||
                        oldest_age_us(now_us) > limits_.latency_budget_us / 2;
  if (overflow) {
    if (behind_since_us_ == 0) behind_since_us_ = now_us;
    if (now_us - behind_since_us_ > limits_.latency_budget_us) {
      out.verdict = Verdict::Disconnect;
      return out;
    }
    // Never half a GOP: drop what is queued and resume at the next keyframe.
    out.skipped = drop_unstarted_frames();
    out.dropped_backlog = true;
    if (!frame->keyframe) {
      skipping_ = true;
      ++out.skipped;
      out.verdict = Verdict::Skipped;
      return out;
    }
  }
  bytes_ += frame->bytes.size();
  items_.push_back(
      Item{.frame = std::move(frame), .channel = channel, .live = live, .enqueued_us = now_us});
  return out;
}

uint64_t ReaderQueue::drop_unstarted_frames() {
  std::deque<Item> kept;
  uint64_t dropped = 0;
  for (size_t i = 0; i < items_.size(); ++i) {
    Item& item = items_[i];
    if (!item.frame || (i == 0 && item.offset > 0)) {
      kept.push_back(std::move(item));
    } else {
      bytes_ -= item.size();
      ++dropped;
    }
  }
  items_.swap(kept);
  return dropped;
}

void ReaderQueue::clear() {
  items_.clear();
  bytes_ = 0;
  behind_since_us_ = 0;
}

int64_t ReaderQueue::oldest_age_us(int64_t now_us) const {
  return items_.empty() ? 0 : now_us - items_.front().enqueued_us;
}

// One iovec per prefix (rewritten for this reader's channel) and one per packet body, from the
// item's offset on.
void ReaderQueue::append_split_frame(const Item& item, std::vector<iovec>& iov, size_t max_iov) {
  const media::PacketizedFrame& f = *item.frame;
  prefix_scratch_.resize(max_iov * media::kInterleavedPrefixBytes);
  size_t scratch_used = 0;
  for (size_t i = 0; i < f.packet_count() && iov.size() + 2 <= max_iov; ++i) {
    const size_t begin = f.packet_offsets[i];
    const size_t end = i + 1 < f.packet_count() ? f.packet_offsets[i + 1] : f.bytes.size();
    if (end <= item.offset) continue;
    uint8_t* prefix = prefix_scratch_.data() + scratch_used;
    scratch_used += media::kInterleavedPrefixBytes;
    std::memcpy(prefix, f.bytes.data() + begin, media::kInterleavedPrefixBytes);
    prefix[media::kInterleavedChannelOffset] = item.channel;
    if (item.offset < begin + media::kInterleavedPrefixBytes) {
      const size_t skip = item.offset > begin ? item.offset - begin : 0;
      iov.push_back({prefix + skip, media::kInterleavedPrefixBytes - skip});
    }
    const size_t data_begin = std::max(begin + media::kInterleavedPrefixBytes, item.offset);
    iov.push_back({const_cast<uint8_t*>(f.bytes.data()) + data_begin, end - data_begin});
  }
}

size_t ReaderQueue::build_iovecs(std::vector<iovec>& iov, size_t max_iov) {
  iov.clear();
  for (const Item& item : items_) {
    if (iov.size() >= max_iov) break;
    if (!item.frame) {
      iov.push_back(
          {const_cast<char*>(item.text.data()) + item.offset, item.text.size() - item.offset});
      continue;
    }
    const media::PacketizedFrame& f = *item.frame;
    if (f.interleaved_channel == item.channel) {
      // The shared buffer already carries this reader's channel: the whole frame in one iovec.
      iov.push_back(
          {const_cast<uint8_t*>(f.bytes.data()) + item.offset, f.bytes.size() - item.offset});
      continue;
    }
    append_split_frame(item, iov, max_iov);
    break;  // a split frame ends the batch so offsets stay simple
  }
  return iov.size();
}

}  // namespace edge
