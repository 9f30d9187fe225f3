// Catch-up protocol between an edge (DEALER) and the origin's PublisherThread (ROUTER):
// an edge that subscribes mid-GOP asks for the stream's current GOP and starts from its
// keyframe at once instead of waiting for the next one (docs/wire.md "Catch-up").
//   request: [CATCHUP/1][stream]
//   reply:   [OK][stream][StreamInfo][FrameHeader][payload]...[FrameHeader][payload]
//            [NOT_FOUND][stream]
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "absl/status/statusor.h"
#include "media/frame.hpp"
#include "proto/media.pb.h"
#include "relay/curve.hpp"

namespace relay {

inline constexpr std::string_view kCatchupRequest = "CATCHUP/1";
// The catch-up ROUTER's limits: a larger message disconnects its sender (ZMQ_MAXMSGSIZE; a
// request is a version and a stream name), and the publishing thread answers at most this many
// requests before it publishes again (a flood delays answers, not live frames).
inline constexpr int64_t kMaxCatchupRequestBytes = 4096;
inline constexpr int kMaxCatchupPerPass = 32;
inline constexpr int kMaxCatchupPartsPerPass = 256;
// Catch-up answers per second, all edges together; requests over it are read and dropped (an
// edge that got no answer asks again). Edges ask once per stream they start, so a busy cluster
// stays far below it; a flood cannot turn the publishing thread into an answering machine.
inline constexpr int kMaxCatchupAnswersPerSecond = 200;
inline constexpr std::string_view kCatchupOk = "OK";
inline constexpr std::string_view kCatchupNotFound = "NOT_FOUND";
// Default catch-up endpoint: the publish endpoint's port + 1 (docs/wire.md).
std::string default_catchup_endpoint(const std::string& publish_endpoint);

struct CatchupReply {
  std::string stream;
  bool found = false;
  std::shared_ptr<const rs::media::StreamInfo> info;
  std::vector<media::FramePtr> frames;  // in publish order, from the video keyframe
};

// One thread only (ZeroMQ sockets are not thread-safe).
class CatchupClient {
 public:
  static absl::StatusOr<std::unique_ptr<CatchupClient>> create(
      zmq::context_t& context, const std::vector<std::string>& endpoints,
      const CurveKeyPair* own_keys = nullptr, const std::string& server_public_z85 = {});
  void connect(const std::string& endpoint);
  void disconnect(const std::string& endpoint);
  // Sends the request to every connected origin (the one that has the stream answers OK, the
  // others NOT_FOUND); never blocks (dropped when no origin is connected).
  void request(const std::string& stream);
  // Non-blocking: one reply if one is waiting.
  std::optional<CatchupReply> receive();
  zmq::socket_t& socket() { return socket_; }

 private:
  explicit CatchupClient(zmq::socket_t socket) : socket_(std::move(socket)) {}
  zmq::socket_t socket_;
  size_t endpoints_ = 0;
};

// Decodes the reply parts (after the DEALER receive) into a CatchupReply.
absl::StatusOr<CatchupReply> decode_catchup_reply(std::vector<zmq::message_t>& parts,
                                                  int64_t now_us);

}  // namespace relay
