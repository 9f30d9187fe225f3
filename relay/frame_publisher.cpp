// ZeroMQ PUB side of the origin -> edge wire (docs/wire.md).
#include "relay/frame_publisher.hpp"

#include "absl/strings/str_cat.h"
#include "base/clock.hpp"
#include "base/strings.hpp"
#include "relay/liveness.hpp"
#include "relay/topic.hpp"

namespace relay {
namespace {

// Parts per frame message: topic, header, payload.
constexpr int kPartsPerFrame = 3;

// Release callback for zero-copy payloads: drops the owner reference.
void release_owner(void* /*data*/, void* hint) {
  delete static_cast<std::shared_ptr<const void>*>(hint);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FramePublisher>> FramePublisher::create(
    zmq::context_t& context, const PublisherOptions& options, const CurveKeyPair* curve) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::pub);
    // HWM counts message parts; size it to `queue_frames` whole frames per subscriber
    // (docs/wire.md "Queues"): a slow edge drops, it never stalls the origin.
    socket.set(zmq::sockopt::sndhwm, options.queue_frames * kPartsPerFrame);
    socket.set(zmq::sockopt::sndbuf, options.sndbuf_bytes);
    socket.set(zmq::sockopt::linger, 0);
    set_liveness(socket, options.heartbeat_interval, options.heartbeat_timeout);
    if (curve) make_curve_server(socket, *curve);
    socket.bind(options.endpoint);
    return std::unique_ptr<FramePublisher>(new FramePublisher(std::move(socket)));
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(
        base::cat("cannot bind publisher to '", options.endpoint, "': ", e.what()));
  }
}

absl::Status FramePublisher::publish(const rs::media::FrameHeader& header,
                                     std::span<const uint8_t> payload,
                                     std::shared_ptr<const void> owner) {
  const std::string topic = frame_topic(header.stream());
  // The publish time is the origin's reference for "added latency" (origin publish -> reader
  // receive) measured by rtsp-bench; it is set here, at the last moment before the send.
  rs::media::FrameHeader stamped = header;
  stamped.set_format_minor(kFormatMinor);
  stamped.set_publish_time_us(base::wall_clock_us());
  const std::string header_bytes = stamped.SerializeAsString();
  auto* hint = new std::shared_ptr<const void>(std::move(owner));
  // zmq_msg_init_data: ZeroMQ sends straight from our buffer and calls release_owner when done.
  zmq::message_t body(const_cast<uint8_t*>(payload.data()), payload.size(), &release_owner, hint);
  try {
    // dontwait: PUB never blocks; at the HWM it drops for that subscriber only.
    socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_.send(zmq::buffer(header_bytes), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_.send(body, zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    return absl::InternalError(base::cat("publish failed: ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status FramePublisher::publish_info(const rs::media::StreamInfo& info) {
  const std::string topic = info_topic(info.stream());
  const std::string bytes = info.SerializeAsString();
  try {
    socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    return absl::InternalError(base::cat("publish_info failed: ", e.what()));
  }
  return absl::OkStatus();
}

std::string FramePublisher::bound_endpoint() const {
  return socket_.get(zmq::sockopt::last_endpoint);
}

}  // namespace relay
