// OriginSelector (origin_selector.hpp): the active origin, warm standbys, seamless switches.
#include "edge/origin_selector.hpp"

#include <algorithm>
#include <functional>
#include <string_view>

#include "base/log.hpp"

namespace edge {
namespace {

constexpr uint32_t kVideoTrack = 0;
constexpr int64_t kVideoClock = 90'000;

int64_t to_ticks(int64_t us, uint32_t clock) {
  return us * static_cast<int64_t>(clock) / 1'000'000;
}

}  // namespace

size_t content_key(const media::Frame& frame) {
  const std::string_view bytes(reinterpret_cast<const char*>(frame.payload.data()),
                               frame.payload.size());
  return std::hash<std::string_view>{}(bytes) ^ (static_cast<size_t>(frame.track) << 1) ^
         (frame.keyframe ? 1u : 0u);
}

void OriginSelector::on_message(const relay::Received& message, int64_t now_us,
                                std::vector<relay::Received>& out) {
  if (auto* frame = std::get_if<media::FramePtr>(&message)) {
    on_frame(*frame, now_us, out);
  } else {
    on_info(std::get<1>(message), now_us, out);
  }
}

void OriginSelector::on_info(const std::shared_ptr<const rs::media::StreamInfo>& info,
                             int64_t now_us, std::vector<relay::Received>& out) {
  const uint64_t epoch = info->origin_epoch();
  auto [it, inserted] = origins_.try_emplace(epoch);
  Origin& origin = it->second;
  if (inserted) origin.first_heard_us = now_us;
  origin.info = info;
  origin.source_down = info->state() == rs::media::STREAM_STATE_DOWN;
  origin.priority = info->origin_priority();
  if (active_ == 0) {
    active_ = out_epoch_ = epoch;
  }
  if (epoch != active_) {
    poll(now_us, out);
    if (epoch != active_) return;
  }
  if (epoch == out_epoch_) {
    out.emplace_back(info);
    return;
  }
  auto mapped = std::make_shared<rs::media::StreamInfo>(*info);
  mapped->set_origin_epoch(out_epoch_);
  mapped->set_last_sequence(info->last_sequence() + tracks_[kVideoTrack].seq_delta);
  out.emplace_back(std::shared_ptr<const rs::media::StreamInfo>(std::move(mapped)));
}

void OriginSelector::on_frame(const media::FramePtr& frame, int64_t now_us,
                              std::vector<relay::Received>& out) {
  const uint64_t epoch = frame->origin_epoch;
  if (stream_.empty()) stream_ = frame->stream;
  auto [it, inserted] = origins_.try_emplace(epoch);
  Origin& origin = it->second;
  if (inserted) origin.first_heard_us = now_us;
  origin.last_frame_us = now_us;
  if (active_ == 0) {
    active_ = out_epoch_ = epoch;
    LOG_INFO("edge", "stream ", stream_, ": taking frames from origin ", epoch);
  }
  if (epoch == active_) {
    if (pending_ != 0) {
      LOG_INFO("edge", "stream ", frame->stream, ": origin ", active_,
               " resumed before the standby's keyframe; staying with it");
      pending_ = 0;
      ++stats_.switches_cancelled;
    }
    if (frame->track == kVideoTrack) {
      if (last_video_dts_ && frame->dts_90k > *last_video_dts_) {
        const int64_t step = (frame->dts_90k - *last_video_dts_) * 1'000'000 / kVideoClock;
        if (step > 0 && step < 1'000'000) {
          intervals_us_.push_back(step);
          if (intervals_us_.size() > kIntervalWindow) intervals_us_.pop_front();
          frame_interval_us_ = *std::max_element(intervals_us_.begin(), intervals_us_.end());
        }
      }
      last_video_dts_ = frame->dts_90k;
    }
    forward(frame, now_us, out);
    return;
  }
  ++stats_.standby_frames;
  if (epoch == pending_ && frame->track == kVideoTrack && frame->keyframe) {
    start_at_keyframe(frame, now_us, out);
    return;
  }
  auto& history = origin.history[frame->track];
  history.push_back({frame, content_key(*frame)});
  trim(origin, now_us);
  poll(now_us, out);
}

void OriginSelector::forward(const media::FramePtr& frame, int64_t now_us,
                             std::vector<relay::Received>& out) {
  TrackMap& map = tracks_[frame->track];
  if (map.rebase_sequence) {
    map.seq_delta =
        static_cast<int64_t>(map.last_out_sequence + 1) - static_cast<int64_t>(frame->sequence);
    map.rebase_sequence = false;
  }
  const bool identity =
      frame->origin_epoch == out_epoch_ && map.ts_delta == 0 && map.seq_delta == 0;
  media::FramePtr sent = frame;
  if (!identity) {
    auto copy = std::make_shared<media::Frame>(*frame);
    copy->origin_epoch = out_epoch_;
    copy->sequence = static_cast<uint64_t>(static_cast<int64_t>(frame->sequence) + map.seq_delta);
    copy->pts_90k += map.ts_delta;
    copy->dts_90k += map.ts_delta;
    sent = std::move(copy);
  }
  map.last_frame = frame;  // hashed only if a switch must find it
  map.last_out_sequence = sent->sequence;
  map.last_out_dts = sent->dts_90k;
  map.last_out_us = now_us;
  map.any = true;
  out.emplace_back(std::move(sent));
}

bool OriginSelector::accept_catchup(uint64_t epoch, const std::vector<media::FramePtr>& frames,
                                    int64_t now_us) {
  if (active_ == 0) {
    active_ = out_epoch_ = epoch;
    origins_[epoch].first_heard_us = now_us;
  }
  if (epoch != active_ || out_epoch_ != active_) return false;
  for (const auto& frame : frames) {
    TrackMap& map = tracks_[frame->track];
    if (map.any && frame->sequence <= map.last_out_sequence) continue;
    map.last_frame = frame;
    map.last_out_sequence = frame->sequence;
    map.last_out_dts = frame->dts_90k;
    map.last_out_us = now_us;
    map.any = true;
  }
  return true;
}

int64_t OriginSelector::silence_us() const {
  if (frame_interval_us_ == 0) return kMaxSilenceUs;
  const auto silence = static_cast<int64_t>(kSilentFrameIntervals * frame_interval_us_);
  return std::clamp(silence, kMinSilenceUs, kMaxSilenceUs);
}

std::optional<uint64_t> OriginSelector::best_standby(int64_t now_us) const {
  const auto active = origins_.find(active_);
  const int64_t active_last = active == origins_.end() ? 0 : active->second.last_frame_us;
  std::optional<uint64_t> best;
  const Origin* best_origin = nullptr;
  for (const auto& [epoch, origin] : origins_) {
    if (epoch == active_ || origin.last_frame_us == 0) continue;
    // Heard since the active one went quiet, and recently.
    if (origin.last_frame_us <= active_last || now_us - origin.last_frame_us > silence_us()) {
      continue;
    }
    if (best_origin) {
      const auto rank = [](const Origin& o) {
        return std::make_tuple(o.source_down, o.priority, -o.last_frame_us);
      };
      if (rank(origin) >= rank(*best_origin)) continue;
    }
    best = epoch;
    best_origin = &origin;
  }
  return best;
}

std::optional<int64_t> OriginSelector::next_check_us() const {
  if (origins_.size() < 2 || pending_ != 0) return std::nullopt;
  const auto active = origins_.find(active_);
  if (active == origins_.end()) return std::nullopt;
  return std::max(active->second.last_frame_us, switched_at_us_) + silence_us();
}

void OriginSelector::poll(int64_t now_us, std::vector<relay::Received>& out) {
  for (auto it = origins_.begin(); it != origins_.end();) {
    const int64_t heard = std::max(it->second.last_frame_us, it->second.first_heard_us);
    if (it->first != active_ && it->first != pending_ && now_us - heard > kForgetOriginUs) {
      it = origins_.erase(it);
    } else {
      ++it;
    }
  }
  if (active_ == 0 || pending_ != 0 || origins_.size() < 2) return;
  const Origin& active = origins_[active_];
  // Silence counts from the active origin's last frame, or from the switch that made it active.
  const bool silent = now_us - std::max(active.last_frame_us, switched_at_us_) > silence_us();
  if (!silent && !active.source_down) return;
  const auto standby = best_standby(now_us);
  if (!standby) return;
  const Origin& next = origins_[*standby];
  if (!silent && next.source_down) return;  // both down: nothing better to go to
  switch_to(*standby, now_us, out);
}

void OriginSelector::switch_to(uint64_t epoch, int64_t now_us, std::vector<relay::Received>& out) {
  // Whatever the origin's history, the same frames mean the same camera: line up if we can.
  if (tracks_[kVideoTrack].any && switch_aligned(epoch, now_us, out)) return;
  const Origin& next = origins_[epoch];
  const Origin& active = origins_[active_];
  const bool warm = next.first_heard_us <= active.last_frame_us;
  if (warm && tracks_[kVideoTrack].any) {
    LOG_INFO("edge", "stream ", stream_, ": origin ", active_,
             (active.source_down ? " reports its source down" : " went silent"),
             "; switching to origin ", epoch, " at its next keyframe");
    pending_ = epoch;
    return;
  }
  // An origin that came up after the active one went quiet and shares no frame with it: a
  // restart. Taken only once the active origin is surely gone (a pause of the active one while a
  // new origin starts is not a reason), and passed through as is.
  if (now_us - active.last_frame_us < kMaxSilenceUs && !active.source_down) return;
  LOG_INFO("edge", "stream ", stream_, ": origin ", epoch, " takes over from silent origin ",
           active_, " (not warm: passed through as an origin restart)");
  ++stats_.switches_cold;
  switched_at_us_ = now_us;
  tracks_.clear();
  active_ = out_epoch_ = epoch;
  last_video_dts_.reset();
  intervals_us_.clear();
  frame_interval_us_ = 0;
  Origin& now_active = origins_[epoch];
  if (now_active.info) out.emplace_back(now_active.info);
  std::vector<Held> held;
  for (auto& [track, history] : now_active.history) {
    held.insert(held.end(), history.begin(), history.end());
  }
  now_active.history.clear();
  std::sort(held.begin(), held.end(), [](const Held& a, const Held& b) {
    return a.frame->received_monotonic_us < b.frame->received_monotonic_us;
  });
  for (const auto& h : held) forward(h.frame, now_us, out);
}

bool OriginSelector::switch_aligned(uint64_t epoch, int64_t now_us,
                                    std::vector<relay::Received>& out) {
  Origin& next = origins_[epoch];
  // Where the active origin's last forwarded frame stands in the standby's history, per track.
  std::map<uint32_t, size_t> after;
  for (auto& [track, map] : tracks_) {
    auto& history = next.history[track];
    if (!map.any || !map.last_frame) continue;
    const size_t last_key = content_key(*map.last_frame);
    auto found = std::find_if(history.rbegin(), history.rend(),
                              [&](const Held& h) { return h.key == last_key; });
    if (found == history.rend()) {
      if (track == kVideoTrack) return false;
      continue;
    }
    after[track] = static_cast<size_t>(history.rend() - found);  // index one past the match
    map.ts_delta = map.last_out_dts - found->frame->dts_90k;
    map.seq_delta =
        static_cast<int64_t>(map.last_out_sequence) - static_cast<int64_t>(found->frame->sequence);
    map.rebase_sequence = false;
  }
  std::vector<Held> released;
  for (auto& [track, history] : next.history) {
    auto known = after.find(track);
    if (known == after.end()) {
      // A track with no common frame (rare): continue it by the video track's offset.
      TrackMap& map = tracks_[track];
      const int64_t video_delta_us = tracks_[kVideoTrack].ts_delta * 1'000'000 / kVideoClock;
      map.ts_delta = to_ticks(video_delta_us, clock_rate(track));
      map.rebase_sequence = true;
      for (const auto& h : history) {
        if (h.frame->received_monotonic_us > map.last_out_us) released.push_back(h);
      }
      continue;
    }
    released.insert(released.end(), history.begin() + static_cast<std::ptrdiff_t>(known->second),
                    history.end());
  }
  next.history.clear();
  std::stable_sort(released.begin(), released.end(), [](const Held& a, const Held& b) {
    return a.frame->received_monotonic_us < b.frame->received_monotonic_us;
  });
  LOG_INFO("edge", "stream ", stream_, ": origin ", active_, " silent for ",
           (now_us - origins_[active_].last_frame_us) / 1000, " ms; origin ", epoch,
           " takes over lined up (", released.size(), " frames from its warm buffer)");
  active_ = epoch;
  switched_at_us_ = now_us;
  ++stats_.switches_aligned;
  for (const auto& h : released) forward(h.frame, now_us, out);
  return true;
}

void OriginSelector::start_at_keyframe(const media::FramePtr& frame, int64_t now_us,
                                       std::vector<relay::Received>& out) {
  // Place the keyframe after the last frame out by the wall-clock gap (at least one interval).
  const TrackMap& video = tracks_[kVideoTrack];
  const int64_t step_us = frame_interval_us_ > 0 ? frame_interval_us_ : 33'333;
  const int64_t gap_us = std::max(now_us - video.last_out_us, step_us);
  const int64_t video_delta = video.last_out_dts + to_ticks(gap_us, kVideoClock) - frame->dts_90k;
  const int64_t delta_us = video_delta * 1'000'000 / kVideoClock;
  for (auto& [track, map] : tracks_) {
    map.ts_delta = track == kVideoTrack ? video_delta : to_ticks(delta_us, clock_rate(track));
    map.rebase_sequence = true;
  }
  LOG_INFO("edge", "stream ", frame->stream, ": origin ", pending_,
           " takes over at its keyframe after ", (now_us - video.last_out_us) / 1000,
           " ms on the last picture");
  active_ = pending_;
  pending_ = 0;
  switched_at_us_ = now_us;
  origins_[active_].history.clear();
  last_video_dts_ = frame->dts_90k;
  ++stats_.switches_keyframe;
  forward(frame, now_us, out);
}

void OriginSelector::trim(Origin& origin, int64_t now_us) {
  for (auto& [track, history] : origin.history) {
    while (!history.empty() &&
           (history.size() > kStandbyHistoryFrames ||
            now_us - history.front().frame->received_monotonic_us > kStandbyHistoryUs)) {
      history.pop_front();
    }
  }
}

uint32_t OriginSelector::clock_rate(uint32_t track) const {
  for (const auto& [epoch, origin] : origins_) {
    if (!origin.info) continue;
    for (const auto& t : origin.info->tracks()) {
      if (t.track() == track && t.clock_rate() > 0) return t.clock_rate();
    }
  }
  return kVideoClock;
}

OriginSelectorStats OriginSelector::stats() const {
  OriginSelectorStats s = stats_;
  s.origins = origins_.size();
  s.active_epoch = active_;
  s.out_epoch = out_epoch_;
  return s;
}

void OriginSelector::reset() {
  origins_.clear();
  tracks_.clear();
  active_ = pending_ = out_epoch_ = 0;
  switched_at_us_ = 0;
  last_video_dts_.reset();
  intervals_us_.clear();
  frame_interval_us_ = 0;
}

}  // namespace edge
