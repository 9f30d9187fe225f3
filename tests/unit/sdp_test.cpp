// Tests for media/sdp: DESCRIBE answers (RFC 8866) with H.264 fmtp (RFC 6184 section 8), H.265
// (RFC 7798 7), AAC (RFC 3640 4.1), G.711 (RFC 3551 6) and Opus (RFC 7587 7).
#include "media/sdp.hpp"
#include "tests/unit/source_files.hpp"
#include "tests/unit/test_bytes.hpp"

#include <gtest/gtest.h>

#include <span>
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
  std::string_view file;  // the exact text expected, in tests/unit/sdp_written/ with LF line ends
};

// build_sdp writes each case's file, with CRLF line ends.
void expect_each_writes(std::span<const Case> cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(build_sdp(c.in),
              crlf(rstest::source_text("tests/unit/sdp_written", std::string(c.file))));
  }
}

TEST(BuildSdp, WritesExactText) {
  const Case kCases[] = {
      {"x264 1280x720 at 30 fps",
       {.session_id = 123456,
        .origin_address = "10.0.0.5",
        .session_name = "cam1",
        .tracks = {SdpVideoH264{
            .sps = kSps, .pps = kPps, .width = 1280, .height = 720, .fps = 30}}},
       "x264_1280x720_at_30_fps.sdp"},
      {"ntsc frame rate, other payload type and control",
       {.session_id = 1,
        .session_version = 7,
        .base_control = "rtsp://edge-a/cam1/",
        .tracks = {SdpVideoH264{.payload_type = 97,
                                .sps = kSps,
                                .pps = kPps,
                                .fps = 30000.0 / 1001,
                                .control = "trackID=1"}}},
       "ntsc_frame_rate_other_payload_type_and_control.sdp"},
      {"parameter sets not known yet, fps unknown",
       {.tracks = {SdpVideoH264{}}},
       "parameter_sets_not_known_yet_fps_unknown.sdp"},
      {"no tracks", {}, "no_tracks.sdp"},
  };
  expect_each_writes(kCases);
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

TEST(BuildSdp, WritesExactTextForEveryTrackType) {
  const Case kCases[] = {
      {"x265 720p30 with ffmpeg aac 48 kHz stereo",
       {.session_id = 42,
        .tracks = {SdpVideoH265{.vps = kVps265, .sps = kSps265, .pps = kPps265, .fps = 30},
                   SdpAudioAac{.sample_rate = 48000, .channels = 2, .config = kAsc48kStereo}}},
       "x265_720p30_with_ffmpeg_aac_48_khz_stereo.sdp"},
      {"h265 parameter sets not known yet, aac 44.1 kHz mono without config",
       {.session_id = 42,
        .tracks = {SdpVideoH265{.payload_type = 98, .control = "trackID=5"},
                   SdpAudioAac{.payload_type = 100, .sample_rate = 44100, .channels = 1}}},
       "h265_parameter_sets_not_known_yet_aac_44_1_khz_mono_without.sdp"},
      {"h265 with sps only, aac 44.1 kHz mono",
       {.session_id = 42,
        .tracks = {SdpVideoH265{.sps = kSps265},
                   SdpAudioAac{.sample_rate = 44100, .channels = 1, .config = kAsc44kMono}}},
       "h265_with_sps_only_aac_44_1_khz_mono.sdp"},
      {"h264 in tracks with pcmu",
       {.session_id = 42,
        .tracks = {SdpVideoH264{.sps = kSps, .pps = kPps, .fps = 25}, SdpAudioPcmu{}}},
       "h264_in_tracks_with_pcmu.sdp"},
      {"h264 with pcma",
       {.session_id = 42,
        .tracks = {SdpVideoH264{.sps = kSps, .pps = kPps}, SdpAudioPcma{.control = "trackID=2"}}},
       "h264_with_pcma.sdp"},
      {"opus mono, then opus stereo on another payload type",
       {.session_id = 42,
        .tracks = {SdpAudioOpus{},
                   SdpAudioOpus{.payload_type = 111, .stereo = true, .control = "trackID=2"}}},
       "opus_mono_then_opus_stereo_on_another_payload_type.sdp"},
  };
  expect_each_writes(kCases);
}

}  // namespace
}  // namespace media
