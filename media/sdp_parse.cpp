// SDP parsing for RTSP clients (RFC 8866 section 5): m= (5.14), c= (5.7), a=rtpmap (6.6),
// a=fmtp (6.15), a=framerate (6.8) and a=control (RFC 2326 C.1.1), plus the static payload
// types of RFC 3551 tables 4 and 5.
#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"
#include "media/h264.hpp"
#include "media/sdp.hpp"

namespace media {
namespace {

std::string lower(std::string_view s) {
  return absl::AsciiStrToLower(base::av(s));
}

template <typename T>
bool parse_uint(std::string_view s, T max, T* out) {
  uint64_t v = 0;
  if (s.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(s[0])) ||
      !absl::SimpleAtoi(base::av(s), &v) || v > max) {
    return false;
  }
  *out = static_cast<T>(v);
  return true;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  for (absl::string_view w : absl::StrSplit(base::av(s), absl::ByAnyChar(" \t"), absl::SkipEmpty()))
    out.push_back(base::sv(w));
  return out;
}

// RFC 3551 tables 4 and 5: static payload types with their encoding name and clock rate.
struct StaticType {
  uint8_t pt;
  std::string_view encoding;
  uint32_t clock_rate;
};
constexpr StaticType kStaticTypes[] = {
    {0, "PCMU", 8000},   {3, "GSM", 8000},   {4, "G723", 8000},
    {8, "PCMA", 8000},   {9, "G722", 8000},  {14, "MPA", 90000},
    {26, "JPEG", 90000}, {32, "MPV", 90000}, {33, "MP2T", 90000},
};

class Parser {
 public:
  absl::StatusOr<SdpDescription> run(std::string_view text);

 private:
  absl::Status line(std::string_view type_and_value);
  absl::Status media_line(std::string_view value);
  absl::Status attribute(std::string_view value);
  absl::Status rtpmap(std::string_view value);
  void fmtp(std::string_view value);
  void connection(std::string_view value);
  void finish();
  // The payload type that `value` ("<pt> <rest>") is about, when it is the current media's.
  std::optional<std::string_view> for_current_pt(std::string_view value) const;
  absl::Status error(std::string_view why) const {
    return absl::InvalidArgumentError(base::cat("SDP line ", line_number_, ": ", why));
  }

  SdpDescription out_;
  std::vector<bool> has_pt_;  // per media: the first format is an RTP payload type
  std::vector<bool> has_connection_;
  size_t line_number_ = 0;
};

absl::StatusOr<SdpDescription> Parser::run(std::string_view text) {
  if (text.size() > kMaxSdpBytes) {
    return absl::InvalidArgumentError(
        base::cat("SDP is ", text.size(), " bytes, more than ", kMaxSdpBytes));
  }
  bool seen_version = false;
  for (absl::string_view raw : absl::StrSplit(base::av(text), '\n')) {
    ++line_number_;
    std::string_view l = base::sv(raw);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.size() > kMaxSdpLineBytes) {
      return error(base::cat(l.size(), " bytes, more than ", kMaxSdpLineBytes));
    }
    if (base::trim(l).empty()) continue;
    if (!seen_version) {
      // RFC 8866 5.1: "v=0", the first line of every description (section 5 gives the order).
      if (base::trim(l) != "v=0")
        return error(base::cat("want v=0 first, got '", l.substr(0, 40), "'"));
      seen_version = true;
      continue;
    }
    if (auto st = line(l); !st.ok()) return st;
  }
  if (!seen_version) return absl::InvalidArgumentError("SDP is empty");
  finish();
  return std::move(out_);
}

absl::Status Parser::line(std::string_view l) {
  // RFC 8866 5: "<type>=<value>", where <type> is exactly one case-significant character.
  // Anything else is skipped rather than refused (no peer known to need it; robustness, see
  // sdp_parse_rules_test "empty lines, odd lines and a trailing NUL are skipped").
  if (l.size() < 2 || l[1] != '=') return absl::OkStatus();
  const std::string_view value = l.substr(2);
  switch (l[0]) {
    case 'm':
      return media_line(value);
    case 'a':
      return attribute(value);
    case 'c':
      connection(value);
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

absl::Status Parser::media_line(std::string_view value) {
  if (out_.media.size() == kMaxSdpMedia) {
    return error(base::cat("more than ", kMaxSdpMedia, " media descriptions"));
  }
  // RFC 8866 5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
  const std::vector<std::string_view> w = words(value);
  if (w.size() < 4)
    return error(base::cat("want m=<media> <port> <proto> <fmt>, got '", value, "'"));
  SdpMedia m;
  m.media = std::string(w[0]);
  const std::string_view port = w[1].substr(0, w[1].find('/'));
  if (!parse_uint<uint16_t>(port, 65535, &m.port)) return error(base::cat("bad port '", w[1], "'"));
  m.protocol = std::string(w[2]);
  const bool has_pt = parse_uint<uint8_t>(w[3], 127, &m.payload_type);
  out_.media.push_back(std::move(m));
  has_pt_.push_back(has_pt);
  has_connection_.push_back(false);
  return absl::OkStatus();
}

std::optional<std::string_view> Parser::for_current_pt(std::string_view value) const {
  if (out_.media.empty() || !has_pt_.back()) return std::nullopt;
  const size_t space = value.find_first_of(" \t");
  if (space == std::string_view::npos) return std::nullopt;
  uint8_t pt = 0;
  if (!parse_uint<uint8_t>(value.substr(0, space), 127, &pt) ||
      pt != out_.media.back().payload_type)
    return std::nullopt;
  return base::trim(value.substr(space + 1));
}

absl::Status Parser::attribute(std::string_view value) {
  // RFC 8866 5.13: a=<attribute-name>[:<attribute-value>]
  const size_t colon = value.find(':');
  const std::string name = lower(base::trim(value.substr(0, colon)));
  const std::string_view v =
      colon == std::string_view::npos ? "" : base::trim(value.substr(colon + 1));
  SdpMedia* m = out_.media.empty() ? nullptr : &out_.media.back();
  if (name == "control") {
    (m ? m->control : out_.control) = std::string(v);
  } else if (name == "rtpmap") {
    return rtpmap(v);
  } else if (name == "fmtp") {
    fmtp(v);
  } else if (name == "framerate" && m) {
    double fps = 0;
    if (absl::SimpleAtod(base::av(v), &fps) && fps > 0 && fps < 1e6) m->framerate = fps;
  }
  return absl::OkStatus();
}

absl::Status Parser::rtpmap(std::string_view value) {
  // RFC 8866 6.6: a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
  const auto rest = for_current_pt(value);
  if (!rest) return absl::OkStatus();
  SdpMedia& m = out_.media.back();
  std::vector<std::string_view> parts;
  for (absl::string_view p : absl::StrSplit(base::av(*rest), '/'))
    parts.push_back(base::trim(base::sv(p)));
  const auto bad = [&] { return error(base::cat("bad a=rtpmap '", value, "'")); };
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty()) return bad();
  if (!parse_uint<uint32_t>(parts[1], 0xffffffffu, &m.clock_rate) || m.clock_rate == 0)
    return bad();
  m.encoding = std::string(parts[0]);
  m.channels = 0;
  // A trailing '/' without a channel count reads as absent (robustness; sdp_parse_rules_test
  // "fmtp parameter without value, trailing slash in rtpmap").
  if (parts.size() == 3 && !parts[2].empty() && !parse_uint<uint32_t>(parts[2], 255, &m.channels))
    return bad();
  return absl::OkStatus();
}

void Parser::fmtp(std::string_view value) {
  // RFC 8866 6.15: a=fmtp:<format> <format specific parameters>; for RTP payload formats these
  // are "name=value" pairs separated by ';' (RFC 6184 8.1, RFC 3640 4.1). Cameras pad them with
  // spaces and end them with ';' (see sdp_parse_test "hikvision", "vlc").
  const auto rest = for_current_pt(value);
  if (!rest) return;
  for (absl::string_view raw : absl::StrSplit(base::av(*rest), ';')) {
    const std::string_view p = base::trim(base::sv(raw));
    if (p.empty()) continue;
    const size_t eq = p.find('=');
    std::string key = lower(base::trim(p.substr(0, eq)));
    std::string val(eq == std::string_view::npos ? "" : base::trim(p.substr(eq + 1)));
    out_.media.back().fmtp.emplace_back(std::move(key), std::move(val));
  }
}

void Parser::connection(std::string_view value) {
  // RFC 8866 5.7: c=<nettype> <addrtype> <connection-address>, the address optionally followed
  // by /<ttl> and /<number of addresses>.
  const std::vector<std::string_view> w = words(value);
  if (w.size() < 3) return;
  const std::string address(w[2].substr(0, w[2].find('/')));
  if (address.empty()) return;
  if (out_.media.empty()) {
    out_.connection = address;
  } else {
    out_.media.back().connection = address;
    has_connection_.back() = true;
  }
}

void Parser::finish() {
  for (size_t i = 0; i < out_.media.size(); ++i) {
    SdpMedia& m = out_.media[i];
    // RFC 8866 5.7: a session-level c= applies to every media without its own.
    if (!has_connection_[i]) m.connection = out_.connection;
    if (!m.encoding.empty() || !has_pt_[i]) continue;
    // RFC 3551 6: static payload types need no rtpmap.
    for (const StaticType& t : kStaticTypes) {
      if (t.pt != m.payload_type) continue;
      m.encoding = std::string(t.encoding);
      m.clock_rate = t.clock_rate;
    }
  }
}

}  // namespace

std::optional<std::string> SdpMedia::fmtp_value(std::string_view key) const {
  for (const auto& [k, v] : fmtp) {
    if (absl::EqualsIgnoreCase(base::av(k), base::av(key))) return v;
  }
  return std::nullopt;
}

absl::StatusOr<SdpDescription> parse_sdp(std::string_view text) {
  return Parser().run(text);
}

Codec codec_of(const SdpMedia& m) {
  const std::string name = lower(m.encoding);
  if (name == "h264") return Codec::H264;
  if (name == "h265") return Codec::H265;
  if (name == "opus") return Codec::Opus;
  if (name == "pcmu") return Codec::Pcmu;
  if (name == "pcma") return Codec::Pcma;
  if (name == "mpeg4-generic") {
    // RFC 3640 3.3.6: mode=AAC-hbr. Compared case-insensitively, like the encoding name (test
    // CodecOf "MPEG4-GENERIC" with "aac-HBR").
    const auto mode = m.fmtp_value("mode");
    if (mode && absl::EqualsIgnoreCase(base::av(*mode), "AAC-hbr")) return Codec::Aac;
  }
  return Codec::Unknown;
}

absl::StatusOr<std::vector<std::vector<uint8_t>>> decode_sprop(std::string_view value) {
  std::vector<std::vector<uint8_t>> out;
  for (absl::string_view raw : absl::StrSplit(base::av(value), ',')) {
    const std::string_view item = base::trim(base::sv(raw));
    if (item.empty()) continue;
    std::string bytes;
    if (!absl::Base64Unescape(base::av(item), &bytes)) {
      return absl::InvalidArgumentError(
          base::cat("bad base64 NAL unit '", item.substr(0, 40), "'"));
    }
    if (!bytes.empty()) out.emplace_back(bytes.begin(), bytes.end());
  }
  return out;
}

absl::StatusOr<SdpParameterSets> parameter_sets_of(const SdpMedia& m) {
  SdpParameterSets sets;
  const auto decode = [&m](std::string_view key, std::vector<std::vector<uint8_t>>& into) {
    const auto value = m.fmtp_value(key);
    if (!value) return absl::OkStatus();
    auto nals = decode_sprop(*value);
    if (!nals.ok())
      return absl::Status(nals.status().code(), base::cat(key, ": ", nals.status().message()));
    into = *std::move(nals);
    return absl::OkStatus();
  };
  const Codec codec = codec_of(m);
  if (codec == Codec::H264) {
    std::vector<std::vector<uint8_t>> all;
    if (auto st = decode("sprop-parameter-sets", all); !st.ok()) return st;
    for (auto& nal : all) {
      const uint8_t type = h264::nal_type(nal);
      if (type == static_cast<uint8_t>(h264::NalType::Sps)) sets.sps.push_back(std::move(nal));
      if (type == static_cast<uint8_t>(h264::NalType::Pps)) sets.pps.push_back(std::move(nal));
    }
  } else if (codec == Codec::H265) {
    for (auto [key, into] : {std::pair{"sprop-vps", &sets.vps}, std::pair{"sprop-sps", &sets.sps},
                             std::pair{"sprop-pps", &sets.pps}}) {
      if (auto st = decode(key, *into); !st.ok()) return st;
    }
  }
  return sets;
}

}  // namespace media
