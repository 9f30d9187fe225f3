// ZeroMQ SUB side of the origin -> edge wire (docs/wire.md).
#include "relay/frame_subscriber.hpp"

#include <zmq_addon.hpp>

#include "absl/strings/str_cat.h"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/lookup.hpp"
#include "base/strings.hpp"
#include "relay/liveness.hpp"
#include "relay/topic.hpp"

namespace relay {
namespace {

constexpr int kPartsPerFrame = 3;

// The wire's codec ids and the media layer's, one row a codec.
constexpr base::Row<rs::media::Codec, media::Codec> kCodecs[] = {
    {rs::media::CODEC_H264, media::Codec::H264}, {rs::media::CODEC_H265, media::Codec::H265},
    {rs::media::CODEC_AAC, media::Codec::Aac},   {rs::media::CODEC_OPUS, media::Codec::Opus},
    {rs::media::CODEC_PCMU, media::Codec::Pcmu}, {rs::media::CODEC_PCMA, media::Codec::Pcma}};
constexpr uint32_t kSupportedMajor = rs::media::FORMAT_VERSION_1;

base::RateLimiter g_reject_log{std::chrono::seconds(5)};

absl::Status check_version(uint32_t version) {
  if (version != kSupportedMajor) {
    return absl::FailedPreconditionError(
        base::cat("wire format major version ", version, " is not supported (this edge speaks ",
                  kSupportedMajor, "); upgrade the edge or run a matching origin"));
  }
  return absl::OkStatus();
}

}  // namespace

media::Codec codec_from_wire(rs::media::Codec codec) {
  return base::lookup(kCodecs, codec, media::Codec::Unknown);
}

rs::media::Codec codec_to_wire(media::Codec codec) {
  return base::reverse_lookup(kCodecs, codec, rs::media::CODEC_UNSPECIFIED);
}

absl::StatusOr<media::FramePtr> decode_frame(std::string_view stream,
                                             const zmq::message_t& header_part,
                                             zmq::message_t&& payload_part, int64_t now_us) {
  rs::media::FrameHeader header;
  if (!header.ParseFromArray(header_part.data(), static_cast<int>(header_part.size()))) {
    return absl::InvalidArgumentError("FrameHeader does not parse");
  }
  if (auto st = check_version(header.format_version()); !st.ok()) return st;
  if (header.stream() != stream) {
    return absl::InvalidArgumentError(
        base::cat("header stream '", header.stream(), "' != topic stream '", stream, "'"));
  }
  auto payload = std::make_shared<zmq::message_t>(std::move(payload_part));
  auto frame = std::make_shared<media::Frame>();
  frame->stream = header.stream();
  frame->track = header.track();
  frame->codec = codec_from_wire(header.codec());
  frame->sequence = header.sequence();
  frame->pts_90k = header.pts_90k();
  frame->dts_90k = header.dts_90k();
  frame->keyframe = header.keyframe();
  frame->capture_time_us = header.capture_time_us();
  frame->publish_time_us = header.publish_time_us();
  frame->origin_epoch = header.origin_epoch();
  frame->received_monotonic_us = now_us;
  frame->payload = {static_cast<const uint8_t*>(payload->data()), payload->size()};
  frame->owner = std::move(payload);
  return media::FramePtr(std::move(frame));
}

absl::StatusOr<std::shared_ptr<const rs::media::StreamInfo>> decode_info(
    std::string_view stream, const zmq::message_t& part) {
  auto info = std::make_shared<rs::media::StreamInfo>();
  if (!info->ParseFromArray(part.data(), static_cast<int>(part.size()))) {
    return absl::InvalidArgumentError("StreamInfo does not parse");
  }
  if (auto st = check_version(info->format_version()); !st.ok()) return st;
  if (info->stream() != stream) {
    return absl::InvalidArgumentError("StreamInfo stream does not match its topic");
  }
  return std::shared_ptr<const rs::media::StreamInfo>(std::move(info));
}

absl::StatusOr<Received> decode_message(std::vector<zmq::message_t>& parts, int64_t now_us) {
  if (parts.empty()) return absl::InvalidArgumentError("empty message");
  auto topic = parse_topic(parts[0].to_string_view());
  if (!topic) {
    return absl::InvalidArgumentError(
        base::cat("foreign topic '", parts[0].to_string_view().substr(0, 80), "'"));
  }
  if (topic->info) {
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(
          base::cat("info message has ", parts.size(), " parts, want 2"));
    }
    auto info = decode_info(topic->stream, parts[1]);
    if (!info.ok()) return info.status();
    return Received{*std::move(info)};
  }
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        base::cat("frame message has ", parts.size(), " parts, want 3"));
  }
  auto frame = decode_frame(topic->stream, parts[1], std::move(parts[2]), now_us);
  if (!frame.ok()) return frame.status();
  return Received{*std::move(frame)};
}

absl::StatusOr<std::unique_ptr<FrameSubscriber>> FrameSubscriber::create(
    zmq::context_t& context, const SubscriberOptions& options) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::rcvhwm, options.queue_frames * kPartsPerFrame);
    socket.set(zmq::sockopt::rcvbuf, options.rcvbuf_bytes);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::reconnect_ivl, static_cast<int>(options.reconnect_interval.count()));
    socket.set(zmq::sockopt::reconnect_ivl_max,
               static_cast<int>(options.reconnect_interval_max.count()));
    set_liveness(socket, options.heartbeat_interval, options.heartbeat_timeout);
    if (options.curve_keys) {
      make_curve_client(socket, *options.curve_keys, options.curve_server_public_z85);
    }
    for (const auto& endpoint : options.endpoints) socket.connect(endpoint);
    return std::unique_ptr<FrameSubscriber>(new FrameSubscriber(std::move(socket)));
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(base::cat("cannot create subscriber: ", e.what()));
  }
}

void FrameSubscriber::connect(const std::string& endpoint) {
  try {
    socket_.connect(endpoint);
  } catch (const zmq::error_t& e) {
    LOG_WARN("relay", "cannot connect to origin '", endpoint, "': ", e.what());
  }
}

void FrameSubscriber::disconnect(const std::string& endpoint) {
  try {
    socket_.disconnect(endpoint);
  } catch (const zmq::error_t&) {
    // Not connected: nothing to undo.
  }
}

void FrameSubscriber::subscribe_all() {
  socket_.set(zmq::sockopt::subscribe, std::string(kTopicPrefix));
}

void FrameSubscriber::subscribe(const std::string& stream) {
  socket_.set(zmq::sockopt::subscribe, frame_topic(stream));
}

void FrameSubscriber::unsubscribe(const std::string& stream) {
  socket_.set(zmq::sockopt::unsubscribe, frame_topic(stream));
}

std::optional<Received> FrameSubscriber::receive(std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
  std::vector<zmq::message_t> parts;
  if (!zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
    return std::nullopt;
  }
  return decode(parts);
}

std::optional<Received> FrameSubscriber::decode(std::vector<zmq::message_t>& parts) {
  auto got = decode_message(parts, base::monotonic_us());
  if (!got.ok()) {
    ++stats_.rejected;
    uint64_t suppressed = 0;
    if (g_reject_log.allow(&suppressed)) {
      LOG_WARN("relay", "dropped a message from the origin: ", got.status().message(),
               suppressed ? base::cat(" (", suppressed, " more suppressed)") : "");
    }
    return std::nullopt;
  }
  if (std::holds_alternative<media::FramePtr>(*got)) {
    ++stats_.frames;
  } else {
    ++stats_.infos;
  }
  return std::move(*got);
}

}  // namespace relay
