// FramePublisher: the origin's ZeroMQ PUB socket. Sends [topic][FrameHeader][payload] with the
// payload zero-copy, and [topic/info][StreamInfo]. Never blocks: a subscriber whose pipe is
// full loses messages (it notices the sequence gap and resynchronises at a keyframe).
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>

#include <zmq.hpp>

#include "absl/status/statusor.h"
#include "proto/media.pb.h"

namespace relay {

struct PublisherOptions {
  std::string endpoint = "tcp://127.0.0.1:5556";  // bind address
  // Per-subscriber queue, in frames (each frame is 3 ZeroMQ message parts). 2 s at 30 fps.
  int queue_frames = 60;
  int sndbuf_bytes = 2 * 1024 * 1024;
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds heartbeat_timeout{3000};
};

// One thread only: ZeroMQ sockets are not thread-safe.
class FramePublisher {
 public:
  // Binds; an endpoint in use or malformed is an error naming it.
  static absl::StatusOr<std::unique_ptr<FramePublisher>> create(zmq::context_t& context,
                                                                const PublisherOptions& options);

  // Publishes one access unit. `payload` stays owned by `owner` until ZeroMQ has sent it
  // (zmq_msg_init_data with a release callback): no copy.
  absl::Status publish(const rs::media::FrameHeader& header, std::span<const uint8_t> payload,
                       std::shared_ptr<const void> owner);
  absl::Status publish_info(const rs::media::StreamInfo& info);

  // The endpoint actually bound (resolves port 0 / wildcard).
  std::string bound_endpoint() const;

 private:
  explicit FramePublisher(zmq::socket_t socket) : socket_(std::move(socket)) {}
  zmq::socket_t socket_;
};

}  // namespace relay
