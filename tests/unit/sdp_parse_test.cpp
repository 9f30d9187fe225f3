// Tests for media::parse_sdp (RFC 8866) with the descriptions real servers and cameras send, the
// codec mapping, the parameter set helper, the limits, and build_sdp round trips.
//
// Sources: "capture" cases are published logs (the issue or page is named); "shape of" cases are
// rebuilt from the server's SDP writer (live555 ServerMediaSubsession, gst-rtsp-server
// rtsp-sdp.c, gortsplib, libavformat sdp.c) with made-up addresses and parameter sets.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "media/sdp.hpp"
#include "tests/unit/test_bytes.hpp"

namespace media {
namespace {

using test_bytes::crlf;

using Fmtp = std::vector<std::pair<std::string, std::string>>;

struct Case {
  std::string_view name;
  std::string_view in;  // LF line ends; every case also runs with CRLF
  SdpDescription want;
  std::vector<Codec> codecs;
};

const Case kCases[] = {
    {"hikvision ds-2cd capture (webrtc-streamer issue 138) with a G.711 track added",
     R"(v=0
o=- 1534930022996637 1534930022996637 IN IP4 192.168.1.4
s=Media Presentation
e=NONE
b=AS:5050
t=0 0
a=control:rtsp://192.168.1.64:554/h264/ch1/main/av_stream/
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
b=AS:5000
a=recvonly
a=x-dimensions:1280,720
a=control:rtsp://192.168.1.64:554/h264/ch1/main/av_stream/trackID=1
a=rtpmap:96 H264/90000
a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z00AH52oFAFum4CAgKAAAAMAIAAABlCA,aO48gA==
a=Media_header:MEDIAINFO=494D4B48010200000400000100000000000000000000000000000000000000000000000000000000;
a=appversion:1.0
m=audio 0 RTP/AVP 8
c=IN IP4 0.0.0.0
b=AS:50
a=recvonly
a=control:rtsp://192.168.1.64:554/h264/ch1/main/av_stream/trackID=2
a=rtpmap:8 PCMA/8000
a=Media_header:MEDIAINFO=494D4B48010200000400000100000000000000000000000000000000000000000000000000000000;
a=appversion:1.0
)",
     {.control = "rtsp://192.168.1.64:554/h264/ch1/main/av_stream/",
      .media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H264",
                 .clock_rate = 90000,
                 .fmtp =
                     Fmtp{{"profile-level-id", "420029"},
                          {"packetization-mode", "1"},
                          {"sprop-parameter-sets", "Z00AH52oFAFum4CAgKAAAAMAIAAABlCA,aO48gA=="}},
                 .control = "rtsp://192.168.1.64:554/h264/ch1/main/av_stream/trackID=1",
                 .connection = "0.0.0.0"},
                {.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 8,
                 .encoding = "PCMA",
                 .clock_rate = 8000,
                 .control = "rtsp://192.168.1.64:554/h264/ch1/main/av_stream/trackID=2",
                 .connection = "0.0.0.0"}}},
     {Codec::H264, Codec::Pcma}},
    {"dahua capture (csdn BeanGuohui 121969076): framerate with decimals, static pcma",
     R"(v=0
o=- 2251938508 2251938508 IN IP4 0.0.0.0
s=Media Server
c=IN IP4 0.0.0.0
t=0 0
a=control:*
a=packetization-supported:DH
a=rtppayload-supported:DH
a=range:npt=now-
m=video 0 RTP/AVP 96
a=control:trackID=0
a=framerate:10.000000
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=4D4028;sprop-parameter-sets=Z01AKKaAeAIn5UAA,aO48gAA=
a=recvonly
m=audio 0 RTP/AVP 8
a=control:trackID=1
a=rtpmap:8 PCMA/8000
a=recvonly
)",
     {.control = "*",
      .connection = "0.0.0.0",
      .media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H264",
                 .clock_rate = 90000,
                 .fmtp = Fmtp{{"packetization-mode", "1"},
                              {"profile-level-id", "4D4028"},
                              {"sprop-parameter-sets", "Z01AKKaAeAIn5UAA,aO48gAA="}},
                 .control = "trackID=0",
                 .framerate = 10,
                 .connection = "0.0.0.0"},
                {.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 8,
                 .encoding = "PCMA",
                 .clock_rate = 8000,
                 .control = "trackID=1",
                 .connection = "0.0.0.0"}}},
     {Codec::H264, Codec::Pcma}},
    {"axis (shape of AXIS OS answers): absolute controls with a query, upper-case MPEG4-GENERIC",
     R"(v=0
o=- 7393543437312785133 1 IN IP4 192.168.0.90
s=Session streamed with GStreamer
i=rtsp-server
t=0 0
a=tool:GStreamer
a=type:broadcast
a=range:npt=now-
a=control:rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
b=AS:50000
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=4d0029;sprop-parameter-sets=Z00AH52oFAFum4CAgKAAAAMAIAAABlCA,aO48gA==
a=ts-refclk:local
a=mediaclk:sender
a=recvonly
a=control:rtsp://192.168.0.90/axis-media/media.amp/stream=0?videocodec=h264
a=framerate:30.000000
m=audio 0 RTP/AVP 97
c=IN IP4 0.0.0.0
b=AS:32
a=rtpmap:97 MPEG4-GENERIC/16000/1
a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=1408;sizelength=13;indexlength=3;indexdeltalength=3
a=recvonly
a=control:rtsp://192.168.0.90/axis-media/media.amp/stream=1?videocodec=h264
)",
     {.control = "rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264",
      .media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H264",
                 .clock_rate = 90000,
                 .fmtp =
                     Fmtp{{"packetization-mode", "1"},
                          {"profile-level-id", "4d0029"},
                          {"sprop-parameter-sets", "Z00AH52oFAFum4CAgKAAAAMAIAAABlCA,aO48gA=="}},
                 .control = "rtsp://192.168.0.90/axis-media/media.amp/stream=0?videocodec=h264",
                 .framerate = 30,
                 .connection = "0.0.0.0"},
                {.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 97,
                 .encoding = "MPEG4-GENERIC",
                 .clock_rate = 16000,
                 .channels = 1,
                 .fmtp = Fmtp{{"streamtype", "5"},
                              {"profile-level-id", "2"},
                              {"mode", "AAC-hbr"},
                              {"config", "1408"},
                              {"sizelength", "13"},
                              {"indexlength", "3"},
                              {"indexdeltalength", "3"}},
                 .control = "rtsp://192.168.0.90/axis-media/media.amp/stream=1?videocodec=h264",
                 .connection = "0.0.0.0"}}},
     {Codec::H264, Codec::Aac}},
    {"live555 (shape of testOnDemandRTSPServer): track1, x-qt attributes",
     R"(v=0
o=- 1629795645777963 1 IN IP4 192.168.1.48
s=H.264 Video, streamed by the LIVE555 Media Server
i=test.264
t=0 0
a=tool:LIVE555 Streaming Media v2020.01.11
a=type:broadcast
a=control:*
a=range:npt=0-
a=x-qt-text-nam:H.264 Video, streamed by the LIVE555 Media Server
a=x-qt-text-inf:test.264
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
b=AS:500
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=640033;sprop-parameter-sets=Z2QAM6zoAoALWQ==,aO48MA==
a=control:track1
)",
     {.control = "*",
      .media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H264",
                 .clock_rate = 90000,
                 .fmtp = Fmtp{{"packetization-mode", "1"},
                              {"profile-level-id", "640033"},
                              {"sprop-parameter-sets", "Z2QAM6zoAoALWQ==,aO48MA=="}},
                 .control = "track1",
                 .connection = "0.0.0.0"}}},
     {Codec::H264}},
    {"gst-rtsp-server (shape of test-launch): stream=0, opus",
     R"(v=0
o=- 1188340656180883 1 IN IP4 127.0.0.1
s=Session streamed with GStreamer
i=rtsp-server
t=0 0
a=tool:GStreamer
a=type:broadcast
a=range:npt=now-
a=control:rtsp://127.0.0.1:8554/test
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
a=rtpmap:96 H265/90000
a=fmtp:96 sprop-vps=QAEMAf//AWAAAAMAsAAAAwAAAwB4FwJA;sprop-pps=RAHAcvBTJA==
a=control:stream=0
a=ts-refclk:local
a=mediaclk:sender
m=audio 0 RTP/AVP 97
c=IN IP4 0.0.0.0
a=rtpmap:97 OPUS/48000/2
a=fmtp:97 sprop-stereo=0
a=control:stream=1
)",
     {.control = "rtsp://127.0.0.1:8554/test",
      .media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H265",
                 .clock_rate = 90000,
                 .fmtp = Fmtp{{"sprop-vps", "QAEMAf//AWAAAAMAsAAAAwAAAwB4FwJA"},
                              {"sprop-pps", "RAHAcvBTJA=="}},
                 .control = "stream=0",
                 .connection = "0.0.0.0"},
                {.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 97,
                 .encoding = "OPUS",
                 .clock_rate = 48000,
                 .channels = 2,
                 .fmtp = Fmtp{{"sprop-stereo", "0"}},
                 .control = "stream=1",
                 .connection = "0.0.0.0"}}},
     {Codec::H265, Codec::Opus}},
    {"mediamtx (shape of gortsplib): trackID=0, fmtp with spaces, no session control",
     R"(v=0
o=- 0 0 IN IP4 127.0.0.1
s=Stream
c=IN IP4 0.0.0.0
t=0 0
m=video 0 RTP/AVP 96
a=control:trackID=0
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z2QAM6zoAoALWQ==,aO48MA==; profile-level-id=640033
m=audio 0 RTP/AVP 97
a=control:trackID=1
a=rtpmap:97 mpeg4-generic/48000/2
a=fmtp:97 config=1190; indexdeltalength=3; indexlength=3; mode=AAC-hbr; profile-level-id=1; sizelength=13; streamtype=5
)",
     {.connection = "0.0.0.0",
      .media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H264",
                 .clock_rate = 90000,
                 .fmtp = Fmtp{{"packetization-mode", "1"},
                              {"sprop-parameter-sets", "Z2QAM6zoAoALWQ==,aO48MA=="},
                              {"profile-level-id", "640033"}},
                 .control = "trackID=0",
                 .connection = "0.0.0.0"},
                {.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 97,
                 .encoding = "mpeg4-generic",
                 .clock_rate = 48000,
                 .channels = 2,
                 .fmtp = Fmtp{{"config", "1190"},
                              {"indexdeltalength", "3"},
                              {"indexlength", "3"},
                              {"mode", "AAC-hbr"},
                              {"profile-level-id", "1"},
                              {"sizelength", "13"},
                              {"streamtype", "5"}},
                 .control = "trackID=1",
                 .connection = "0.0.0.0"}}},
     {Codec::H264, Codec::Aac}},
    {"ffmpeg-style publisher capture (gortsplib sdp_test 'issue mediamtx/75'): camelCase keys",
     R"(v=0
o=- 0 0 IN IP4 127.0.0.1
s=No Name
c=IN IP4 0.0.0.0
t=0 0
a=control:*
m=video 0 RTP/AVP 96
b=AS:253
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1; sprop-parameter-sets=J2QAHqxWgKA9pqAgIMBA,KO48sA==; profile-level-id=64001E
a=control:streamid=0
m=audio 0 RTP/AVP 97
b=AS:189
a=rtpmap:97 MPEG4-GENERIC/48000/1
a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexLength=3;indexDeltaLength=3;config=118856E500
a=control:streamid=1
)",
     {.control = "*",
      .connection = "0.0.0.0",
      .media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H264",
                 .clock_rate = 90000,
                 .fmtp = Fmtp{{"packetization-mode", "1"},
                              {"sprop-parameter-sets", "J2QAHqxWgKA9pqAgIMBA,KO48sA=="},
                              {"profile-level-id", "64001E"}},
                 .control = "streamid=0",
                 .connection = "0.0.0.0"},
                {.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 97,
                 .encoding = "MPEG4-GENERIC",
                 .clock_rate = 48000,
                 .channels = 1,
                 .fmtp = Fmtp{{"profile-level-id", "1"},
                              {"mode", "AAC-hbr"},
                              {"sizelength", "13"},
                              {"indexlength", "3"},
                              {"indexdeltalength", "3"},
                              {"config", "118856E500"}},
                 .control = "streamid=1",
                 .connection = "0.0.0.0"}}},
     {Codec::H264, Codec::Aac}},
    {"vlc capture (gortsplib sdp_test 'issue mediamtx/115'): one pt for two media, trailing ';', "
     "no controls",
     R"(v=0
o=- 16379793953309178445 16379793953309178445 IN IP4 5c2b68da
s=Unnamed
i=N/A
c=IN IP4 0.0.0.0
t=0 0
a=tool:vlc 3.0.11
a=recvonly
m=audio 0 RTP/AVP 96
b=RR:0
a=rtpmap:96 mpeg4-generic/22050
a=fmtp:96 streamtype=5; profile-level-id=15; mode=AAC-hbr; config=1388; SizeLength=13; IndexLength=3; IndexDeltaLength=3; Profile=1;
m=video 0 RTP/AVP 96
b=RR:0
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=640028;sprop-parameter-sets=J2QAKKwrQCgDzQDxImo=,KO4CXLA=;
)",
     {.connection = "0.0.0.0",
      .media = {{.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "mpeg4-generic",
                 .clock_rate = 22050,
                 .fmtp = Fmtp{{"streamtype", "5"},
                              {"profile-level-id", "15"},
                              {"mode", "AAC-hbr"},
                              {"config", "1388"},
                              {"sizelength", "13"},
                              {"indexlength", "3"},
                              {"indexdeltalength", "3"},
                              {"profile", "1"}},
                 .connection = "0.0.0.0"},
                {.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H264",
                 .clock_rate = 90000,
                 .fmtp = Fmtp{{"packetization-mode", "1"},
                              {"profile-level-id", "640028"},
                              {"sprop-parameter-sets", "J2QAKKwrQCgDzQDxImo=,KO4CXLA="}},
                 .connection = "0.0.0.0"}}},
     {Codec::Aac, Codec::H264}},
    {"iptv multicast capture (gortsplib sdp_test 'issue mediamtx/120'): MP2T static pt, session c=",
     R"(v=0
o=- 1702415089 4281335390 IN IP4 127.0.0.1
s=live
t=0 0
c=IN IP4 239.3.1.142
a=range:clock=0-
m=video 8048 MP2T/AVP 33
b=AS:7655
)",
     {.connection = "239.3.1.142",
      .media = {{.media = "video",
                 .port = 8048,
                 .protocol = "MP2T/AVP",
                 .payload_type = 33,
                 .encoding = "MP2T",
                 .clock_rate = 90000,
                 .connection = "239.3.1.142"}}},
     {Codec::Unknown}},
    {"onvif camera capture (gortsplib sdp_test 'unordered global attributes'): metadata track",
     R"(v=0
o=- 1646532490 1646532490 IN IP4 10.175.31.17
a=control:*
a=source-filter: incl IN IP4 * 10.175.31.17
s=RTSP Server
a=range:npt=0-
t=0 0
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
a=rtpmap:96 H264/90000
a=fmtp:96 profile-level-id=4D001E; packetization-mode=1; sprop-parameter-sets=Z00AHpWoKAv+VA==,aO48gA==
a=control:?ctype=video
a=recvonly
m=application 0 RTP/AVP 106
a=rtpmap:106 vnd.onvif.metadata/90000
a=control:?ctype=app106
a=sendonly
)",
     {.control = "*",
      .media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .encoding = "H264",
                 .clock_rate = 90000,
                 .fmtp = Fmtp{{"profile-level-id", "4D001E"},
                              {"packetization-mode", "1"},
                              {"sprop-parameter-sets", "Z00AHpWoKAv+VA==,aO48gA=="}},
                 .control = "?ctype=video",
                 .connection = "0.0.0.0"},
                {.media = "application",
                 .protocol = "RTP/AVP",
                 .payload_type = 106,
                 .encoding = "vnd.onvif.metadata",
                 .clock_rate = 90000,
                 .control = "?ctype=app106"}}},
     {Codec::H264, Codec::Unknown}},
};

TEST(ParseSdp, ParsesRealWorldDescriptions) {
  for (const auto& c : kCases) {
    for (const std::string& text : {std::string(c.in), crlf(c.in)}) {
      SCOPED_TRACE(std::string(c.name) + (text.size() == c.in.size() ? " (LF)" : " (CRLF)"));
      auto got = parse_sdp(text);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(*got, c.want);
      ASSERT_EQ(got->media.size(), c.codecs.size());
      for (size_t i = 0; i < c.codecs.size(); ++i) EXPECT_EQ(codec_of(got->media[i]), c.codecs[i]);
    }
  }
}

}  // namespace
}  // namespace media
