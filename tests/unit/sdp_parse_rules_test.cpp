// Tests for media::parse_sdp's rules one at a time: leniency, errors, limits at the boundary,
// codec_of, the sprop helpers, and build_sdp output read back by parse_sdp.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "media/sdp.hpp"
#include "tests/unit/table_test.hpp"

namespace media {
namespace {

using Fmtp = std::vector<std::pair<std::string, std::string>>;
using namespace std::string_view_literals;

struct Case {
  std::string_view name;
  std::string_view in;
  SdpDescription want;
};

const Case kLenient[] = {
    {"empty lines, odd lines and a trailing NUL are skipped",
     "v=0\n\n  \nthis is not sdp\nx\nm=video 0 RTP/AVP 96\r\n\0\n"sv,
     {.media = {{.media = "video", .protocol = "RTP/AVP", .payload_type = 96}}}},
    {"static payload types without rtpmap (RFC 3551 table 4)",
     "v=0\nm=audio 0 RTP/AVP 0\nm=audio 0 RTP/AVP 8\nm=video 0 RTP/AVP 26\n",
     {.media = {{.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 0,
                 .encoding = "PCMU",
                 .clock_rate = 8000},
                {.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 8,
                 .encoding = "PCMA",
                 .clock_rate = 8000},
                {.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 26,
                 .encoding = "JPEG",
                 .clock_rate = 90000}}}},
    {"rtpmap and fmtp of the second format are ignored",
     "v=0\nm=audio 0 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n",
     {.media = {{.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 0,
                 .encoding = "PCMU",
                 .clock_rate = 8000}}}},
    {"fmtp parameter without value, trailing slash in rtpmap",
     "v=0\nm=audio 0 RTP/AVP 101\na=rtpmap:101 telephone-event/8000/\na=fmtp:101 0-15;;\n",
     {.media = {{.media = "audio",
                 .protocol = "RTP/AVP",
                 .payload_type = 101,
                 .encoding = "telephone-event",
                 .clock_rate = 8000,
                 .fmtp = Fmtp{{"0-15", ""}}}}}},
    {"a format that is not an RTP payload type gets no static mapping",
     "v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\nm=audio 0 RTP/AVP 200\n",
     {.media = {{.media = "application", .port = 9, .protocol = "UDP/DTLS/SCTP"},
                {.media = "audio", .protocol = "RTP/AVP"}}}},
    {"multicast: port count, media c= with ttl overrides the session's",
     "v=0\nc=IN IP4 239.0.0.1/8\nm=video 5004/2 RTP/AVP 96\nc=IN IP4 239.1.1.1/16\n"
     "m=audio 5006 RTP/AVP 0\n",
     {.connection = "239.0.0.1",
      .media = {{.media = "video",
                 .port = 5004,
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .connection = "239.1.1.1"},
                {.media = "audio",
                 .port = 5006,
                 .protocol = "RTP/AVP",
                 .payload_type = 0,
                 .encoding = "PCMU",
                 .clock_rate = 8000,
                 .connection = "239.0.0.1"}}}},
    {"unreadable framerate and c= are ignored; attribute names compare case-insensitively",
     "v=0\nc=IN\nm=video 0 RTP/AVP 96\na=framerate:abc\na=CONTROL:trackID=7\na=fmtp:96 A=1\n"
     "a=fmtp:96 b = 2\n",
     {.media = {{.media = "video",
                 .protocol = "RTP/AVP",
                 .payload_type = 96,
                 .fmtp = Fmtp{{"a", "1"}, {"b", "2"}},
                 .control = "trackID=7"}}}},
    {"session-level fmtp, rtpmap and framerate are ignored",
     "v=0\na=rtpmap:96 H264/90000\na=fmtp:96 x=1\na=framerate:25\n",
     {}},
};

TEST(ParseSdp, IsLenientAboutWhatDoesNotMatter) {
  rstest::expect_each_parses(kLenient, [](const auto& c) { return parse_sdp(c.in); });
}

TEST(ParseSdp, RejectsMalformed) {
  const rstest::Rejection kBad[] = {
      {"empty", "", "SDP is empty"},
      {"blank lines only", "\r\n\r\n", "SDP is empty"},
      {"html error page", "<html><body>401</body></html>", "SDP line 1: want v=0 first"},
      {"version 1", "v=1\n", "want v=0"},
      {"m= line without format", "v=0\nm=video 0 RTP/AVP\n", "SDP line 2: want m=<media>"},
      {"port not a number", "v=0\nm=video abc RTP/AVP 96\n", "bad port 'abc'"},
      {"port too large", "v=0\nm=video 65536 RTP/AVP 96\n", "bad port"},
      {"rtpmap without clock rate", "v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264\n",
       "SDP line 3: bad a=rtpmap"},
      {"rtpmap clock rate not a number", "v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/ninety\n",
       "bad a=rtpmap"},
      {"rtpmap clock rate zero", "v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/0\n", "bad a=rtpmap"},
      {"rtpmap channels not a number", "v=0\nm=audio 0 RTP/AVP 97\na=rtpmap:97 opus/48000/two\n",
       "bad a=rtpmap"},
      {"rtpmap with empty name", "v=0\nm=audio 0 RTP/AVP 97\na=rtpmap:97 /48000\n", "bad a=rtpmap"},
  };
  rstest::expect_each_rejected(kBad, [](std::string_view in) { return parse_sdp(in); });
}

TEST(ParseSdp, LimitsAtTheBoundary) {
  std::string media = "v=0\n";
  for (size_t i = 0; i < kMaxSdpMedia; ++i) media += "m=video 0 RTP/AVP 96\n";
  EXPECT_EQ(parse_sdp(media).value().media.size(), kMaxSdpMedia);
  EXPECT_FALSE(parse_sdp(media + "m=video 0 RTP/AVP 96\n").ok());

  const std::string line = "a=x:" + std::string(kMaxSdpLineBytes - 4, 'y');
  EXPECT_TRUE(parse_sdp("v=0\n" + line + "\r\n").ok()) << "the CR does not count";
  EXPECT_FALSE(parse_sdp("v=0\n" + line + "y\n").ok());

  std::string whole = "v=0\n";
  while (whole.size() + 1000 < kMaxSdpBytes) whole += "a=pad:" + std::string(993, 'p') + "\n";
  whole += "a=x:" + std::string(kMaxSdpBytes - whole.size() - 5, 'p') + "\n";
  ASSERT_EQ(whole.size(), kMaxSdpBytes);
  EXPECT_TRUE(parse_sdp(whole).ok());
  EXPECT_FALSE(parse_sdp(whole + "\n").ok());
}

TEST(CodecOf, MapsEncodingNamesCaseInsensitively) {
  struct C {
    std::string_view encoding;
    Fmtp fmtp;
    Codec want;
  };
  const C kCodecs[] = {
      {"H264", {}, Codec::H264},
      {"h264", {}, Codec::H264},
      {"H265", {}, Codec::H265},
      {"mpeg4-generic", {{"mode", "AAC-hbr"}}, Codec::Aac},
      {"MPEG4-GENERIC", {{"mode", "aac-HBR"}}, Codec::Aac},
      {"mpeg4-generic", {{"mode", "AAC-lbr"}}, Codec::Unknown},
      {"mpeg4-generic", {}, Codec::Unknown},
      {"opus", {}, Codec::Opus},
      {"OPUS", {}, Codec::Opus},
      {"PCMU", {}, Codec::Pcmu},
      {"pcma", {}, Codec::Pcma},
      {"MP4A-LATM", {}, Codec::Unknown},
      {"H266", {}, Codec::Unknown},
      {"", {}, Codec::Unknown},
  };
  for (const auto& c : kCodecs) {
    SCOPED_TRACE(c.encoding);
    EXPECT_EQ(codec_of(SdpMedia{.encoding = std::string(c.encoding), .fmtp = c.fmtp}), c.want);
  }
  const SdpMedia aac{.fmtp = {{"sizelength", "13"}}};
  EXPECT_EQ(aac.fmtp_value("SizeLength"), "13");
  EXPECT_EQ(SdpMedia{}.fmtp_value("mode"), std::nullopt);
}

using Nals = std::vector<std::vector<uint8_t>>;

TEST(Sprop, DecodesBase64NalLists) {
  const Nals kDahua = {{0x67, 0x4d, 0x40, 0x28, 0xa6, 0x80, 0x78, 0x02, 0x27, 0xe5, 0x40, 0x00},
                       {0x68, 0xee, 0x3c, 0x80, 0x00}};
  EXPECT_EQ(decode_sprop("Z01AKKaAeAIn5UAA,aO48gAA=").value(), kDahua);
  EXPECT_EQ(decode_sprop(" Z01AKKaAeAIn5UAA , aO48gAA=,").value(), kDahua) << "vlc: trailing ','";
  EXPECT_EQ(decode_sprop("Z01AKKaAeAIn5UAA,aO48gAA").value(), kDahua) << "missing padding";
  EXPECT_EQ(decode_sprop("").value(), Nals{});
  EXPECT_FALSE(decode_sprop("Z01A!!,aO48gAA=").ok());
}

TEST(Sprop, SortsParameterSetsByType) {
  SdpMedia h264{.encoding = "H264",
                .fmtp = {{"sprop-parameter-sets", "J2QAHqxWgKA9pqAgIMBA,KO48sA==,Bg=="}}};
  auto sets = parameter_sets_of(h264);
  ASSERT_TRUE(sets.ok()) << sets.status();
  EXPECT_EQ(sets->sps, (Nals{{0x27, 0x64, 0x00, 0x1e, 0xac, 0x56, 0x80, 0xa0, 0x3d, 0xa6, 0xa0,
                              0x20, 0x20, 0xc0, 0x40}}))
      << "nal_ref_idc 1 (0x27) is an SPS too";
  EXPECT_EQ(sets->pps, (Nals{{0x28, 0xee, 0x3c, 0xb0}}));
  EXPECT_TRUE(sets->vps.empty()) << "the SEI (type 6) is dropped";

  SdpMedia h265{
      .encoding = "H265",
      .fmtp = {{"sprop-vps", "QAEMAf//AWAAAAMAsAAAAwAAAwB4FwJA"}, {"sprop-pps", "RAHAcvBTJA=="}}};
  sets = parameter_sets_of(h265);
  ASSERT_TRUE(sets.ok()) << sets.status();
  EXPECT_EQ(sets->vps.size(), 1u);
  EXPECT_TRUE(sets->sps.empty());
  EXPECT_EQ(sets->pps, (Nals{{0x44, 0x01, 0xc0, 0x72, 0xf0, 0x53, 0x24}}));

  EXPECT_EQ(parameter_sets_of(SdpMedia{.encoding = "PCMU"}).value(), SdpParameterSets{});
  h265.fmtp.emplace_back("sprop-sps", "@@@");
  EXPECT_NE(std::string(parameter_sets_of(h265).status().message()).find("sprop-sps"),
            std::string::npos);
}

// Real x264 and x265 parameter sets (see sdp_test and h265_test).
const std::vector<uint8_t> kSps = {0x67, 0x64, 0x00, 0x1f, 0xac, 0xb2, 0x00, 0xa0,
                                   0x0b, 0x76, 0x02, 0x20, 0x00, 0x00, 0x03, 0x00,
                                   0x20, 0x00, 0x00, 0x07, 0x91, 0xe3, 0x06, 0x49};
const std::vector<uint8_t> kPps = {0x68, 0xeb, 0xc3, 0xcb, 0x22, 0xc0};
const std::vector<uint8_t> kVps265 = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60,
                                      0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03,
                                      0x00, 0x00, 0x03, 0x00, 0x5d, 0x95, 0x98, 0x09};
const std::vector<uint8_t> kPps265 = {0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};

TEST(ParseSdp, ReadsBackBuildSdp) {
  const SdpSession session{
      .session_id = 42,
      .base_control = "rtsp://edge-a/cam1/",
      .tracks = {
          SdpVideoH264{.sps = kSps, .pps = kPps, .fps = 30000.0 / 1001},
          SdpVideoH265{.payload_type = 98,
                       .vps = kVps265,
                       .pps = kPps265,
                       .fps = 25,
                       .control = "trackID=1"},
          SdpAudioAac{
              .sample_rate = 44100, .channels = 1, .config = {0x12, 0x08}, .control = "trackID=2"},
          SdpAudioPcmu{.control = "trackID=3"}, SdpAudioPcma{.control = "trackID=4"},
          SdpAudioOpus{.payload_type = 111, .stereo = true, .control = "trackID=5"}}};
  auto got = parse_sdp(build_sdp(session));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->control, "rtsp://edge-a/cam1/");
  EXPECT_EQ(got->connection, "0.0.0.0");
  ASSERT_EQ(got->media.size(), 6u);
  const std::vector<Codec> codecs = {Codec::H264, Codec::H265, Codec::Aac,
                                     Codec::Pcmu, Codec::Pcma, Codec::Opus};
  const std::vector<uint32_t> rates = {90000, 90000, 44100, 8000, 8000, 48000};
  const std::vector<uint8_t> pts = {96, 98, 97, 0, 8, 111};
  for (size_t i = 0; i < got->media.size(); ++i) {
    SCOPED_TRACE(i);
    const SdpMedia& m = got->media[i];
    EXPECT_EQ(codec_of(m), codecs[i]);
    EXPECT_EQ(m.clock_rate, rates[i]);
    EXPECT_EQ(m.payload_type, pts[i]);
    EXPECT_EQ(m.control, i == 0 ? "trackID=0" : "trackID=" + std::to_string(i));
  }
  EXPECT_NEAR(got->media[0].framerate, 29.97, 1e-9);
  EXPECT_EQ(got->media[1].framerate, 25);
  EXPECT_EQ(got->media[2].channels, 1u);
  EXPECT_EQ(got->media[2].fmtp_value("config"), "1208");
  EXPECT_EQ(got->media[5].channels, 2u);
  EXPECT_EQ(got->media[5].fmtp_value("sprop-stereo"), "1");
  EXPECT_EQ(parameter_sets_of(got->media[0]).value(),
            (SdpParameterSets{.sps = {kSps}, .pps = {kPps}}));
  EXPECT_EQ(parameter_sets_of(got->media[1]).value(),
            (SdpParameterSets{.vps = {kVps265}, .pps = {kPps265}}));
}

}  // namespace
}  // namespace media
