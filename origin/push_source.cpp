// PushQueue and PushSource (push_source.hpp).
#include "origin/push_source.hpp"

#include "base/clock.hpp"
#include "base/strings.hpp"

namespace origin {

bool PushQueue::push(SourceUnit unit) {
  {
    std::lock_guard lock(mu_);
    if (units_.size() >= kMaxPushQueueUnits || bytes_ + unit.data->size() > kMaxPushQueueBytes) {
      return false;
    }
    bytes_ += unit.data->size();
    units_.push_back(std::move(unit));
  }
  ready_.notify_one();
  return true;
}

void PushQueue::close(std::string reason) {
  {
    std::lock_guard lock(mu_);
    if (!closed_) closed_ = std::move(reason);
  }
  ready_.notify_one();
}

absl::StatusOr<std::optional<SourceUnit>> PushQueue::pop(std::chrono::milliseconds slice) {
  std::unique_lock lock(mu_);
  ready_.wait_for(lock, slice, [this] { return !units_.empty() || closed_.has_value(); });
  if (units_.empty()) {
    if (closed_) return absl::UnavailableError(*closed_);
    return std::optional<SourceUnit>();
  }
  SourceUnit unit = std::move(units_.front());
  units_.pop_front();
  bytes_ -= unit.data->size();
  return std::optional<SourceUnit>(std::move(unit));
}

PushSource::PushSource(std::shared_ptr<PushQueue> queue, std::shared_ptr<PublisherLink> link,
                       std::vector<TrackDesc> tracks, std::vector<uint8_t> announced,
                       std::chrono::milliseconds stall_timeout)
    : queue_(std::move(queue)),
      link_(std::move(link)),
      tracks_(std::move(tracks)),
      announced_(std::move(announced)),
      stall_timeout_(stall_timeout),
      last_unit_us_(base::monotonic_us()) {}

absl::StatusOr<SourceUnit> PushSource::read() {
  constexpr std::chrono::milliseconds kSlice{50};
  while (true) {
    // Units the publisher completed before it went are still published; a takeover, a limit or
    // the origin stopping ends the session at once.
    const bool ended = link_->ended();
    if (ended && !link_->ended_by_publisher()) return absl::UnavailableError(link_->reason());
    auto unit = queue_->pop(ended ? std::chrono::milliseconds(0) : kSlice);
    if (!unit.ok()) return unit.status();
    if (!*unit && ended) return absl::UnavailableError(link_->reason());
    if (*unit) {
      last_unit_us_ = base::monotonic_us();
      SourceUnit out = std::move(**unit);
      if (out.track == kVideoTrack) {
        // RTP carries presentation time only. With B-frames it goes back; decode time must not:
        // each unit's dts is its pts, or just after the previous dts when that is not later.
        if (last_video_dts_ && out.dts <= *last_video_dts_) out.dts = *last_video_dts_ + 1;
        last_video_dts_ = out.dts;
      }
      return out;
    }
    if (base::monotonic_us() - last_unit_us_ > stall_timeout_.count() * 1000) {
      return absl::DeadlineExceededError(
          base::cat("publisher stalled: no media for ", stall_timeout_.count(), " ms"));
    }
  }
}

}  // namespace origin
