// PublisherThread: the origin's one publishing thread. It owns the ZeroMQ PUB socket
// (FramePublisher), keeps each stream's current GOP and StreamInfo, and answers catch-up
// requests on a ROUTER socket so that an edge joining mid-GOP can start at once
// (docs/adr/006-catch-up-endpoint.md). Any thread may hand it frames; it never blocks them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "absl/status/statusor.h"
#include "proto/media.pb.h"
#include "relay/frame_publisher.hpp"

namespace relay {

// Frames queued from producers to the publishing thread; beyond this the oldest are dropped
// (and counted) so a stalled socket can never grow memory.
inline constexpr size_t kMaxPendingFrames = 256;

struct PublisherThreadStats {
  uint64_t frames = 0;
  uint64_t infos = 0;
  uint64_t dropped = 0;  // queue overflow
  uint64_t queued = 0;   // waiting in the queue now
  uint64_t catchup_requests = 0;
};

class PublisherThread {
 public:
  // Binds the PUB endpoint and, when options.catchup_endpoint is set, the ROUTER endpoint, then
  // starts the thread. Errors (endpoint in use, bad key file) are returned before any thread runs.
  static absl::StatusOr<std::unique_ptr<PublisherThread>> create(zmq::context_t& context,
                                                                 const PublisherOptions& options);
  ~PublisherThread();  // stops and joins

  // Thread-safe, non-blocking. `payload` is kept (not copied) until every socket is done with it.
  void publish(rs::media::FrameHeader header, std::shared_ptr<const std::vector<uint8_t>> payload);
  void publish_info(rs::media::StreamInfo info);

  PublisherThreadStats stats() const;
  // The last StreamInfo published for each stream (reported to the coordinator). Thread-safe.
  std::vector<rs::media::StreamInfo> stream_infos() const;
  std::string bound_endpoint() const;
  std::string bound_catchup_endpoint() const;

  class Impl;

 private:
  explicit PublisherThread(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace relay
