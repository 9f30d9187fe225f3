// StreamHealthTracker (stream_health_tracker.hpp).
#include "edge/stream_health_tracker.hpp"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/strings.hpp"

namespace edge {
namespace {

using rs::cluster::StreamHealth;

std::string seconds_text(int64_t us) {
  return absl::StrFormat("%.1f s", static_cast<double>(us) / 1e6);
}

}  // namespace

void StreamHealthTracker::on_subscribed(int64_t now_us) {
  subscribed_us_ = now_us;
}

void StreamHealthTracker::on_frame(int64_t now_us) {
  if (!last_frame_us_ || silent(now_us)) live_since_us_ = now_us;
  last_frame_us_ = now_us;
}

void StreamHealthTracker::on_info(const rs::media::StreamInfo& info, int64_t now_us) {
  for (const auto& t : info.tracks()) {
    if (t.track() == 0 && t.fps() > 0) fps_ = t.fps();
  }
  if (info.state() != rs::media::STREAM_STATE_DOWN) {
    down_info_us_.reset();
    return;
  }
  down_info_us_ = now_us;
  down_since_wall_ms_ = info.state_since_us() / 1000;  // 0 from origins before wire minor 2
  down_reason_ = info.state_reason().empty() ? "the origin reports its source down"
                                             : base::cat("at the origin: ", info.state_reason());
}

void StreamHealthTracker::on_fact(const rs::cluster::StreamFact& fact, std::string_view self,
                                  int64_t now_us) {
  fact_us_ = now_us;
  fact_origin_ = fact.origin();
  live_elsewhere_.clear();
  for (const auto& edge : fact.live_edges()) {
    if (edge != self) live_elsewhere_.push_back(edge);
  }
  if (fact_origin_.health() != rs::cluster::STREAM_HEALTH_LIVE || live_elsewhere_.empty()) {
    live_elsewhere_since_us_.reset();
  } else if (!live_elsewhere_since_us_) {
    live_elsewhere_since_us_ = now_us;
  }
}

std::chrono::microseconds StreamHealthTracker::silence_threshold() const {
  const auto floor = std::chrono::duration_cast<std::chrono::microseconds>(timing_.min_silence);
  if (fps_ <= 0) return floor;
  const auto frames =
      std::chrono::microseconds(static_cast<int64_t>(timing_.silence_frames * 1e6 / fps_));
  return std::max(floor, frames);
}

bool StreamHealthTracker::silent(int64_t now_us) const {
  return !last_frame_us_ || now_us - *last_frame_us_ >= silence_threshold().count();
}

rs::cluster::StreamStatus StreamHealthTracker::make(StreamHealth health, int64_t since_wall_ms,
                                                    std::string reason) const {
  rs::cluster::StreamStatus s;
  s.set_health(health);
  s.set_since_unix_ms(since_wall_ms);
  s.set_reason(std::move(reason));
  return s;
}

// The origin said its source is down, and no frame came since.
std::optional<rs::cluster::StreamStatus> StreamHealthTracker::from_origin_info(
    int64_t now_us, int64_t now_wall_ms) const {
  if (!down_info_us_ || (last_frame_us_ && *last_frame_us_ > *down_info_us_) ||
      now_us - *down_info_us_ > timing_.down_info_ttl.count() * 1000) {
    return std::nullopt;
  }
  const int64_t since = down_since_wall_ms_ != 0 ? down_since_wall_ms_
                                                 : now_wall_ms - (now_us - *down_info_us_) / 1000;
  return make(rs::cluster::STREAM_HEALTH_SOURCE_DOWN, since, down_reason_);
}

// The coordinator's view: live elsewhere (this edge's fault) or down at the source.
std::optional<rs::cluster::StreamStatus> StreamHealthTracker::from_fact(int64_t now_us,
                                                                        int64_t now_wall_ms) const {
  if (!fact_us_ || now_us - *fact_us_ > timing_.fact_ttl.count() * 1000) return std::nullopt;
  const int64_t quiet_since_us = last_frame_us_ ? *last_frame_us_ : subscribed_us_;
  const int64_t quiet_us = now_us - quiet_since_us;
  const int64_t hold_us = timing_.edge_local_after.count() * 1000;
  const auto origin = fact_origin_.health();
  // Both must have lasted the hold: silent here, and live elsewhere. After an origin restart the
  // edges come back within about half a second of each other; the first one back must not send
  // the others' viewers hopping.
  if (live_elsewhere_since_us_ && now_us - *live_elsewhere_since_us_ >= hold_us &&
      quiet_us >= hold_us) {
    return make(rs::cluster::STREAM_HEALTH_EDGE_LOCAL, now_wall_ms - quiet_us / 1000,
                base::cat("live at the origin and on ", absl::StrJoin(live_elsewhere_, ", "),
                          "; nothing received here for ", seconds_text(quiet_us)));
  }
  if (origin == rs::cluster::STREAM_HEALTH_SOURCE_DOWN ||
      origin == rs::cluster::STREAM_HEALTH_ORIGIN_SILENT) {
    return make(origin, fact_origin_.since_unix_ms(), fact_origin_.reason());
  }
  return std::nullopt;
}

void StreamHealthTracker::on_switching(bool switching, int64_t now_us) {
  if (!switching) {
    switching_since_us_.reset();
  } else if (!switching_since_us_) {
    switching_since_us_ = now_us;
  }
}

rs::cluster::StreamStatus StreamHealthTracker::status(int64_t now_us, int64_t now_wall_ms) const {
  auto wall = [&](int64_t t_us) { return now_wall_ms - (now_us - t_us) / 1000; };
  if (!silent(now_us)) return make(rs::cluster::STREAM_HEALTH_LIVE, wall(live_since_us_), "");
  if (switching_since_us_) {
    return make(rs::cluster::STREAM_HEALTH_SWITCHING, wall(*switching_since_us_),
                "moving to a standby origin; frames resume at its next keyframe");
  }
  if (auto s = from_origin_info(now_us, now_wall_ms)) return *s;
  if (auto s = from_fact(now_us, now_wall_ms)) return *s;
  if (!last_frame_us_) {
    return make(rs::cluster::STREAM_HEALTH_STARTING, wall(subscribed_us_),
                "waiting for the first frame from the origin");
  }
  return make(rs::cluster::STREAM_HEALTH_ORIGIN_SILENT, wall(*last_frame_us_),
              base::cat("no frame from the origin for ", seconds_text(now_us - *last_frame_us_)));
}

}  // namespace edge
