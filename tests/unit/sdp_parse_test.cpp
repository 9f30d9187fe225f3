// Tests for media::parse_sdp (RFC 8866) with the descriptions real servers and cameras send
// (tests/unit/captures/*.sdp) and the codec each media maps to.
//
// Sources: "capture" cases are published logs (the issue or page is named); "shape of" cases are
// rebuilt from the server's SDP writer (live555 ServerMediaSubsession, gst-rtsp-server
// rtsp-sdp.c, gortsplib, libavformat sdp.c) with made-up addresses and parameter sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "media/sdp.hpp"
#include "tests/unit/source_files.hpp"
#include "tests/unit/test_bytes.hpp"

namespace media {
namespace {

using test_bytes::crlf;

// The text of tests/unit/captures/<file> (see source_text).
std::string capture(std::string_view file) {
  return rstest::source_text("tests/unit/captures", std::string(file));
}

// `text` cut at every `separator`.
std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (size_t pos = 0; pos <= text.size();) {
    const size_t end = std::min(text.find(separator, pos), text.size());
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// One expected media description, with what most DESCRIBE answers have as defaults: H.264 video
// on payload type 96, port 0, RTP/AVP, c=IN IP4 0.0.0.0. `m` is "<media> <payload type>
// <encoding>/<clock rate>[/<channels>]": the m= line's media and first format, and that format's
// rtpmap (or its static mapping); `fmtp` is "key=value;..." as parse_sdp gives the parameters
// back (keys lowercased, values as written, in order).
struct Want {
  std::string_view m = "video 96 H264/90000";
  uint16_t port = 0;
  std::string protocol = "RTP/AVP";
  std::string_view fmtp;
  std::string control;
  double framerate = 0;
  std::string connection = "0.0.0.0";
};

SdpMedia media(const Want& w) {
  const std::vector<std::string_view> words = split(w.m, ' ');
  const std::vector<std::string_view> rtpmap = split(words.at(2), '/');
  const auto number = [](std::string_view digits) {
    return static_cast<uint32_t>(std::stoul(std::string(digits)));
  };
  SdpMedia m{.media = std::string(words.at(0)),
             .port = w.port,
             .protocol = w.protocol,
             .payload_type = static_cast<uint8_t>(number(words.at(1))),
             .encoding = std::string(rtpmap.at(0)),
             .clock_rate = number(rtpmap.at(1)),
             .channels = rtpmap.size() > 2 ? number(rtpmap[2]) : 0,
             .control = w.control,
             .framerate = w.framerate,
             .connection = w.connection};
  if (w.fmtp.empty()) return m;
  for (std::string_view parameter : split(w.fmtp, ';')) {
    const size_t eq = parameter.find('=');
    m.fmtp.emplace_back(parameter.substr(0, eq), parameter.substr(eq + 1));
  }
  return m;
}

struct Case {
  std::string_view file;  // in tests/unit/captures/, LF line ends; every case also runs with CRLF
  std::string_view name;
  SdpDescription want;
  std::vector<Codec> codecs;
};

const Case kCases[] = {
    {"hikvision_ds2cd.sdp",
     "hikvision ds-2cd capture (webrtc-streamer issue 138) with a G.711 track added",
     {.control = "rtsp://192.168.1.64:554/h264/ch1/main/av_stream/",
      .media = {media({.fmtp = "profile-level-id=420029;packetization-mode=1;sprop-parameter-sets="
                               "Z00AH52oFAFum4CAgKAAAAMAIAAABlCA,aO48gA==",
                       .control = "rtsp://192.168.1.64:554/h264/ch1/main/av_stream/trackID=1"}),
                media({.m = "audio 8 PCMA/8000",
                       .control = "rtsp://192.168.1.64:554/h264/ch1/main/av_stream/trackID=2"})}},
     {Codec::H264, Codec::Pcma}},
    {"dahua.sdp",
     "dahua capture (csdn BeanGuohui 121969076): framerate with decimals, static pcma",
     {.control = "*",
      .connection = "0.0.0.0",
      .media = {media({.fmtp = "packetization-mode=1;profile-level-id=4D4028;sprop-parameter-sets="
                               "Z01AKKaAeAIn5UAA,aO48gAA=",
                       .control = "trackID=0",
                       .framerate = 10}),
                media({.m = "audio 8 PCMA/8000", .control = "trackID=1"})}},
     {Codec::H264, Codec::Pcma}},
    {"axis.sdp",
     "axis (shape of AXIS OS answers): absolute controls with a query, upper-case MPEG4-GENERIC",
     {.control = "rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264",
      .media = {media(
                    {.fmtp = "packetization-mode=1;profile-level-id=4d0029;sprop-parameter-sets="
                             "Z00AH52oFAFum4CAgKAAAAMAIAAABlCA,aO48gA==",
                     .control = "rtsp://192.168.0.90/axis-media/media.amp/stream=0?videocodec=h264",
                     .framerate = 30}),
                media({.m = "audio 97 MPEG4-GENERIC/16000/1",
                       .fmtp = "streamtype=5;profile-level-id=2;mode=AAC-hbr;config=1408;"
                               "sizelength=13;indexlength=3;indexdeltalength=3",
                       .control =
                           "rtsp://192.168.0.90/axis-media/media.amp/stream=1?videocodec=h264"})}},
     {Codec::H264, Codec::Aac}},
    {"live555.sdp",
     "live555 (shape of testOnDemandRTSPServer): track1, x-qt attributes",
     {.control = "*",
      .media = {media({.fmtp = "packetization-mode=1;profile-level-id=640033;sprop-parameter-sets="
                               "Z2QAM6zoAoALWQ==,aO48MA==",
                       .control = "track1"})}},
     {Codec::H264}},
    {"gst_rtsp_server.sdp",
     "gst-rtsp-server (shape of test-launch): stream=0, opus",
     {.control = "rtsp://127.0.0.1:8554/test",
      .media =
          {media({.m = "video 96 H265/90000",
                  .fmtp = "sprop-vps=QAEMAf//AWAAAAMAsAAAAwAAAwB4FwJA;sprop-pps=RAHAcvBTJA==",
                  .control = "stream=0"}),
           media({.m = "audio 97 OPUS/48000/2", .fmtp = "sprop-stereo=0", .control = "stream=1"})}},
     {Codec::H265, Codec::Opus}},
    {"mediamtx.sdp",
     "mediamtx (shape of gortsplib): trackID=0, fmtp with spaces, no session control",
     {.connection = "0.0.0.0",
      .media = {media({.fmtp =
                           "packetization-mode=1;sprop-parameter-sets=Z2QAM6zoAoALWQ==,aO48MA==;"
                           "profile-level-id=640033",
                       .control = "trackID=0"}),
                media({.m = "audio 97 mpeg4-generic/48000/2",
                       .fmtp = "config=1190;indexdeltalength=3;indexlength=3;mode=AAC-hbr;"
                               "profile-level-id=1;sizelength=13;streamtype=5",
                       .control = "trackID=1"})}},
     {Codec::H264, Codec::Aac}},
    {"ffmpeg_publisher.sdp",
     "ffmpeg-style publisher capture (gortsplib sdp_test 'issue mediamtx/75'): camelCase keys",
     {.control = "*",
      .connection = "0.0.0.0",
      .media = {media({.fmtp = "packetization-mode=1;sprop-parameter-sets=J2QAHqxWgKA9pqAgIMBA,"
                               "KO48sA==;profile-level-id=64001E",
                       .control = "streamid=0"}),
                media({.m = "audio 97 MPEG4-GENERIC/48000/1",
                       .fmtp = "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;"
                               "indexdeltalength=3;config=118856E500",
                       .control = "streamid=1"})}},
     {Codec::H264, Codec::Aac}},
    {"vlc.sdp",
     "vlc capture (gortsplib sdp_test 'issue mediamtx/115'): one pt for two media, trailing ';', "
     "no controls",
     {.connection = "0.0.0.0",
      .media = {media({.m = "audio 96 mpeg4-generic/22050",
                       .fmtp = "streamtype=5;profile-level-id=15;mode=AAC-hbr;config=1388;"
                               "sizelength=13;indexlength=3;indexdeltalength=3;profile=1"}),
                media({.fmtp = "packetization-mode=1;profile-level-id=640028;sprop-parameter-sets="
                               "J2QAKKwrQCgDzQDxImo=,KO4CXLA="})}},
     {Codec::Aac, Codec::H264}},
    {"iptv_multicast.sdp",
     "iptv multicast capture (gortsplib sdp_test 'issue mediamtx/120'): MP2T static pt, session c=",
     {.connection = "239.3.1.142",
      .media = {media({.m = "video 33 MP2T/90000",
                       .port = 8048,
                       .protocol = "MP2T/AVP",
                       .connection = "239.3.1.142"})}},
     {Codec::Unknown}},
    {"onvif_metadata.sdp",
     "onvif camera capture (gortsplib sdp_test 'unordered global attributes'): metadata track",
     {.control = "*",
      .media = {media({.fmtp = "profile-level-id=4D001E;packetization-mode=1;sprop-parameter-sets="
                               "Z00AHpWoKAv+VA==,aO48gA==",
                       .control = "?ctype=video"}),
                media({.m = "application 106 vnd.onvif.metadata/90000",
                       .control = "?ctype=app106",
                       .connection = ""})}},
     {Codec::H264, Codec::Unknown}},
};

TEST(ParseSdp, ParsesRealWorldDescriptions) {
  for (const auto& c : kCases) {
    const std::string lf = capture(c.file);
    for (const std::string& text : {lf, crlf(lf)}) {
      SCOPED_TRACE(std::string(c.file) + ": " + std::string(c.name) +
                   (text.size() == lf.size() ? " (LF)" : " (CRLF)"));
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
