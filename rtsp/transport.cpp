// RTSP Transport header, RFC 2326 section 12.39: lenient parse, canonical serialize.
//
// Leniency, each covered by rtsp_transport_test:
//  - names, the profile and the lower transport are case-insensitive; mode may be quoted
//    (VLC/live555 sends mode="PLAY");
//  - parameters and values are trimmed ("hikvision: ssrc with leading space");
//  - a single port or channel means the pair n, n+1 (Hikvision sends client_port=14186);
//  - unknown parameters are ignored; in a list, alternatives we cannot parse are skipped.
#include "rtsp/transport.hpp"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "base/strings.hpp"

namespace rtsp {
namespace {

constexpr size_t kMaxSsrcHexDigits = 8;

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

// Splits on `sep`, except inside double quotes (mode="PLAY,RECORD" is one parameter).
std::vector<std::string_view> split_unquoted(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == sep && !quoted) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

std::optional<uint32_t> parse_uint(std::string_view s, uint32_t max) {
  s = base::trim(s);
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// "a-b", or "a" meaning "a-(a+1)" (RFC 2326 12.39: "client_port=3456-3457").
std::optional<std::pair<uint32_t, uint32_t>> parse_range(std::string_view s, uint32_t max) {
  size_t dash = s.find('-');
  auto first = parse_uint(s.substr(0, dash), max);
  if (!first) return std::nullopt;
  if (dash == std::string_view::npos) {
    if (*first == max) return std::nullopt;
    return std::make_pair(*first, *first + 1);
  }
  auto second = parse_uint(s.substr(dash + 1), max);
  if (!second) return std::nullopt;
  return std::make_pair(*first, *second);
}

absl::Status bad(std::string_view what, std::string_view param) {
  return absl::InvalidArgumentError(base::cat("Transport: bad ", what, " \"", param, "\""));
}

absl::StatusOr<PortPair> port_pair(std::string_view value, std::string_view param) {
  auto r = parse_range(value, 65535);
  if (!r) return bad("port range", param);
  return PortPair{static_cast<uint16_t>(r->first), static_cast<uint16_t>(r->second)};
}

// RFC 2326 12.39: ssrc = 8*8(HEX). Hikvision sends "ssrc= 4317f" (fewer digits, a space).
std::optional<uint32_t> parse_ssrc(std::string_view s) {
  s = base::trim(s);
  if (s.empty() || s.size() > kMaxSsrcHexDigits) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    int digit = absl::ascii_isdigit(static_cast<unsigned char>(c))
                    ? c - '0'
                    : absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    v = (v << 4) | static_cast<uint32_t>(digit);
  }
  return v;
}

// RFC 2326 12.39: transport-protocol "/" profile ["/" lower-transport], e.g. RTP/AVP/TCP.
absl::Status parse_spec(std::string_view spec, Transport& t) {
  std::vector<std::string_view> parts = split_unquoted(base::trim(spec), '/');
  if (parts.size() < 2 || parts.size() > 3 || !base::equals_ignore_case(parts[0], "RTP") ||
      parts[1].empty()) {
    return bad("transport spec", spec);
  }
  for (char c : parts[1]) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return bad("profile", spec);
  }
  t.profile = base::cat("RTP/", parts[1]);
  for (char& c : t.profile) c = absl::ascii_toupper(static_cast<unsigned char>(c));
  if (parts.size() == 3) {
    // "The default value is "UDP"" (lower-transport).
    if (base::equals_ignore_case(parts[2], "TCP")) {
      t.lower = LowerTransport::Tcp;
    } else if (!base::equals_ignore_case(parts[2], "UDP")) {
      return bad("lower transport", spec);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TransportMode> parse_mode(std::string_view value) {
  std::string_view mode = base::trim(unquote(base::trim(value)));
  if (base::equals_ignore_case(mode, "play")) return TransportMode::Play;
  // RFC 2326 12.39 also names "receive" for the recording direction.
  if (base::equals_ignore_case(mode, "record") || base::equals_ignore_case(mode, "receive")) {
    return TransportMode::Record;
  }
  return bad("mode", value);
}

absl::Status parse_valued(std::string_view name, std::string_view value, std::string_view param,
                          Transport& t) {
  auto ports = [&](std::optional<PortPair>& out) -> absl::Status {
    auto p = port_pair(value, param);
    if (!p.ok()) return p.status();
    out = *p;
    return absl::OkStatus();
  };
  if (name == "destination" || name == "source") {
    // Addresses are hosts; a quote could only smuggle other parameters into the value.
    if (value.find('"') != std::string_view::npos) return bad("address", param);
    (name == "source" ? t.source : t.destination) = std::string(value);
  } else if (name == "client_port") {
    return ports(t.client_ports);
  } else if (name == "server_port") {
    return ports(t.server_ports);
  } else if (name == "port") {
    return ports(t.ports);
  } else if (name == "interleaved") {
    auto r = parse_range(value, 255);
    if (!r) return bad("interleaved channels", param);
    t.interleaved = ChannelPair{static_cast<uint8_t>(r->first), static_cast<uint8_t>(r->second)};
  } else if (name == "ttl") {
    auto ttl = parse_uint(value, 255);
    if (!ttl) return bad("ttl", param);
    t.ttl = static_cast<uint8_t>(*ttl);
  } else if (name == "ssrc") {
    t.ssrc = parse_ssrc(value);
    if (!t.ssrc) return bad("ssrc", param);
  } else if (name == "mode") {
    auto mode = parse_mode(value);
    if (!mode.ok()) return mode.status();
    t.mode = *mode;
  }
  return absl::OkStatus();  // "append", "layers", "rtcp-mux", ...: ignored
}

absl::Status parse_param(std::string_view param, Transport& t) {
  param = base::trim(param);
  size_t eq = param.find('=');
  std::string name(base::trim(param.substr(0, eq)));
  for (char& c : name) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  if (eq == std::string_view::npos) {
    if (name == "unicast") t.delivery = Delivery::Unicast;
    if (name == "multicast") t.delivery = Delivery::Multicast;
    return absl::OkStatus();
  }
  return parse_valued(name, base::trim(param.substr(eq + 1)), param, t);
}

std::string pair_text(uint32_t a, uint32_t b) {
  return base::cat(std::to_string(a), "-", std::to_string(b));
}

std::string hex8(uint32_t v) {
  constexpr std::string_view kDigits = "0123456789ABCDEF";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kDigits[v & 0xf];
  return out;
}

}  // namespace

absl::StatusOr<Transport> Transport::parse(std::string_view value) {
  std::vector<std::string_view> params = split_unquoted(value, ';');
  Transport t;
  if (auto st = parse_spec(params[0], t); !st.ok()) return st;
  for (size_t i = 1; i < params.size(); ++i) {
    if (auto st = parse_param(params[i], t); !st.ok()) return st;
  }
  return t;
}

absl::StatusOr<std::vector<Transport>> Transport::parse_list(std::string_view value) {
  // RFC 2326 12.39: "Transports are comma separated, listed in order of preference."
  // Alternatives we cannot parse (another protocol, a vendor profile) are skipped so that the
  // server can still pick one it knows; the list fails only when none parses.
  std::vector<Transport> list;
  std::optional<absl::Status> first_error;
  for (std::string_view item : split_unquoted(value, ',')) {
    if (base::trim(item).empty()) continue;
    auto t = parse(item);
    if (t.ok()) {
      list.push_back(std::move(*t));
    } else if (!first_error) {
      first_error = t.status();
    }
  }
  if (list.empty()) return first_error.value_or(absl::InvalidArgumentError("Transport: empty"));
  return list;
}

std::string Transport::serialize() const {
  std::string out = profile;
  if (lower == LowerTransport::Tcp) out += "/TCP";
  if (delivery) out += *delivery == Delivery::Unicast ? ";unicast" : ";multicast";
  if (destination) out += base::cat(";destination=", *destination);
  if (source) out += base::cat(";source=", *source);
  if (interleaved) {
    out += ";interleaved=" + pair_text(interleaved->rtp, interleaved->rtcp);
  }
  if (client_ports) {
    out += ";client_port=" + pair_text(client_ports->rtp, client_ports->rtcp);
  }
  if (server_ports) {
    out += ";server_port=" + pair_text(server_ports->rtp, server_ports->rtcp);
  }
  if (ports) out += ";port=" + pair_text(ports->rtp, ports->rtcp);
  if (ttl) out += ";ttl=" + std::to_string(*ttl);
  if (ssrc) out += ";ssrc=" + hex8(*ssrc);
  if (mode) out += *mode == TransportMode::Play ? ";mode=play" : ";mode=record";
  return out;
}

}  // namespace rtsp
