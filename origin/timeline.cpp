// The published timeline; see timeline.hpp.
#include "origin/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace origin {
namespace {

constexpr int64_t kUsPerSecond = 1'000'000;

int64_t to_us(int64_t ticks, uint32_t clock_rate) {
  // Split so that the product cannot overflow for any realistic timestamp.
  return ticks / clock_rate * kUsPerSecond + ticks % clock_rate * kUsPerSecond / clock_rate;
}

int64_t to_ticks(int64_t us, uint32_t clock_rate) {
  return us / kUsPerSecond * clock_rate + us % kUsPerSecond * clock_rate / kUsPerSecond;
}

}  // namespace

void Timeline::anchor(uint32_t track, uint32_t clock_rate, int64_t src_dts, int64_t now_us) {
  int64_t target_us = 0;
  if (last_us_) target_us = *last_us_ + std::max(now_us - last_now_us_, step_us_);
  offset_us_ = target_us - to_us(src_dts, clock_rate);
  anchored_ = true;
  anchor_track_ = track;
  ++segments_;
  for (auto& [_, state] : tracks_) {
    state.offset_ticks.reset();
    state.last_src_dts.reset();
  }
  // Exact in the anchor track's own clock; other tracks derive theirs from offset_us_.
  tracks_[track].offset_ticks = to_ticks(target_us, clock_rate) - src_dts;
}

std::optional<MappedTime> Timeline::map(uint32_t track, uint32_t clock_rate, int64_t src_pts,
                                        int64_t src_dts, int64_t now_us) {
  if (clock_rate == 0) return std::nullopt;
  TrackState& state = tracks_[track];
  const int64_t src_dts_us = to_us(src_dts, clock_rate);
  bool new_segment = false;
  if (anchored_ && track == anchor_track_ && state.last_src_dts) {
    const int64_t src_step_us = src_dts_us - to_us(*state.last_src_dts, clock_rate);
    const int64_t wall_step_us = now_us - last_now_us_;
    if (src_step_us < 0 || src_step_us > wall_step_us + kTimelineJumpSlackUs) anchored_ = false;
  }
  if (!anchored_) {
    anchor(track, clock_rate, src_dts, now_us);
    new_segment = true;
  }
  if (!state.offset_ticks) {
    // Another track's first unit of the segment: its source clock shares the anchor's base in a
    // file, but not in RTP, where every track starts at a random timestamp. One landing far from
    // where the anchor track is now is placed there instead (aligned by arrival).
    state.offset_ticks = to_ticks(offset_us_, clock_rate);
    const int64_t mapped_us = to_us(src_dts + *state.offset_ticks, clock_rate);
    if (last_us_ && std::llabs(mapped_us - *last_us_) > kTrackAlignSlackUs) {
      state.offset_ticks = to_ticks(*last_us_, clock_rate) - src_dts;
    }
  }
  const MappedTime out{.pts = src_pts + *state.offset_ticks,
                       .dts = src_dts + *state.offset_ticks,
                       .new_segment = new_segment};
  if (state.last_dts && out.dts <= *state.last_dts) return std::nullopt;
  if (track == anchor_track_ && state.last_dts && !new_segment) {
    const int64_t step = to_us(out.dts - *state.last_dts, clock_rate);
    if (step > 0 && step < kUsPerSecond) step_us_ = step;
  }
  state.last_dts = out.dts;
  state.last_src_dts = src_dts;
  last_us_ = std::max(last_us_.value_or(INT64_MIN), to_us(out.dts, clock_rate));
  last_now_us_ = now_us;
  return out;
}

}  // namespace origin
