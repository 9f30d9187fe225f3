// IngestHub: where publishers meet the streams they push (docs/ingest.md). A stream whose source
// is "publish:" has a slot; a publisher (an RTSP ANNOUNCE, an RTMP or SRT connection) offers its
// session as a Source, and the stream's runner takes it through wait() as if it had opened a
// camera. One publisher per stream: a second one is refused, or replaces the first when the
// stream allows takeover. Every offered Source is wrapped in a gate that enforces the
// publisher's limits (bitrate, picture size) and tells the publisher's side when the session
// ended (stall, limit, takeover, origin stopping) through its PublisherLink.
// Thread-safe: ingest threads offer, runner threads wait, /metrics and reports read.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "origin/source.hpp"

namespace origin {

// How long a runner waits for a publisher before it publishes "waiting for a publisher" again.
inline constexpr std::chrono::milliseconds kPublisherWaitSlice{1000};
// The window the bitrate limit is measured over (a keyframe burst alone does not trip it).
inline constexpr std::chrono::seconds kBitrateWindow{3};

struct PublishLimits {
  int64_t max_bitrate_bps = 0;  // 0: no limit
  uint32_t max_width = 0;       // 0: no limit
  uint32_t max_height = 0;
};

struct PublishRules {
  bool takeover = false;  // a new publisher replaces the current one instead of being refused
  PublishLimits limits;
};

// One publisher's session, shared by its producer (the ingest connection or listener) and the
// gate the runner reads. Either side may end it; the other notices.
class PublisherLink {
 public:
  explicit PublisherLink(PublisherInfo info) : info_(std::move(info)) {}
  // Ends the session with `reason` (the first reason stays): a takeover, a limit, the origin
  // stopping. The runner stops at once.
  void end(std::string reason);
  // The publisher went (disconnect, TEARDOWN): what it sent before is still published.
  void end_by_publisher(std::string reason);
  bool ended() const { return ended_.load(); }
  bool ended_by_publisher() const { return by_publisher_.load(); }
  std::string reason() const;
  const PublisherInfo& info() const { return info_; }
  // Before the link is offered only (listeners learn who connected after the link exists).
  void set_address(std::string address) { info_.address = std::move(address); }
  void set_since(int64_t wall_us) { info_.since_us = wall_us; }
  // True once the session ended: libavformat's interrupt flag for listener sources.
  const std::atomic<bool>& ended_flag() const { return ended_; }

 private:
  PublisherInfo info_;
  std::atomic<bool> ended_{false};
  std::atomic<bool> by_publisher_{false};
  mutable std::mutex mu_;
  std::string reason_;
};

class IngestHub {
 public:
  // `publishable`: the stream's source is "publish:"; others are play-only (405 for publishers).
  void add_stream(const std::string& stream, bool publishable, PublishRules rules = {});

  // Offers a publisher's session for `stream`. Errors: NotFound (no such stream), Unimplemented
  // (play-only), AlreadyExists (a publisher is on it and takeover is off), Cancelled (stopping).
  // The link stays with the caller: it ends when the runner's session does, and the caller
  // ends it when the publisher goes.
  absl::Status offer(std::string_view stream, std::shared_ptr<PublisherLink> link,
                     std::unique_ptr<Source> source);

  // The runner's opener for a published stream: the next publisher's session, or Unavailable
  // ("waiting for a publisher") after `patience`.
  absl::StatusOr<std::unique_ptr<Source>> wait(std::string_view stream,
                                               const std::atomic<bool>& stop,
                                               std::chrono::milliseconds patience);

  // Whether `stream` takes publishers (NotFound / Unimplemented as offer() says).
  absl::Status check_publishable(std::string_view stream) const;
  std::optional<PublisherInfo> publisher(std::string_view stream) const;
  // Ends every publisher's session (the origin is stopping); later offers are Cancelled.
  void shut_down();

 private:
  struct Slot {
    bool publishable = false;
    PublishRules rules;
    std::shared_ptr<PublisherLink> active;  // the current publisher
    std::unique_ptr<Source> pending;        // its session, until the runner takes it
  };
  friend class GatedSource;
  void release(const std::string& stream, const PublisherLink* link);

  mutable std::mutex mu_;
  std::condition_variable offered_;
  std::map<std::string, Slot, std::less<>> slots_;
  bool shut_down_ = false;
};

// The runner's opener for a "publish:" stream of `hub`.
SourceOpener publish_opener(IngestHub& hub);

}  // namespace origin
