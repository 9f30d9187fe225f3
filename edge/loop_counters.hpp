// LoopCounters: one I/O loop's counters, written by the loop thread only and read by others
// (metrics, logs) as relaxed atomics.
#pragma once

#include <atomic>
#include <cstdint>

#include "cluster/delay_histogram.hpp"

namespace edge {

struct LoopCounters {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> readers_tcp{0};
  std::atomic<uint64_t> readers_udp{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> packets_out{0};
  std::atomic<uint64_t> frames_skipped{0};
  std::atomic<uint64_t> readers_dropped_slow{0};
  std::atomic<uint64_t> udp_packets_dropped{0};
  cluster::DelayHistogram queue_delay;  // edge receive -> last byte handed to the socket
};

}  // namespace edge
