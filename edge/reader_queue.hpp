// ReaderQueue: one TCP reader's output queue and its slow-reader policy, as a pure class: what
// waits to be written (RTSP responses, RTCP, frames' interleaved RTP), the iovecs for the next
// writev, what the socket took, and what to do when the reader falls behind (skip to the next
// keyframe, never half a GOP; disconnect past the latency budget). No sockets, no clocks: time is
// passed in. Loop thread only (docs/threading.md).
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "media/packetized_frame.hpp"

namespace edge {

struct ReaderQueueLimits {
  size_t max_bytes = 0;           // --reader_queue_bytes: more queued is an overflow
  int64_t latency_budget_us = 0;  // --latency_budget: older than half of it is an overflow;
                                  // behind for longer than all of it: disconnect
};

class ReaderQueue {
 public:
  enum class Verdict { Queued, Skipped, Disconnect };
  struct Push {
    Verdict verdict = Verdict::Queued;
    uint64_t skipped = 0;          // frames this push dropped (the backlog, and this one)
    bool dropped_backlog = false;  // an overflow: the queued frames were dropped (log it)
  };

  explicit ReaderQueue(ReaderQueueLimits limits) : limits_(limits) {}

  // An RTSP response or an RTCP packet, already framed: always queued, never dropped.
  void push_text(std::string text, int64_t now_us);
  // A frame for interleaved channel `channel`; `live` is false for the late joiner's cached GOP
  // (not a queue-delay sample). On overflow the queued frames not yet started are dropped and the
  // reader resumes at the next keyframe (this one, if it is one); behind for longer than the
  // budget, the reader is to be disconnected.
  Push push_frame(media::PacketizedFramePtr frame, uint8_t channel, bool live, int64_t now_us);

  // The keyframe gate, for every transport: false while the reader waits for the next keyframe
  // (after an overflow, a PLAY without cached GOP, a PAUSE); a keyframe opens it.
  bool passes(bool keyframe);
  void wait_for_keyframe() { skipping_ = true; }
  void set_waiting_for_keyframe(bool waiting) { skipping_ = waiting; }

  // Drops every frame not yet started; a partly written head stays so the interleaved framing
  // stays intact. Returns how many were dropped.
  uint64_t drop_unstarted_frames();
  void clear();

  // Fills `iov` (cleared first) with at most `max_iov` entries of what to write next. A frame
  // whose shared buffer carries another channel gets this reader's prefix from a scratch area;
  // such a frame ends the batch. The iovecs stay valid until the next call that changes the
  // queue.
  size_t build_iovecs(std::vector<iovec>& iov, size_t max_iov);
  // The socket took `written` bytes. Calls `written_live(frame)` for every live frame it
  // completed (the queue-delay metric).
  template <typename F>
  void consume(size_t written, F&& written_live) {
    while (written > 0 && !items_.empty()) {
      Item& head = items_.front();
      const size_t left = head.size() - head.offset;
      if (written < left) {
        head.offset += written;
        bytes_ -= written;
        return;
      }
      written -= left;
      bytes_ -= left;
      if (head.frame && head.live) written_live(*head.frame);
      items_.pop_front();
    }
    if (items_.empty()) behind_since_us_ = 0;
  }

  bool empty() const { return items_.empty(); }
  size_t bytes() const { return bytes_; }
  size_t items() const { return items_.size(); }
  // Age of the oldest item at `now_us` (0 when empty).
  int64_t oldest_age_us(int64_t now_us) const;

 private:
  struct Item {
    std::string text;                 // response or RTCP (already framed)
    media::PacketizedFramePtr frame;  // or a frame's packets
    uint8_t channel = 0;              // interleaved RTP channel for the frame
    bool live = true;
    size_t offset = 0;  // bytes already written
    int64_t enqueued_us = 0;
    size_t size() const { return frame ? frame->bytes.size() : text.size(); }
  };
  void append_split_frame(const Item& item, std::vector<iovec>& iov, size_t max_iov);

  ReaderQueueLimits limits_;
  std::deque<Item> items_;
  size_t bytes_ = 0;
  bool skipping_ = false;
  int64_t behind_since_us_ = 0;  // first overflow of the current backlog, 0 when caught up
  std::vector<uint8_t> prefix_scratch_;
};

}  // namespace edge
