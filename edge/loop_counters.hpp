// LoopCounters: one I/O loop's counters, written by the loop thread only and read by others
// (metrics, logs) as relaxed atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

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

// One counter summed over the edge's loops (relaxed reads: a metrics or log snapshot).
inline uint64_t total(std::span<const LoopCounters* const> loops,
                      std::atomic<uint64_t> LoopCounters::*counter) {
  uint64_t sum = 0;
  for (const LoopCounters* c : loops) sum += (c->*counter).load(std::memory_order_relaxed);
  return sum;
}

}  // namespace edge
