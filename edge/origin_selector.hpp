// OriginSelector: one stream's choice between the origins that publish it (hot standby,
// docs/adr/016-origin-standby.md). Every origin's frames reach the edge; the selector forwards
// those of one origin, the active one, and keeps the others warm: their recent frames are held so
// that a switch can continue exactly where the active origin stopped.
//
// A switch is invisible downstream: frames leave the selector as if one origin had sent them all
// (the first origin's epoch, per-track sequence numbers and timestamps continuing), so the RTP
// timeline, SSRC and DTS order that viewers see go on unchanged.
//  - Lined up (both origins pass the same camera through): the active origin's last forwarded
//    frame is found, by content, among the standby's recent frames; the standby's frames after it
//    go out at once, with the standby's timestamps shifted onto the active one's. No frame is lost
//    or repeated.
//  - At a keyframe (independent encoders, or no common frame): the standby's next keyframe starts
//    it, placed after the last forwarded frame by the wall-clock gap; until then nothing goes out
//    (viewers keep the last picture) and the old origin is taken back if it resumes.
// An origin that appears only after the active one went silent (an origin restart with no
// standby) is passed through unchanged, epoch included, so StreamIngest's restart path (catch-up,
// keyframe wait, timeline rebase) applies.
//
// Pure: no sockets, no clock; time is passed in. Ingest thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "media/frame.hpp"
#include "proto/media.pb.h"
#include "relay/frame_subscriber.hpp"

namespace edge {

// The active origin counts as silent after this many frame intervals without a frame (the
// longest of the last kIntervalWindow intervals; kMaxSilenceUs until two frames have come)...
inline constexpr double kSilentFrameIntervals = 1.5;
// ...bounded to this range (a 30 fps stream: 50 ms).
inline constexpr int64_t kMinSilenceUs = 40'000;
inline constexpr int64_t kMaxSilenceUs = 500'000;
inline constexpr size_t kIntervalWindow = 16;
// A standby's frames kept to line a switch up, per track: this many at most, none older than
// kStandbyHistoryUs.
inline constexpr size_t kStandbyHistoryFrames = 64;
inline constexpr int64_t kStandbyHistoryUs = 1'000'000;
// An origin not heard from for this long is forgotten.
inline constexpr int64_t kForgetOriginUs = 10'000'000;

struct OriginSelectorStats {
  uint64_t origins = 0;             // origins heard from now (active included)
  uint64_t switches_aligned = 0;    // lined-up switches
  uint64_t switches_keyframe = 0;   // switches completed at the standby's keyframe
  uint64_t switches_cold = 0;       // a new origin after the active one went silent
  uint64_t switches_cancelled = 0;  // the old origin resumed before the standby's keyframe
  uint64_t standby_frames = 0;      // frames received from standbys (not forwarded)
  uint64_t active_epoch = 0;
  uint64_t out_epoch = 0;  // the epoch frames leave with (differs after a warm switch)
};

class OriginSelector {
 public:
  // Takes one message from any origin of the stream; appends what goes on (maybe nothing, maybe
  // several frames after a switch) to `out`, in order.
  void on_message(const relay::Received& message, int64_t now_us,
                  std::vector<relay::Received>& out);
  // A catch-up answer from origin `epoch` went downstream directly (its frames in order): the
  // selector takes that origin as the active one when it has none, and remembers the frames as
  // sent when they are the active origin's. False: the answer is not the active origin's (or a
  // switch has rewritten the timeline), and must not be used.
  bool accept_catchup(uint64_t epoch, const std::vector<media::FramePtr>& frames, int64_t now_us);
  // Timer: switches away from an active origin that has gone silent or reports its source down.
  // Call at least every 10 ms while next_check_us() is set.
  void poll(int64_t now_us, std::vector<relay::Received>& out);
  // When poll() has something to decide (a standby is warm); nullopt: nothing to watch.
  std::optional<int64_t> next_check_us() const;
  OriginSelectorStats stats() const;
  // Waiting for a standby's keyframe: nothing goes out meanwhile.
  bool switching() const { return pending_ != 0; }
  // The edge unsubscribed: forget every origin (the next subscription starts afresh).
  void reset();

 private:
  struct Held {
    media::FramePtr frame;
    size_t key = 0;
  };
  struct Origin {
    int64_t first_heard_us = 0;
    int64_t last_frame_us = 0;
    bool source_down = false;
    uint32_t priority = 0;
    std::shared_ptr<const rs::media::StreamInfo> info;
    std::map<uint32_t, std::deque<Held>> history;  // standbys only, per track
  };
  // How the active origin's frames are rewritten on the way out, per track.
  struct TrackMap {
    int64_t ts_delta = 0;
    int64_t seq_delta = 0;
    bool rebase_sequence = false;  // set the delta from the next frame
    media::FramePtr last_frame;    // the last one sent (as received), to find it at a standby
    uint64_t last_out_sequence = 0;
    int64_t last_out_dts = 0;
    int64_t last_out_us = 0;  // when it went out
    bool any = false;
  };

  void on_frame(const media::FramePtr& frame, int64_t now_us, std::vector<relay::Received>& out);
  void on_info(const std::shared_ptr<const rs::media::StreamInfo>& info, int64_t now_us,
               std::vector<relay::Received>& out);
  void forward(const media::FramePtr& frame, int64_t now_us, std::vector<relay::Received>& out);
  int64_t silence_us() const;
  // The best standby to take over: its source live, then the lowest priority value, then the
  // most recently heard. nullopt when none has been heard since the active one went quiet.
  std::optional<uint64_t> best_standby(int64_t now_us) const;
  void switch_to(uint64_t epoch, int64_t now_us, std::vector<relay::Received>& out);
  bool switch_aligned(uint64_t epoch, int64_t now_us, std::vector<relay::Received>& out);
  void start_at_keyframe(const media::FramePtr& frame, int64_t now_us,
                         std::vector<relay::Received>& out);
  void trim(Origin& origin, int64_t now_us);
  uint32_t clock_rate(uint32_t track) const;

  std::map<uint64_t, Origin> origins_;
  uint64_t active_ = 0;     // 0: none yet
  uint64_t pending_ = 0;    // switching at this origin's next keyframe
  uint64_t out_epoch_ = 0;  // the epoch frames leave with
  std::map<uint32_t, TrackMap> tracks_;
  std::deque<int64_t> intervals_us_;  // the active origin's recent video frame intervals
  int64_t frame_interval_us_ = 0;     // the longest of them; 0: not known yet
  int64_t switched_at_us_ = 0;        // the last switch: silence counts from it at the earliest
  std::string stream_;
  std::optional<int64_t> last_video_dts_;
  OriginSelectorStats stats_;
};

// The identity of a frame's content, to find the same camera frame from another origin.
size_t content_key(const media::Frame& frame);

}  // namespace edge
