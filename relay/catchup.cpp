// Catch-up protocol: edge side (docs/wire.md "Catch-up").
#include "relay/catchup.hpp"

#include <algorithm>

#include <zmq_addon.hpp>

#include "absl/strings/numbers.h"
#include "base/clock.hpp"
#include "base/endpoint.hpp"
#include "base/strings.hpp"
#include "relay/frame_subscriber.hpp"

namespace relay {

std::string default_catchup_endpoint(const std::string& publish_endpoint) {
  const std::string_view e = publish_endpoint;
  if (!e.starts_with("tcp://")) return {};
  auto hp = base::parse_host_port(e.substr(6));
  if (!hp.ok() || hp->port == 65535) return {};
  const bool v6 = hp->host.find(':') != std::string::npos;
  return base::cat("tcp://", v6 ? "[" : "", hp->host, v6 ? "]" : "", ":", hp->port + 1);
}

absl::StatusOr<std::unique_ptr<CatchupClient>> CatchupClient::create(
    zmq::context_t& context, const std::vector<std::string>& endpoints,
    const CurveKeyPair* own_keys, const std::string& server_public_z85) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndhwm, 16);
    socket.set(zmq::sockopt::reconnect_ivl, 100);
    socket.set(zmq::sockopt::reconnect_ivl_max, 500);
    // Requests to an origin that is not connected are dropped rather than queued forever.
    socket.set(zmq::sockopt::immediate, 1);
    if (own_keys) make_curve_client(socket, *own_keys, server_public_z85);
    size_t connected = 0;
    for (const auto& endpoint : endpoints) {
      if (endpoint.empty()) continue;
      socket.connect(endpoint);
      ++connected;
    }
    auto client = std::unique_ptr<CatchupClient>(new CatchupClient(std::move(socket)));
    client->endpoints_ = connected;
    return client;
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(base::cat("catch-up client: ", e.what()));
  }
}

void CatchupClient::connect(const std::string& endpoint) {
  try {
    socket_.connect(endpoint);
    ++endpoints_;
  } catch (const zmq::error_t&) {
  }
}

void CatchupClient::disconnect(const std::string& endpoint) {
  try {
    socket_.disconnect(endpoint);
    if (endpoints_ > 0) --endpoints_;
  } catch (const zmq::error_t&) {
  }
}

void CatchupClient::request(const std::string& stream) {
  // DEALER deals messages round-robin over its connected peers: one copy per origin reaches
  // each of them (ZMQ_IMMEDIATE keeps copies off peers that are not connected).
  for (size_t i = 0; i < std::max<size_t>(endpoints_, 1); ++i) {
    try {
      if (!socket_.send(zmq::buffer(kCatchupRequest),
                        zmq::send_flags::sndmore | zmq::send_flags::dontwait))
        return;
      socket_.send(zmq::buffer(stream), zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
      return;  // not connected: the edge waits for the next keyframe instead
    }
  }
}

std::optional<CatchupReply> CatchupClient::receive() {
  std::vector<zmq::message_t> parts;
  if (!zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
    return std::nullopt;
  }
  auto reply = decode_catchup_reply(parts, base::monotonic_us());
  if (!reply.ok()) return std::nullopt;
  return *std::move(reply);
}

absl::StatusOr<CatchupReply> decode_catchup_reply(std::vector<zmq::message_t>& parts,
                                                  int64_t now_us) {
  if (parts.size() < 2) return absl::InvalidArgumentError("short catch-up reply");
  CatchupReply reply;
  reply.stream = parts[1].to_string();
  const std::string status = parts[0].to_string();
  if (status == kCatchupNotFound) return reply;
  if (status != kCatchupOk || parts.size() < 3 || (parts.size() - 3) % 2 != 0) {
    return absl::InvalidArgumentError("malformed catch-up reply");
  }
  auto info = decode_info(reply.stream, parts[2]);
  if (!info.ok()) return info.status();
  reply.info = *std::move(info);
  for (size_t i = 3; i + 1 < parts.size(); i += 2) {
    auto frame = decode_frame(reply.stream, parts[i], std::move(parts[i + 1]), now_us);
    if (!frame.ok()) return frame.status();
    reply.frames.push_back(*std::move(frame));
  }
  reply.found = true;
  return reply;
}

}  // namespace relay
