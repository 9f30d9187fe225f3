// Tests for media/sdp: DESCRIBE answers (RFC 8866) with H.264 fmtp (RFC 6184 section 8), H.265
// (RFC 7798 7), AAC (RFC 3640 4.1), G.711 (RFC 3551 6) and Opus (RFC 7587 7).
#include "media/sdp.hpp"
#include "tests/unit/test_bytes.hpp"

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

using test_bytes::crlf;

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
        .tracks = {SdpVideoH264{
            .sps = kSps, .pps = kPps, .width = 1280, .height = 720, .fps = 30}}},
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
        .tracks = {SdpVideoH264{.payload_type = 97,
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
       {.tracks = {SdpVideoH264{}}},
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

// Real libx265 1280x720 main profile parameter sets (see h265_test).
const std::vector<uint8_t> kVps265 = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60,
                                      0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03,
                                      0x00, 0x00, 0x03, 0x00, 0x5d, 0x95, 0x98, 0x09};
const std::vector<uint8_t> kSps265 = {
    0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00,
    0x03, 0x00, 0x5d, 0xa0, 0x02, 0x80, 0x80, 0x2d, 0x16, 0x59, 0x59, 0xa4, 0x93, 0x2b, 0xc0,
    0x5a, 0x02, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x3c, 0x10};
const std::vector<uint8_t> kPps265 = {0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};
// ffmpeg's aac encoder extradata, 48000 Hz stereo and 44100 Hz mono.
const std::vector<uint8_t> kAsc48kStereo = {0x11, 0x90, 0x56, 0xe5, 0x00};
const std::vector<uint8_t> kAsc44kMono = {0x12, 0x08, 0x56, 0xe5, 0x00};

constexpr std::string_view kSessionHeader = R"(v=0
o=- 42 1 IN IP4 127.0.0.1
s=stream
c=IN IP4 0.0.0.0
t=0 0
a=control:*
a=range:npt=now-
)";

TEST(BuildSdp, WritesExactTextForEveryTrackType) {
  const Case kCases[] = {
      {"x265 720p30 with ffmpeg aac 48 kHz stereo",
       {.session_id = 42,
        .tracks = {SdpVideoH265{.vps = kVps265, .sps = kSps265, .pps = kPps265, .fps = 30},
                   SdpAudioAac{.sample_rate = 48000, .channels = 2, .config = kAsc48kStereo}}},
       R"(m=video 0 RTP/AVP 96
a=rtpmap:96 H265/90000
a=fmtp:96 sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwBdlZgJ;sprop-sps=QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WWVmkkyvAWgIAAAMAAgAAAwA8EA==;sprop-pps=RAHBcrRiQA==
a=framerate:30
a=control:trackID=0
m=audio 0 RTP/AVP 97
a=rtpmap:97 mpeg4-generic/48000/2
a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=119056e500
a=control:trackID=1
)"},
      {"h265 parameter sets not known yet, aac 44.1 kHz mono without config",
       {.session_id = 42,
        .tracks = {SdpVideoH265{.payload_type = 98, .control = "trackID=5"},
                   SdpAudioAac{.payload_type = 100, .sample_rate = 44100, .channels = 1}}},
       R"(m=video 0 RTP/AVP 98
a=rtpmap:98 H265/90000
a=control:trackID=5
m=audio 0 RTP/AVP 100
a=rtpmap:100 mpeg4-generic/44100/1
a=fmtp:100 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3
a=control:trackID=1
)"},
      {"h265 with sps only, aac 44.1 kHz mono",
       {.session_id = 42,
        .tracks = {SdpVideoH265{.sps = kSps265},
                   SdpAudioAac{.sample_rate = 44100, .channels = 1, .config = kAsc44kMono}}},
       R"(m=video 0 RTP/AVP 96
a=rtpmap:96 H265/90000
a=fmtp:96 sprop-sps=QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WWVmkkyvAWgIAAAMAAgAAAwA8EA==
a=control:trackID=0
m=audio 0 RTP/AVP 97
a=rtpmap:97 mpeg4-generic/44100/1
a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=120856e500
a=control:trackID=1
)"},
      {"h264 in tracks with pcmu",
       {.session_id = 42,
        .tracks = {SdpVideoH264{.sps = kSps, .pps = kPps, .fps = 25}, SdpAudioPcmu{}}},
       R"(m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=64001f;sprop-parameter-sets=Z2QAH6yyAKALdgIgAAADACAAAAeR4wZJ,aOvDyyLA
a=framerate:25
a=control:trackID=0
m=audio 0 RTP/AVP 0
a=rtpmap:0 PCMU/8000
a=control:trackID=1
)"},
      {"h264 with pcma",
       {.session_id = 42,
        .tracks = {SdpVideoH264{.sps = kSps, .pps = kPps}, SdpAudioPcma{.control = "trackID=2"}}},
       R"(m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=64001f;sprop-parameter-sets=Z2QAH6yyAKALdgIgAAADACAAAAeR4wZJ,aOvDyyLA
a=control:trackID=0
m=audio 0 RTP/AVP 8
a=rtpmap:8 PCMA/8000
a=control:trackID=2
)"},
      {"opus mono, then opus stereo on another payload type",
       {.session_id = 42,
        .tracks = {SdpAudioOpus{},
                   SdpAudioOpus{.payload_type = 111, .stereo = true, .control = "trackID=2"}}},
       R"(m=audio 0 RTP/AVP 97
a=rtpmap:97 opus/48000/2
a=fmtp:97 sprop-stereo=0
a=control:trackID=1
m=audio 0 RTP/AVP 111
a=rtpmap:111 opus/48000/2
a=fmtp:111 sprop-stereo=1
a=control:trackID=2
)"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(build_sdp(c.in), crlf(std::string(kSessionHeader) + std::string(c.want)));
  }
}

}  // namespace
}  // namespace media
