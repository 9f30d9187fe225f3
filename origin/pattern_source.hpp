// PatternSource: the built-in test pattern as a Source. On a steady-clock schedule it renders a
// frame and encodes it once; when the loop runs late by more than a frame it skips ahead instead
// of bursting (skipped slots are counted).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>

#include "origin/source.hpp"
#include "origin/test_pattern.hpp"

namespace origin {

class PatternSource final : public Source {
 public:
  static absl::StatusOr<std::unique_ptr<Source>> open(const StreamSettings& settings,
                                                      const std::atomic<bool>& stop);

  absl::StatusOr<SourceUnit> read() override;
  std::vector<TrackDesc> tracks() const override;
  uint64_t skipped_slots() const { return skipped_; }

 private:
  PatternSource(const StreamSettings& settings, const std::atomic<bool>& stop,
                std::unique_ptr<H264Encoder> encoder);
  absl::Status produce();

  StreamSettings settings_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<H264Encoder> encoder_;
  TestPattern pattern_;
  std::chrono::steady_clock::time_point start_;
  int64_t slot_ = 0;
  uint64_t skipped_ = 0;
  std::deque<SourceUnit> ready_;
  std::deque<std::pair<int64_t, int64_t>> capture_times_;  // (frame index, capture µs)
};

}  // namespace origin
