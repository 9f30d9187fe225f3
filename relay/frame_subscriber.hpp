// FrameSubscriber: an edge's ZeroMQ SUB socket. Connects to one or more origins, subscribes per
// stream (or to all), and decodes messages into Frames and StreamInfos, checking the format
// version.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "absl/status/statusor.h"
#include "media/frame.hpp"
#include "proto/media.pb.h"
#include "relay/curve.hpp"

namespace relay {

struct SubscriberOptions {
  std::vector<std::string> endpoints;  // origins' PUB endpoints
  int queue_frames = 60;               // receive HWM in frames (3 parts each)
  int rcvbuf_bytes = 2 * 1024 * 1024;
  std::chrono::milliseconds reconnect_interval{100};
  std::chrono::milliseconds reconnect_interval_max{1000};  // ZeroMQ doubles up to this
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds heartbeat_timeout{3000};
  // CURVE: the edge's own keys and the origin's public key it pins (docs/security.md).
  std::optional<CurveKeyPair> curve_keys;
  std::string curve_server_public_z85;
};

struct SubscriberStats {
  uint64_t frames = 0;
  uint64_t infos = 0;
  uint64_t rejected = 0;  // malformed, unknown version, foreign topic
};

using Received = std::variant<media::FramePtr, std::shared_ptr<const rs::media::StreamInfo>>;

// One thread only.
class FrameSubscriber {
 public:
  static absl::StatusOr<std::unique_ptr<FrameSubscriber>> create(zmq::context_t& context,
                                                                 const SubscriberOptions& options);

  // Follows a moving origin set (coordinator updates). Errors are logged, never thrown.
  void connect(const std::string& endpoint);
  void disconnect(const std::string& endpoint);
  void subscribe_all();
  void subscribe(const std::string& stream);
  void unsubscribe(const std::string& stream);

  // Waits up to `timeout` for one message. nullopt on timeout. Messages that fail to decode
  // are counted in stats().rejected, logged (rate-limited) and skipped.
  std::optional<Received> receive(std::chrono::milliseconds timeout);

  const SubscriberStats& stats() const { return stats_; }
  zmq::socket_t& socket() { return socket_; }

 private:
  explicit FrameSubscriber(zmq::socket_t socket) : socket_(std::move(socket)) {}
  std::optional<Received> decode(std::vector<zmq::message_t>& parts);

  zmq::socket_t socket_;
  SubscriberStats stats_;
};

// Decoding of one multipart message, separate from sockets for tests and fuzzing.
absl::StatusOr<Received> decode_message(std::vector<zmq::message_t>& parts,
                                        int64_t now_monotonic_us);

// Decodes one frame from its header and payload parts (the payload is moved, not copied).
absl::StatusOr<media::FramePtr> decode_frame(std::string_view stream, const zmq::message_t& header,
                                             zmq::message_t&& payload, int64_t now_monotonic_us);
absl::StatusOr<std::shared_ptr<const rs::media::StreamInfo>> decode_info(
    std::string_view stream, const zmq::message_t& info);

// media::Codec from the wire enum and back.
media::Codec codec_from_wire(rs::media::Codec codec);
rs::media::Codec codec_to_wire(media::Codec codec);

}  // namespace relay
