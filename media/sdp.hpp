// SDP for RTSP DESCRIBE answers (RFC 8866): H.264 (RFC 6184 8), H.265 (RFC 7798 7), AAC
// (RFC 3640 4.1), G.711 (RFC 3551 6) and Opus (RFC 7587 7) media descriptions.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

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
  std::vector<SdpVideoH264> videos;  // written first, then `tracks`
  std::vector<SdpTrack> tracks;      // any codec, written in this order
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

}  // namespace media
