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
#include "relay/curve.hpp"

namespace relay {

struct PublisherOptions {
  std::string endpoint = "tcp://127.0.0.1:5556";  // bind address
  // Per-subscriber queue, in frames (each frame is 3 ZeroMQ message parts). 2 s at 30 fps.
  int queue_frames = 60;
  int sndbuf_bytes = 2 * 1024 * 1024;
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds heartbeat_timeout{3000};
  // ROUTER endpoint answering catch-up requests (PublisherThread); empty: none.
  std::string catchup_endpoint;
  // CURVE (docs/security.md): the origin's secret key file, and the file listing the edge public
  // keys it accepts (one Z85 key per line). Both empty: no encryption, anyone may subscribe.
  std::string curve_secret_key_file;
  std::string curve_authorized_keys_file;
};

// One thread only: ZeroMQ sockets are not thread-safe.
class FramePublisher {
 public:
  // Binds; an endpoint in use or malformed is an error naming it.
  // With `curve`, the socket is a CURVE server (clients are checked by the context's ZAP
  // handler, see relay/curve.hpp).
  static absl::StatusOr<std::unique_ptr<FramePublisher>> create(
      zmq::context_t& context, const PublisherOptions& options,
      const CurveKeyPair* curve = nullptr);

  // Publishes one access unit. `payload` stays owned by `owner` until ZeroMQ has sent it
  // (zmq_msg_init_data with a release callback): no copy.
  absl::Status publish(const rs::media::FrameHeader& header, std::span<const uint8_t> payload,
                       std::shared_ptr<const void> owner);
  absl::Status publish_info(const rs::media::StreamInfo& info);

  // The endpoint actually bound (resolves port 0 / wildcard).
  std::string bound_endpoint() const;

 private:
  explicit FramePublisher(zmq::socket_t socket) : socket_(std::move(socket)) {}

 public:
  // For PublisherThread: sends a prepared multipart message without blocking.
  zmq::socket_t& socket() { return socket_; }

 private:
  zmq::socket_t socket_;
};

}  // namespace relay
