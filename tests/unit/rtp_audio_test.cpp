// Tests for media/rtp_audio: AAC-hbr (RFC 3640) with a case table shared by packetizer and
// depacketizer, depacketizer-only loss/malformed cases, G.711 (RFC 3551), Opus (RFC 7587) and
// AudioSpecificConfig parsing on ffmpeg's encoder output.
#include "media/rtp_audio.hpp"

#include <gtest/gtest.h>

#include "rtp_test_util.hpp"
#include "test_bytes.hpp"

#include <string_view>
#include <vector>

namespace media {
namespace {

using rtp_test::expect_depacketized;
using rtp_test::expect_packets;
using rtp_test::feed_all;
using rtp_test::slice;
using rtp_test::WantPacket;
using test_bytes::Bytes;
using test_bytes::cat;
using test_bytes::hex;

// The audio track's interleaved channel as the edge numbers them (video 0-1, audio RTP 2).
constexpr uint8_t kAudioChannel = 2;

// `size` bytes 01 02 ... ff 01 ...
Bytes data(size_t size) {
  Bytes out;
  for (size_t i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(i % 255 + 1));
  return out;
}

// ---- AAC ----

struct AacCase {
  std::string_view name;
  size_t max_packet_size;  // 64 leaves 52 payload bytes: 4 header-section bytes + 48 data
  Bytes au;
  std::vector<WantPacket> want;
};

std::vector<AacCase> aac_cases() {
  const Bytes au10 = data(10), au48 = data(48), au49 = data(49), au371 = data(371);
  const Bytes au8191 = data(aac::kMaxAccessUnitBytes);
  return {
      {"small au in one packet", 64, au10, {{true, 44100, cat({hex("00 10 00 50"), au10})}}},
      {"au exactly filling the packet", 64, au48, {{true, 44100, cat({hex("00 10 01 80"), au48})}}},
      {"one byte over: two fragments with the whole au-size",
       64,
       au49,
       {{false, 44100, cat({hex("00 10 01 88"), slice(au49, 0, 48)})},
        {true, 44100, cat({hex("00 10 01 88"), slice(au49, 48, 49)})}}},
      {"ffmpeg aac-lc 128k frame at the default size",
       kDefaultRtpMaxPacketSize,
       au371,
       {{true, 44100, cat({hex("00 10 0b 98"), au371})}}},
      {"largest au (8191) at the default size: six fragments",
       kDefaultRtpMaxPacketSize,
       au8191,
       {{false, 44100, cat({hex("00 10 ff f8"), slice(au8191, 0, 1384)})},
        {false, 44100, cat({hex("00 10 ff f8"), slice(au8191, 1384, 2768)})},
        {false, 44100, cat({hex("00 10 ff f8"), slice(au8191, 2768, 4152)})},
        {false, 44100, cat({hex("00 10 ff f8"), slice(au8191, 4152, 5536)})},
        {false, 44100, cat({hex("00 10 ff f8"), slice(au8191, 5536, 6920)})},
        {true, 44100, cat({hex("00 10 ff f8"), slice(au8191, 6920, 8191)})}}},
  };
}

TEST(RtpAacPacketizer, PacketizesSharedCases) {
  for (const auto& c : aac_cases()) {
    SCOPED_TRACE(c.name);
    RtpAacPacketizer p({.payload_type = 97,
                        .ssrc = 0xa0c,
                        .initial_sequence = 7,
                        .max_packet_size = c.max_packet_size,
                        .interleaved_channel = kAudioChannel});
    auto f = p.packetize(c.au, 44100);
    ASSERT_TRUE(f.ok()) << f.status();
    expect_packets(*f, kAudioChannel, 97, 7, 0xa0c, c.want);
    EXPECT_EQ(p.next_sequence(), 7 + c.want.size());
  }
}

TEST(RtpAacDepacketizer, RoundTripsSharedCases) {
  for (const auto& c : aac_cases()) {
    SCOPED_TRACE(c.name);
    RtpAacPacketizer p({.max_packet_size = c.max_packet_size});
    auto f = p.packetize(c.au, 2048);
    ASSERT_TRUE(f.ok()) << f.status();
    RtpAacDepacketizer d;
    const auto fed = feed_all(d, *f);
    ASSERT_TRUE(fed.errors.empty()) << fed.errors.front();
    ASSERT_EQ(fed.units.size(), 1u);
    EXPECT_EQ(fed.units[0].rtp_timestamp, 2048u);
    EXPECT_EQ(fed.units[0].data, c.au);
  }
}

TEST(RtpAacPacketizer, WritesExactBytesAndRejectsBadUnits) {
  RtpAacPacketizer p({.payload_type = 97,
                      .ssrc = 0x11223344,
                      .initial_sequence = 0xffff,
                      .interleaved_channel = kAudioChannel});
  auto f = p.packetize(hex("21 1a"), 0x01020304);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->bytes, hex("24 02 00 12 80 e1 ff ff 01 02 03 04 11 22 33 44 00 10 00 10 21 1a"));
  EXPECT_EQ(p.next_sequence(), 0);
  EXPECT_FALSE(p.packetize({}, 0).ok());
  EXPECT_FALSE(p.packetize(data(aac::kMaxAccessUnitBytes + 1), 0).ok());
  EXPECT_EQ(p.next_sequence(), 0);
}

// An RTP packet with payload type 97 and SSRC 0.
Bytes rtp(uint16_t seq, uint32_t ts, bool marker, std::string_view payload) {
  return rtp_test::rtp(seq, ts, marker, payload, 97);
}

struct WantAu {
  uint32_t ts;
  std::string_view data;
};

using AacDepacketizerCase = rtp_test::DepacketizerCase<WantAu>;

const AacDepacketizerCase kAacDepacketizerCases[] = {
    {"two aus in one packet (au-index-delta 0)",
     {rtp(1, 1000, true, "00 20 00 18 00 10 aa bb cc 11 22")},
     {{1000, "aa bb cc"}, {2024, "11 22"}},
     0,
     0,
     0},
    {"interleaving: non-zero au-index and au-index-delta",
     {rtp(1, 1000, true, "00 10 00 19 aa bb cc"),
      rtp(2, 2000, true, "00 20 00 18 00 11 aa bb cc 11"), rtp(3, 3000, true, "00 10 00 08 aa")},
     {{3000, "aa"}},
     2,
     0,
     0},
    {"au-headers-length 0, 13, and headers truncated",
     {rtp(1, 1000, true, "00 00 aa"), rtp(2, 2000, true, "00 0d 00 08 aa"),
      rtp(3, 3000, true, "00 20 00 08"), rtp(4, 4000, true, "00")},
     {},
     4,
     0,
     0},
    {"au-size 0 and second au truncated",
     {rtp(1, 1000, true, "00 10 00 00 aa"), rtp(2, 2000, true, "00 20 00 08 00 10 aa bb")},
     {},
     2,
     0,
     0},
    {"loss inside fragments drops the au",
     {rtp(1, 1000, false, "00 10 00 30 aa bb cc"), rtp(3, 1000, true, "00 10 00 30 dd ee ff"),
      rtp(4, 2024, true, "00 10 00 08 11")},
     {{2024, "11"}},
     1,
     1,
     2},  // the first fragment (loss), then the second packet's own incomplete fragment
    {"fragments of a changing au-size or timestamp",
     {rtp(1, 1000, false, "00 10 00 30 aa bb cc"), rtp(2, 1000, true, "00 10 00 38 dd ee ff"),
      rtp(3, 2000, false, "00 10 00 30 aa bb cc"), rtp(4, 3000, true, "00 10 00 30 dd ee ff")},
     {},
     2,
     0,
     2},
    {"fragments over the au-size, complete without marker",
     {rtp(1, 1000, false, "00 10 00 20 aa bb cc"), rtp(2, 1000, true, "00 10 00 20 dd ee"),
      rtp(3, 2000, false, "00 10 00 20 aa bb"), rtp(4, 2000, false, "00 10 00 20 cc dd")},
     {},
     2,
     0,
     2},
    {"padding is stripped",
     {hex("a0 e1 00 01 00 00 03 e8 00 00 00 00 00 10 00 10 aa bb 00 00 03")},
     {{1000, "aa bb"}},
     0,
     0,
     0},
    {"not rtp version 2", {hex("40 e1 00 01 00 00 03 e8 00 00 00 00 00 10 00 08 aa")}, {}, 1, 0, 0},
};

TEST(RtpAacDepacketizer, HandlesLossAndMalformedPayloads) {
  for (const auto& c : kAacDepacketizerCases) {
    SCOPED_TRACE(c.name);
    RtpAacDepacketizer d;
    ASSERT_NO_FATAL_FAILURE(expect_depacketized(
        d, c, [](const RtpAacDepacketizer::AccessUnit& got, const WantAu& want) {
          EXPECT_EQ(got.rtp_timestamp, want.ts);
          EXPECT_EQ(got.data, hex(want.data));
        }));
  }
}

TEST(RtpAacDepacketizer, RejectsInterleavingAsUnimplemented) {
  RtpAacDepacketizer d;
  EXPECT_EQ(d.feed(rtp(1, 1000, true, "00 10 00 19 aa bb cc")).status().code(),
            absl::StatusCode::kUnimplemented);
}

// ---- G.711 ----

struct G711Case {
  std::string_view name;
  RtpG711Packetizer::Law law;
  size_t max_packet_size;
  size_t samples;
  bool talkspurt_start;
  std::vector<WantPacket> want;
};

TEST(RtpG711Packetizer, SplitsAndAdvancesTimestamps) {
  const Bytes s160 = data(160), s52 = data(52), s53 = data(53), s120 = data(120);
  const G711Case kCases[] = {
      {"pcmu 20 ms in one packet",
       RtpG711Packetizer::Law::Mu,
       kDefaultRtpMaxPacketSize,
       160,
       false,
       {{false, 8000, s160}}},
      {"pcma exactly filling the packet",
       RtpG711Packetizer::Law::A,
       64,
       52,
       false,
       {{false, 8000, s52}}},
      {"one sample over: the second packet starts 52 samples later",
       RtpG711Packetizer::Law::Mu,
       64,
       53,
       false,
       {{false, 8000, slice(s53, 0, 52)}, {false, 8052, slice(s53, 52, 53)}}},
      {"talkspurt start marks only the first packet",
       RtpG711Packetizer::Law::A,
       64,
       120,
       true,
       {{true, 8000, slice(s120, 0, 52)},
        {false, 8052, slice(s120, 52, 104)},
        {false, 8104, slice(s120, 104, 120)}}},
      {"no samples, no packets", RtpG711Packetizer::Law::Mu, 64, 0, true, {}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    RtpG711Packetizer p(c.law, {.payload_type = 96,  // ignored: the law's static type
                                .ssrc = 0x711,
                                .initial_sequence = 65535,
                                .max_packet_size = c.max_packet_size,
                                .interleaved_channel = kAudioChannel});
    const uint8_t pt = c.law == RtpG711Packetizer::Law::Mu ? 0 : 8;
    EXPECT_EQ(p.payload_type(), pt);
    const PacketizedFrame f = p.packetize(data(c.samples), 8000, c.talkspurt_start);
    expect_packets(f, kAudioChannel, pt, 65535, 0x711, c.want);
    EXPECT_EQ(p.next_sequence(), static_cast<uint16_t>(65535 + c.want.size()));
  }
}

TEST(RtpG711Packetizer, WritesExactBytes) {
  RtpG711Packetizer p(RtpG711Packetizer::Law::A, {.ssrc = 1, .interleaved_channel = 6});
  const PacketizedFrame f = p.packetize(hex("d5 d5 55"), 160);
  EXPECT_EQ(f.bytes, hex("24 06 00 0f 80 08 00 00 00 00 00 a0 00 00 00 01 d5 d5 55"));
}

// ---- Opus ----

TEST(RtpOpusPacketizer, OnePacketPerOpusPacket) {
  RtpOpusPacketizer p({.payload_type = 111,
                       .ssrc = 0x0b05,
                       .max_packet_size = 64,
                       .interleaved_channel = kAudioChannel});
  auto f = p.packetize(hex("fc ff fe"), 960);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->bytes, hex("24 02 00 0f 80 6f 00 00 00 00 03 c0 00 00 0b 05 fc ff fe"));
  const Bytes fits = data(52);
  auto g = p.packetize(fits, 1920);
  ASSERT_TRUE(g.ok()) << g.status();
  expect_packets(*g, kAudioChannel, 111, 1, 0x0b05, {{false, 1920, fits}});
  EXPECT_FALSE(p.packetize(data(53), 2880).ok());
  EXPECT_FALSE(p.packetize({}, 2880).ok());
  EXPECT_EQ(p.next_sequence(), 2);
}

// ---- AudioSpecificConfig ----

TEST(AudioSpecificConfig, ParsesEncoderOutput) {
  const struct {
    std::string_view name;
    Bytes asc;
    aac::AudioSpecificConfig want;
    uint8_t channels;
  } kCases[] = {
      {"ffmpeg aac 44100 mono, with sbr sync extension",
       hex("12 08 56 e5 00"),
       {2, 4, 44100, 1},
       1},
      {"ffmpeg aac 48000 stereo", hex("11 90 56 e5 00"), {2, 3, 48000, 2}, 2},
      {"he-aac (sbr) 24000 stereo", hex("2b 10"), {5, 6, 24000, 2}, 2},
      {"escaped object type 42 (usac) 48000 mono", hex("f9 46 20"), {42, 3, 48000, 1}, 1},
      {"explicit frequency 50000 stereo", hex("17 80 61 a8 10"), {2, 15, 50000, 2}, 2},
      {"48000 7.1 is 8 channels", hex("11 b8"), {2, 3, 48000, 7}, 8},
      {"channel configuration 0 (pce)", hex("11 80"), {2, 3, 48000, 0}, 0},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto got = aac::parse_audio_specific_config(c.asc);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want);
    EXPECT_EQ(got->channels(), c.channels);
  }
}

TEST(AudioSpecificConfig, RejectsMalformed) {
  for (std::string_view bad : {"", "12", "16 80", "f8", "17 80", "17 80 61 a8", "17 80 00 00 00"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(aac::parse_audio_specific_config(hex(bad)).ok());
  }
}

TEST(AudioSpecificConfig, SamplingFrequencyTable) {
  EXPECT_EQ(aac::sampling_frequency(0), 96000u);
  EXPECT_EQ(aac::sampling_frequency(4), 44100u);
  EXPECT_EQ(aac::sampling_frequency(12), 7350u);
  EXPECT_EQ(aac::sampling_frequency(13), std::nullopt);
  EXPECT_EQ(aac::sampling_frequency(15), std::nullopt);
}

}  // namespace
}  // namespace media
