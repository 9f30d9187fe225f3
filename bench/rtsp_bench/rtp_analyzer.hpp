// Per-reader analysis of one received H.264 RTP stream (RFC 3550, RFC 6184) without decoding:
// sequence continuity, access-unit completeness, keyframes and the capture-time SEI.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rtsp_bench {

// One frame's latency: capture time from our SEI and receive time of its last packet.
struct LatencySample {
  int64_t capture_us = 0;       // wall clock, from the SEI (media/sei.hpp)
  int32_t latency_us = 0;       // receive wall clock - capture_us
  int32_t read_latency_us = 0;  // when rtsp-bench read it - capture_us (its own delay included)
};

// When a packet arrived. `wall_us` is the kernel's receive timestamp of the bytes (SO_TIMESTAMPNS:
// for TCP, that of the last segment the read returned), or the read time when the kernel gave
// none; `read_wall_us` is when rtsp-bench read them, so read - wall is the load generator's own
// scheduling delay, which is not the server's latency.
struct ReceiveTime {
  int64_t wall_us = 0;
  int64_t read_wall_us = 0;
  int64_t mono_us = 0;
};

struct StreamCounters {
  // Whole session (from the first packet on).
  uint64_t packets_total = 0;
  uint64_t lost_total = 0;    // sequence numbers skipped
  uint64_t out_of_order = 0;  // late or duplicate packets (ignored)
  uint64_t malformed = 0;     // not RTP version 2 or shorter than its header claims
  // Measurement window only.
  uint64_t packets = 0;
  uint64_t bytes = 0;  // RTP header and payload (interleaved '$' headers excluded)
  uint64_t lost = 0;
  uint64_t frames_complete = 0;    // every packet from the access unit's start to its marker
  uint64_t frames_incomplete = 0;  // a gap, or started/ended without a clean boundary
  uint64_t frames_without_sei = 0;
  int64_t max_gap_us = 0;  // longest silence between two packets
  // Session start, for time to first packet / keyframe (monotonic microseconds; -1: not yet).
  int64_t first_packet_mono_us = -1;
  int64_t first_keyframe_mono_us = -1;  // first packet of the first complete IDR access unit
};

class RtpAnalyzer {
 public:
  // `payload_type` < 0 accepts any; packets of other types (e.g. audio) are ignored.
  explicit RtpAnalyzer(int payload_type = -1) : payload_type_(payload_type) {}

  // One RTP packet (header included) received `at`; `in_window` says whether the packet falls
  // inside the measurement window. Latency samples of complete access units in the window are
  // appended to `samples`.
  void on_packet(const uint8_t* data, size_t size, const ReceiveTime& at, bool in_window,
                 std::vector<LatencySample>* samples);

  const StreamCounters& counters() const { return counters_; }

 private:
  void start_access_unit(uint32_t timestamp, bool clean, int64_t mono_us);
  void inspect_payload(const uint8_t* payload, size_t size);
  void inspect_nal(const uint8_t* nal, size_t size);
  void finish_access_unit(bool marker_seen, const ReceiveTime& at, bool in_window,
                          std::vector<LatencySample>* samples);

  int payload_type_;
  StreamCounters counters_;
  bool have_sequence_ = false;
  uint16_t next_sequence_ = 0;
  bool prev_was_marker_ = false;
  int64_t last_packet_mono_us_ = -1;
  // The access unit in progress.
  bool au_open_ = false;
  bool au_broken_ = false;
  bool au_keyframe_ = false;
  bool au_scanning_ = false;  // still before the first slice: look for SEI / IDR
  uint32_t au_timestamp_ = 0;
  int64_t au_first_mono_us_ = 0;
  int64_t au_capture_us_ = -1;
};

}  // namespace rtsp_bench
