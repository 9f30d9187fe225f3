// SDP for RTSP DESCRIBE answers (RFC 8866), with H.264 fmtp per RFC 6184 section 8.
#pragma once

#include <cstdint>
#include <string>
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

struct SdpSession {
  uint64_t session_id = 0;       // o= sess-id
  uint64_t session_version = 1;  // o= sess-version
  std::string origin_address = "127.0.0.1";
  std::string session_name = "stream";
  std::string base_control = "*";
  std::vector<SdpVideoH264> videos;
};

// Builds the session description with CRLF line endings: v=, o=, s=, c=IN IP4 0.0.0.0, t=0 0,
// a=control, a=range:npt=now-, then per track m=video 0 RTP/AVP pt, a=rtpmap:pt H264/90000,
// a=fmtp:pt packetization-mode=1;profile-level-id=..;sprop-parameter-sets=<b64 sps>,<b64 pps>,
// a=framerate (when fps > 0) and a=control.
std::string build_sdp(const SdpSession& session);

}  // namespace media
