// PushSource: a publisher's session as a Source. The ingest thread that receives the publisher
// (RTSP ANNOUNCE/RECORD) depacketizes and pushes complete units into a PushQueue; the stream's
// runner reads them on its own thread. A publisher silent for the stall timeout ends the session
// ("publisher stalled"), as a silent camera does.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "origin/ingest_hub.hpp"
#include "origin/source.hpp"

namespace origin {

// Units waiting for the runner. More: the publisher is dropped ("the origin is not keeping up").
inline constexpr size_t kMaxPushQueueUnits = 600;
inline constexpr size_t kMaxPushQueueBytes = 64u << 20;

class PushQueue {
 public:
  // False when full.
  bool push(SourceUnit unit);
  // The producer is gone; read() returns Unavailable(`reason`) once the queue is drained.
  void close(std::string reason);
  // The next unit, waiting at most `slice`; nullopt when none came (not an error by itself).
  absl::StatusOr<std::optional<SourceUnit>> pop(std::chrono::milliseconds slice);

 private:
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<SourceUnit> units_;
  size_t bytes_ = 0;
  std::optional<std::string> closed_;
};

class PushSource final : public Source {
 public:
  PushSource(std::shared_ptr<PushQueue> queue, std::shared_ptr<PublisherLink> link,
             std::vector<TrackDesc> tracks, std::vector<uint8_t> announced,
             std::chrono::milliseconds stall_timeout);

  absl::StatusOr<SourceUnit> read() override;
  std::vector<TrackDesc> tracks() const override { return tracks_; }
  std::vector<uint8_t> announced_parameter_sets() const override { return announced_; }

 private:
  std::shared_ptr<PushQueue> queue_;
  std::shared_ptr<PublisherLink> link_;
  std::vector<TrackDesc> tracks_;
  std::vector<uint8_t> announced_;
  std::chrono::milliseconds stall_timeout_;
  int64_t last_unit_us_ = 0;
  std::optional<int64_t> last_video_dts_;
};

}  // namespace origin
