// The test pattern source; see pattern_source.hpp.
#include "origin/pattern_source.hpp"

#include <chrono>
#include <deque>
#include "origin/test_pattern.hpp"

#include <thread>

#include "base/clock.hpp"

namespace origin {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStopPollInterval = std::chrono::milliseconds(50);

// Start of schedule slot `n` relative to the stream start: exact integer math, no drift.
Clock::duration slot_offset(int64_t n, int fps) {
  return std::chrono::nanoseconds(n * 1'000'000'000 / fps);
}

int64_t slot_at(Clock::duration elapsed, int fps) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count() * fps /
         1'000'000'000;
}

// Sleeps until `deadline`, waking regularly to check `stop`. False when stopped.
bool sleep_until_or_stop(Clock::time_point deadline, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const auto now = Clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_until(std::min(deadline, now + kStopPollInterval));
  }
  return false;
}

class PatternSource final : public Source {
 public:
  static absl::StatusOr<std::unique_ptr<Source>> open(const StreamSettings& settings,
                                                      const std::atomic<bool>& stop);

  absl::StatusOr<SourceUnit> read() override;
  std::vector<TrackDesc> tracks() const override;

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

}  // namespace

absl::StatusOr<std::unique_ptr<Source>> PatternSource::open(const StreamSettings& settings,
                                                            const std::atomic<bool>& stop) {
  auto encoder = H264Encoder::create(settings.encoder);
  if (!encoder.ok()) return encoder.status();
  return std::unique_ptr<Source>(new PatternSource(settings, stop, std::move(encoder).value()));
}

PatternSource::PatternSource(const StreamSettings& settings, const std::atomic<bool>& stop,
                             std::unique_ptr<H264Encoder> encoder)
    : settings_(settings),
      stop_(stop),
      encoder_(std::move(encoder)),
      pattern_(settings.encoder.width, settings.encoder.height),
      start_(Clock::now()) {}

std::vector<TrackDesc> PatternSource::tracks() const {
  return {encoded_video_track(settings_.encoder)};
}

absl::StatusOr<SourceUnit> PatternSource::read() {
  while (ready_.empty()) {
    if (!sleep_until_or_stop(start_ + slot_offset(slot_, settings_.encoder.fps), stop_)) {
      return absl::CancelledError("stopped");
    }
    if (absl::Status status = produce(); !status.ok()) return status;
  }
  SourceUnit unit = std::move(ready_.front());
  ready_.pop_front();
  return unit;
}

absl::Status PatternSource::produce() {
  const int fps = settings_.encoder.fps;
  const auto late = Clock::now() - (start_ + slot_offset(slot_, fps));
  if (late > slot_offset(1, fps)) {
    // Late by more than a frame: skip ahead to the current slot instead of bursting.
    const int64_t due = slot_at(Clock::now() - start_, fps);
    skipped_ += static_cast<uint64_t>(due - slot_);
    slot_ = due;
  }
  const int64_t capture_us = base::wall_clock_us();
  auto units = encoder_->encode(pattern_.render(slot_, capture_us), slot_);
  if (!units.ok()) return units.status();
  capture_times_.emplace_back(slot_, capture_us);
  ++slot_;
  for (EncodedUnit& encoded : *units) {
    int64_t unit_capture_us = capture_us;
    while (!capture_times_.empty() && capture_times_.front().first <= encoded.pts) {
      if (capture_times_.front().first == encoded.pts) {
        unit_capture_us = capture_times_.front().second;
      }
      capture_times_.pop_front();
    }
    const int64_t ts = encoded.pts * kVideoClockRate / fps;
    ready_.push_back(
        SourceUnit{.track = kVideoTrack,
                   .data = std::make_shared<std::vector<uint8_t>>(std::move(encoded.annex_b)),
                   .pts = ts,
                   .dts = ts,
                   .capture_time_us = unit_capture_us,
                   .encoded_here = true,
                   .encode_us = encoded.encode_us});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Source>> open_pattern_source(const StreamSettings& settings,
                                                            const std::atomic<bool>& stop) {
  return PatternSource::open(settings, stop);
}

}  // namespace origin
