// Tests for media/sdp: DESCRIBE answers (RFC 8866) with H.264 fmtp (RFC 6184 section 8).
#include "media/sdp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace media {
namespace {

// Real x264 1280x720 high profile parameter sets (see h264_test).
const std::vector<uint8_t> kSps = {0x67, 0x64, 0x00, 0x1f, 0xac, 0xb2, 0x00, 0xa0,
                                   0x0b, 0x76, 0x02, 0x20, 0x00, 0x00, 0x03, 0x00,
                                   0x20, 0x00, 0x00, 0x07, 0x91, 0xe3, 0x06, 0x49};
const std::vector<uint8_t> kPps = {0x68, 0xeb, 0xc3, 0xcb, 0x22, 0xc0};

// The expected texts are written with LF; every line of an SDP ends in CRLF.
std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

struct Case {
  std::string_view name;
  SdpSession in;
  std::string_view want;
};

TEST(BuildSdp, WritesExactText) {
  const Case kCases[] = {
      {"x264 1280x720 at 30 fps",
       {.session_id = 123456,
        .origin_address = "10.0.0.5",
        .session_name = "cam1",
        .videos = {{.sps = kSps, .pps = kPps, .width = 1280, .height = 720, .fps = 30}}},
       R"(v=0
o=- 123456 1 IN IP4 10.0.0.5
s=cam1
c=IN IP4 0.0.0.0
t=0 0
a=control:*
a=range:npt=now-
m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=64001f;sprop-parameter-sets=Z2QAH6yyAKALdgIgAAADACAAAAeR4wZJ,aOvDyyLA
a=framerate:30
a=control:trackID=0
)"},
      {"ntsc frame rate, other payload type and control",
       {.session_id = 1,
        .session_version = 7,
        .base_control = "rtsp://edge-a/cam1/",
        .videos = {{.payload_type = 97,
                    .sps = kSps,
                    .pps = kPps,
                    .fps = 30000.0 / 1001,
                    .control = "trackID=1"}}},
       R"(v=0
o=- 1 7 IN IP4 127.0.0.1
s=stream
c=IN IP4 0.0.0.0
t=0 0
a=control:rtsp://edge-a/cam1/
a=range:npt=now-
m=video 0 RTP/AVP 97
a=rtpmap:97 H264/90000
a=fmtp:97 packetization-mode=1;profile-level-id=64001f;sprop-parameter-sets=Z2QAH6yyAKALdgIgAAADACAAAAeR4wZJ,aOvDyyLA
a=framerate:29.97
a=control:trackID=1
)"},
      {"parameter sets not known yet, fps unknown",
       {.videos = {{}}},
       R"(v=0
o=- 0 1 IN IP4 127.0.0.1
s=stream
c=IN IP4 0.0.0.0
t=0 0
a=control:*
a=range:npt=now-
m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1
a=control:trackID=0
)"},
      {"no tracks", {}, R"(v=0
o=- 0 1 IN IP4 127.0.0.1
s=stream
c=IN IP4 0.0.0.0
t=0 0
a=control:*
a=range:npt=now-
)"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(build_sdp(c.in), crlf(c.want));
  }
}

}  // namespace
}  // namespace media
