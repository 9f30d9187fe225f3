// RtpReorderBuffer: puts RTP packets that arrived over UDP back in sequence order (RFC 3550
// A.1: sequence numbers wrap at 65536) within a small window, so that a packet overtaken by its
// successor is not counted as a loss. A gap is given up on (the packets are lost) once the
// window is full or the oldest held packet has waited `max_hold`. Duplicates and packets from
// before the delivery point are dropped. Pure: time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace receiver {

struct ReorderStats {
  uint64_t packets = 0;     // accepted (not duplicate, not late)
  uint64_t reordered = 0;   // arrived after a later packet and were put back in place
  uint64_t lost = 0;        // sequence numbers given up on
  uint64_t duplicates = 0;  // seen twice, or arrived after their place was given up
};

class RtpReorderBuffer {
 public:
  // Most packets held while waiting for a missing one.
  static constexpr size_t kDefaultWindow = 64;

  explicit RtpReorderBuffer(size_t window = kDefaultWindow,
                            std::chrono::microseconds max_hold = std::chrono::milliseconds(50))
      : window_(window), max_hold_us_(max_hold.count()) {}

  // Adds one packet with sequence number `sequence`, received at `now_us`; appends the packets
  // now deliverable, in order, to `out`.
  void push(uint16_t sequence, std::string packet, int64_t now_us, std::vector<std::string>& out);
  // Gives up on gaps whose successors have waited too long; appends what that releases.
  void flush_due(int64_t now_us, std::vector<std::string>& out);
  // When flush_due() should next be called (nullopt: nothing held).
  std::optional<int64_t> next_due_us() const;
  // A new source (SSRC) starts: appends every held packet in order (the gaps between them are
  // given up and counted lost), then forgets the sequence line so that the next push() starts a
  // new one. Statistics are kept.
  void restart(std::vector<std::string>& out);

  const ReorderStats& stats() const { return stats_; }
  // The extended highest sequence number delivered (RFC 3550 A.3), for receiver reports.
  uint32_t extended_highest() const { return static_cast<uint32_t>(next_ - 1); }
  uint64_t expected() const { return started_ ? next_ - first_ : 0; }

 private:
  struct Held {
    std::string packet;
    int64_t arrived_us;
  };
  // The packet's place on the extended (64-bit) sequence line nearest to next_.
  int64_t extend(uint16_t sequence) const;
  void release_in_order(std::vector<std::string>& out);
  void skip_to_first_held(std::vector<std::string>& out);

  size_t window_;
  int64_t max_hold_us_;
  bool started_ = false;
  int64_t first_ = 0;    // extended sequence of the first packet
  int64_t next_ = 0;     // extended sequence expected next
  int64_t highest_ = 0;  // highest extended sequence accepted
  std::map<int64_t, Held> held_;
  ReorderStats stats_;
};

}  // namespace receiver
