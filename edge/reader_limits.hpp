// ReaderLimits: readers per stream across all I/O loops, so --max_readers_per_stream holds for
// the whole edge whatever loop a reader landed on. Thread-safe (taken on SETUP and TEARDOWN only).
#pragma once

#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace edge {

class ReaderLimits {
 public:
  explicit ReaderLimits(size_t max_per_stream) : max_(max_per_stream) {}

  bool acquire(const std::string& stream) {
    std::lock_guard lock(mutex_);
    size_t& count = counts_[stream];
    if (count >= max_) return false;
    ++count;
    return true;
  }
  void release(const std::string& stream) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(stream);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
  }

 private:
  const size_t max_;
  std::mutex mutex_;
  absl::flat_hash_map<std::string, size_t> counts_;
};

}  // namespace edge
