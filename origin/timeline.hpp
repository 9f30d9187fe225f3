// Timeline: maps source timestamps onto the one published timeline of a stream, so that viewers
// never see time go backwards or jump ahead further than the real (wall-clock) gap, whatever the
// source does: reconnects, file loops, camera timestamp resets. Pure: the caller passes the clock.
//
// A segment is a stretch of source time with one constant offset. A new segment starts at each
// (re)connection and loop point, and automatically when the anchor track's source timestamps go
// backwards or leap ahead of the wall clock. Its first unit is placed at
//   last published time + max(wall time since that unit, one frame duration),
// so an outage of 3 s appears as a 3 s step and a file loop as a one-frame step.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace origin {

// Forward leaps of the anchor track's source time larger than the wall-clock gap plus this slack
// start a new segment (the slack absorbs the burst after the demuxer's probe).
inline constexpr int64_t kTimelineJumpSlackUs = 2'000'000;
inline constexpr int64_t kDefaultFrameStepUs = 33'333;
// A track whose first unit in a segment maps further than this from the anchor track's latest
// time has an unrelated clock base (RTP: a random start per track) and is aligned by arrival.
inline constexpr int64_t kTrackAlignSlackUs = 1'000'000;

struct MappedTime {
  int64_t pts = 0;  // in the track clock
  int64_t dts = 0;
  bool new_segment = false;  // this unit started a segment
};

class Timeline {
 public:
  // The next mapped unit starts a segment (call at (re)connection and at a loop point).
  void start_segment() { anchored_ = false; }

  // Maps one unit of `track` (source pts/dts in the track clock, `clock_rate` Hz) at monotonic
  // time `now_us`. nullopt: the unit would not advance its track (dts not above the last
  // published one) and must be dropped. Updates the state as if the unit was published.
  std::optional<MappedTime> map(uint32_t track, uint32_t clock_rate, int64_t src_pts,
                                int64_t src_dts, int64_t now_us);

  // Published end of the timeline in microseconds (the latest dts), if anything was mapped.
  std::optional<int64_t> last_us() const { return last_us_; }
  uint64_t segments() const { return segments_; }

 private:
  struct TrackState {
    std::optional<int64_t> last_dts;      // published, track clock
    std::optional<int64_t> offset_ticks;  // this segment's offset in the track clock
    std::optional<int64_t> last_src_dts;  // this segment, track clock
  };
  void anchor(uint32_t track, uint32_t clock_rate, int64_t src_dts, int64_t now_us);

  bool anchored_ = false;
  uint32_t anchor_track_ = 0;
  int64_t offset_us_ = 0;
  std::optional<int64_t> last_us_;
  int64_t last_now_us_ = 0;
  int64_t step_us_ = kDefaultFrameStepUs;
  uint64_t segments_ = 0;
  std::map<uint32_t, TrackState> tracks_;
};

}  // namespace origin
