// StreamHealthTracker: the health of one stream as this edge sees it (docs/coordinator.md,
// "Stream health"), decided from what arrives from the origin (frames, StreamInfo) and what the
// coordinator says of the rest of the cluster (StreamFact). Pure: no clocks, no locks, no I/O;
// times are passed in (monotonic µs for decisions, wall-clock ms for the "since" shown to users).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/cluster.pb.h"
#include "proto/media.pb.h"

namespace edge {

struct HealthTiming {
  // No frame for this long (or `silence_frames` frame intervals, whichever is longer): the stream
  // is not live here. Shorter than a player's stall timeout (500 ms), so that a player that
  // stalls and asks hears why.
  std::chrono::milliseconds min_silence{300};
  int silence_frames = 4;
  // Silent here, and live at the origin and on at least one other edge, both for this long: the
  // fault is this edge's (edge-local). Longer than the spread of edges re-subscribing after an
  // origin restart (about 0.5 s), so that a restart never sends viewers hopping.
  std::chrono::milliseconds edge_local_after{2000};
  // A cluster fact older than this is not used (the coordinator may be gone).
  std::chrono::milliseconds fact_ttl{3000};
  // The origin repeats StreamInfo every second while its source is down: a DOWN older than this
  // means the origin itself went quiet (origin-silent).
  std::chrono::milliseconds down_info_ttl{2500};
};

class StreamHealthTracker {
 public:
  explicit StreamHealthTracker(HealthTiming timing = {}) : timing_(timing) {}

  // The edge subscribed to the stream (again) at `now_us`.
  void on_subscribed(int64_t now_us);
  // A frame (any track) arrived.
  void on_frame(int64_t now_us);
  // The origin's StreamInfo arrived; its fps sets the silence threshold.
  void on_info(const rs::media::StreamInfo& info, int64_t now_us);
  // The edge is moving the stream to a standby origin (OriginSelector): while nothing arrives,
  // the status says so instead of "origin silent".
  void on_switching(bool switching, int64_t now_us);
  // What the coordinator knows of the stream elsewhere; `self` is this edge's name.
  void on_fact(const rs::cluster::StreamFact& fact, std::string_view self, int64_t now_us);

  // The health at `now_us`; `now_wall_ms` converts monotonic instants to wall-clock "since".
  rs::cluster::StreamStatus status(int64_t now_us, int64_t now_wall_ms) const;

  // No frame for longer than the silence threshold at `now_us`.
  bool silent(int64_t now_us) const;
  std::chrono::microseconds silence_threshold() const;

 private:
  rs::cluster::StreamStatus make(rs::cluster::StreamHealth health, int64_t since_wall_ms,
                                 std::string reason) const;
  std::optional<rs::cluster::StreamStatus> from_origin_info(int64_t now_us,
                                                            int64_t now_wall_ms) const;
  std::optional<rs::cluster::StreamStatus> from_fact(int64_t now_us, int64_t now_wall_ms) const;

  HealthTiming timing_;
  int64_t subscribed_us_ = 0;
  std::optional<int64_t> last_frame_us_;
  int64_t live_since_us_ = 0;
  double fps_ = 0;
  // The origin's last StreamInfo said DOWN: when it arrived, since when (origin wall ms), why.
  std::optional<int64_t> down_info_us_;
  int64_t down_since_wall_ms_ = 0;
  std::string down_reason_;
  std::optional<int64_t> switching_since_us_;
  // The coordinator's last fact.
  std::optional<int64_t> fact_us_;
  rs::cluster::StreamStatus fact_origin_;
  std::vector<std::string> live_elsewhere_;
  std::optional<int64_t> live_elsewhere_since_us_;  // facts say so without a break since then
};

}  // namespace edge
