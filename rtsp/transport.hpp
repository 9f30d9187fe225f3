// RTSP Transport header, RFC 2326 section 12.39.
// Parsing is lenient (see docs/interop.md); serialization is canonical.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rtsp {

enum class LowerTransport { Udp, Tcp };
enum class Delivery { Unicast, Multicast };
enum class TransportMode { Play, Record };

struct PortPair {
  uint16_t rtp = 0;
  uint16_t rtcp = 0;
  friend bool operator==(const PortPair&, const PortPair&) = default;
};

struct ChannelPair {
  uint8_t rtp = 0;
  uint8_t rtcp = 0;
  friend bool operator==(const ChannelPair&, const ChannelPair&) = default;
};

struct Transport {
  std::string profile = "RTP/AVP";  // RTP/AVP, RTP/AVPF, RTP/SAVP, ...
  LowerTransport lower = LowerTransport::Udp;
  std::optional<Delivery> delivery;
  std::optional<std::string> destination;
  std::optional<std::string> source;
  std::optional<PortPair> client_ports;
  std::optional<PortPair> server_ports;
  std::optional<PortPair> ports;  // multicast "port="
  std::optional<ChannelPair> interleaved;
  std::optional<uint8_t> ttl;
  std::optional<uint32_t> ssrc;
  std::optional<TransportMode> mode;

  // Parses one transport spec (no commas). Unknown parameters are ignored.
  static absl::StatusOr<Transport> parse(std::string_view value);
  // Parses a comma-separated list of alternatives in the client's order of preference.
  static absl::StatusOr<std::vector<Transport>> parse_list(std::string_view value);
  std::string serialize() const;  // parse(serialize(t)) == t

  friend bool operator==(const Transport&, const Transport&) = default;
};

}  // namespace rtsp
