// SDP for RTSP DESCRIBE (RFC 8866): building answers with H.264 (RFC 6184 8), H.265 (RFC 7798 7),
// AAC (RFC 3640 4.1), G.711 (RFC 3551 6) and Opus (RFC 7587 7) media descriptions, and parsing
// the descriptions servers and cameras send (RTSP clients, RFC 2326 appendix C).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "media/frame.hpp"

namespace media {

struct SdpVideoH264 {
  uint8_t payload_type = 96;
  std::vector<uint8_t> sps;  // NAL unit, header byte included, no start code
  std::vector<uint8_t> pps;
  uint32_t width = 0;
  uint32_t height = 0;
  double fps = 0;
  std::string control = "trackID=0";
};

struct SdpVideoH265 {
  uint8_t payload_type = 96;
  std::vector<uint8_t> vps;  // NAL units, 2-byte header included, no start code
  std::vector<uint8_t> sps;
  std::vector<uint8_t> pps;
  double fps = 0;
  std::string control = "trackID=0";
};

// AAC in RFC 3640 mpeg4-generic AAC-hbr mode (see RtpAacPacketizer).
struct SdpAudioAac {
  uint8_t payload_type = 97;
  uint32_t sample_rate = 48000;  // the RTP clock rate; aac::AudioSpecificConfig::sample_rate
  uint32_t channels = 2;         // aac::AudioSpecificConfig::channels()
  std::vector<uint8_t> config;   // AudioSpecificConfig bytes, written as hex in config=
  std::string control = "trackID=1";
};

// G.711 mu-law, static payload type 0, 8000 Hz mono (RFC 3551 6, table 4).
struct SdpAudioPcmu {
  std::string control = "trackID=1";
};

// G.711 A-law, static payload type 8, 8000 Hz mono (RFC 3551 6, table 4).
struct SdpAudioPcma {
  std::string control = "trackID=1";
};

struct SdpAudioOpus {
  uint8_t payload_type = 97;
  bool stereo = false;  // sprop-stereo
  std::string control = "trackID=1";
};

using SdpTrack =
    std::variant<SdpVideoH264, SdpVideoH265, SdpAudioAac, SdpAudioPcmu, SdpAudioPcma, SdpAudioOpus>;

struct SdpSession {
  uint64_t session_id = 0;       // o= sess-id
  uint64_t session_version = 1;  // o= sess-version
  std::string origin_address = "127.0.0.1";
  std::string session_name = "stream";
  std::string base_control = "*";
  std::vector<SdpTrack> tracks;  // any codec, written in this order
};

// Builds the session description with CRLF line endings: v=, o=, s=, c=IN IP4 0.0.0.0, t=0 0,
// a=control, a=range:npt=now-, then per track m=video 0 RTP/AVP pt, a=rtpmap:pt H264/90000,
// a=fmtp:pt packetization-mode=1;profile-level-id=..;sprop-parameter-sets=<b64 sps>,<b64 pps>,
// a=framerate (when fps > 0) and a=control. Then each of `tracks` in order:
//   H.265: m=video 0 RTP/AVP pt, a=rtpmap:pt H265/90000, a=fmtp:pt sprop-vps=..;sprop-sps=..;
//          sprop-pps=.. (base64 of the parameter sets present; no fmtp when none is known),
//          a=framerate (when fps > 0);
//   AAC:   m=audio 0 RTP/AVP pt, a=rtpmap:pt mpeg4-generic/rate/channels, a=fmtp:pt streamtype=5;
//          profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3
//          [;config=<lowercase hex>];
//   PCMU/PCMA: m=audio 0 RTP/AVP 0|8, a=rtpmap:0 PCMU/8000 | a=rtpmap:8 PCMA/8000;
//   Opus:  m=audio 0 RTP/AVP pt, a=rtpmap:pt opus/48000/2, a=fmtp:pt sprop-stereo=0|1;
// each followed by a=control.
std::string build_sdp(const SdpSession& session);

// Limits of parse_sdp, tested at the boundary in sdp_parse_test.
// Whole description; equals rtsp::kMaxBodyBytes, the largest DESCRIBE body we read.
inline constexpr size_t kMaxSdpBytes = 64 * 1024;
// One line without its line end (an H.265 fmtp with VPS, SPS and PPS stays far below).
inline constexpr size_t kMaxSdpLineBytes = 8 * 1024;
// m= sections.
inline constexpr size_t kMaxSdpMedia = 16;

// One m= section as an RTSP client needs it.
struct SdpMedia {
  std::string media;     // "video", "audio", "application", as written
  uint16_t port = 0;     // 0 in RTSP (SETUP chooses); the multicast port otherwise
  std::string protocol;  // "RTP/AVP", "RTP/AVP/TCP", ...
  // First format of the m= line. Formats that are not RTP payload types (0..127) leave it 0 and
  // get no static mapping.
  uint8_t payload_type = 0;
  // From a=rtpmap for payload_type, as written ("H264", "mpeg4-generic", "opus"). Without
  // rtpmap, static payload types map per RFC 3551 tables 4 and 5 (0 "PCMU", 8 "PCMA", ...).
  std::string encoding;
  uint32_t clock_rate = 0;  // rtpmap clock rate (static types: their table rate)
  uint32_t channels = 0;    // rtpmap encoding parameters; 0 when absent (RFC 8866 6.6: one)
  // a=fmtp parameters for payload_type: keys lowercased, values as written, in order.
  std::vector<std::pair<std::string, std::string>> fmtp;
  std::string control;     // a=control: relative or absolute URL, "" when absent
  double framerate = 0;    // a=framerate, 0 when absent or unreadable
  std::string connection;  // c= address of this media, else the session's; "" when absent

  // Value of fmtp parameter `key` (case-insensitive), if present.
  std::optional<std::string> fmtp_value(std::string_view key) const;
  friend bool operator==(const SdpMedia&, const SdpMedia&) = default;
};

struct SdpDescription {
  std::string control;     // session-level a=control ("" when absent)
  std::string connection;  // session-level c= address ("" when absent)
  std::vector<SdpMedia> media;
  friend bool operator==(const SdpDescription&, const SdpDescription&) = default;
};

// Parses a session description with CRLF or bare LF line ends. Lenient: unknown line types and
// attributes, lines that are not "<type>=", empty lines and fields out of order are ignored;
// rtpmap and fmtp lines of other payload types are ignored; an unreadable c= or a=framerate is
// ignored. Errors: no "v=0" first line, a malformed m= line or rtpmap of the media's payload
// type, and the limits above. Errors name the line number ("SDP line 7: ...").
absl::StatusOr<SdpDescription> parse_sdp(std::string_view text);

// The codec of a media description, comparing encoding names case-insensitively: H264, H265,
// AAC (mpeg4-generic with fmtp mode=AAC-hbr, RFC 3640 3.3.6), opus, PCMU, PCMA; else Unknown.
Codec codec_of(const SdpMedia& m);

// Parameter set NAL units (header included, no start code) announced in the fmtp line.
struct SdpParameterSets {
  std::vector<std::vector<uint8_t>> vps;  // H.265 only
  std::vector<std::vector<uint8_t>> sps;
  std::vector<std::vector<uint8_t>> pps;
  friend bool operator==(const SdpParameterSets&, const SdpParameterSets&) = default;
};

// Decodes a comma-separated list of base64 NAL units (RFC 6184 8.1 sprop-parameter-sets, RFC
// 7798 7.1 sprop-vps/sps/pps). Empty entries are skipped; invalid base64 is an error.
absl::StatusOr<std::vector<std::vector<uint8_t>>> decode_sprop(std::string_view value);

// H.264: sprop-parameter-sets sorted by NAL type (7 SPS, 8 PPS; other types are dropped).
// H.265: sprop-vps, sprop-sps and sprop-pps. Other codecs, or no such parameter: empty sets.
absl::StatusOr<SdpParameterSets> parameter_sets_of(const SdpMedia& m);

}  // namespace media
