// H.264 (RFC 6184) for the RTP NAL codec suite of rtp_nal_codec_test.cpp: packetizer and
// depacketizer types, NAL builders, the case table shared by packetizer and depacketizer, and
// depacketizer-only cases for loss, wrap-around and malformed payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "media/rtp_video.hpp"
#include "rtp_test_util.hpp"

namespace media::rtp_test {

struct H264 {
  using Packetizer = RtpH264Packetizer;
  using Depacketizer = RtpH264Depacketizer;
  static constexpr std::string_view kName = "H264";
  static constexpr uint8_t kPayloadType = 97;  // of the packets of the shared cases
  static constexpr size_t kMaxAccessUnitBytes = media::kMaxAccessUnitBytes;

  // A NAL unit of `size` bytes: header, then 01 02 ... (never zero, so no start code emulation).
  static Bytes nal(uint8_t header, size_t size) {
    Bytes out{header};
    for (size_t i = 1; i < size; ++i) out.push_back(static_cast<uint8_t>(i % 255 + 1));
    return out;
  }
  // A non-IDR slice of `size` bytes.
  static Bytes picture(size_t size) { return nal(0x41, size); }

  // Real x264 1280x720 high profile parameter sets (see h264_test).
  static inline const Bytes kSps =
      hex("67 64 00 1f ac b2 00 a0 0b 76 02 20 00 00 03 00 20 00 00 07 91 e3 06 49");
  static inline const Bytes kPps = hex("68 eb c3 cb 22 c0");

  // An access unit delimiter and a non-IDR slice, and the one interleaved packet they make
  // (payload type 96, SSRC 11223344, sequence 1234, timestamp 01020304, channel 2).
  static constexpr std::string_view kExactAccessUnit = "00 00 00 01 09 f0 00 00 01 41 9a";
  static constexpr std::string_view kExactPacket =
      "24 02 00 0e 80 e0 12 34 01 02 03 04 11 22 33 44 41 9a";
  static constexpr size_t kExactRtpBytes = 14;
  // An access unit with nothing to send: an access unit delimiter alone.
  static constexpr std::string_view kNothingToSend = "00 00 00 01 09 f0";
  // FU-A headers of an IDR slice: first and middle fragment; a single non-IDR slice.
  static constexpr std::string_view kFuStart = "7c 85";
  static constexpr std::string_view kFuMiddle = "7c 05";
  static constexpr std::string_view kSingleNal = "41 9a";

  // The packetizer drops access unit delimiters (9) and filler data (12).
  static bool dropped(const Bytes& n) { return (n[0] & 0x1f) == 9 || (n[0] & 0x1f) == 12; }

  // A keyframe has an IDR slice.
  static bool keyframe(const std::vector<Bytes>& nals) {
    for (const auto& n : nals) {
      if ((n[0] & 0x1f) == 5) return true;
    }
    return false;
  }

  static std::vector<NalCase> shared_cases() {
    const Bytes idr52 = nal(0x65, 52);
    const Bytes idr53 = nal(0x65, 53);
    const Bytes slice111 = nal(0x41, 111);
    const Bytes idr40 = nal(0x65, 40);
    const Bytes sei23 = nal(0x06, 23), slice24 = nal(0x41, 24), sei24 = nal(0x06, 24);
    const Bytes slice30 = nal(0x41, 30);
    const Bytes sei28 = nal(0x06, 28), idr3000 = nal(0x65, 3000);
    const Bytes idr60 = nal(0x65, 60), p10 = nal(0x41, 10), q10 = nal(0x21, 10);
    return {
        {"single nal exactly fitting the payload", 64, {idr52}, {{true, idr52}}},
        {"one byte over: fu-a two fragments",
         64,
         {idr53},
         {{false, cat({hex("7c 85"), slice(idr53, 1, 51)})},
          {true, cat({hex("7c 45"), slice(idr53, 51, 53)})}}},
        {"fu-a three fragments keep nri and type",
         64,
         {slice111},
         {{false, cat({hex("5c 81"), slice(slice111, 1, 51)})},
          {false, cat({hex("5c 01"), slice(slice111, 51, 101)})},
          {true, cat({hex("5c 41"), slice(slice111, 101, 111)})}}},
        {"stap-a of x264 sps+pps, idr single",
         64,
         {kSps, kPps, idr40},
         {{false, cat({hex("78 00 18"), kSps, hex("00 06"), kPps})}, {true, idr40}}},
        {"stap-a filling the payload exactly, nri is the max",
         64,
         {sei23, slice24},
         {{true, cat({hex("58 00 17"), sei23, hex("00 18"), slice24})}}},
        {"stap-a one byte over: two single nal packets",
         64,
         {sei24, slice24},
         {{false, sei24}, {true, slice24}}},
        {"aud and filler are dropped",
         64,
         {hex("09 f0"), slice30, hex("0c ff ff 80")},
         {{true, slice30}}},
        {"x264 keyframe at the default size: stap-a sps+pps+sei, fu-a idr",
         kDefaultRtpMaxPacketSize,
         {kSps, kPps, sei28, idr3000},
         {{false, cat({hex("78 00 18"), kSps, hex("00 06"), kPps, hex("00 1c"), sei28})},
          {false, cat({hex("7c 85"), slice(idr3000, 1, 1387)})},
          {false, cat({hex("7c 05"), slice(idr3000, 1387, 2773)})},
          {true, cat({hex("7c 45"), slice(idr3000, 2773, 3000)})}}},
        {"stap-a after fu-a",
         64,
         {idr60, p10, q10},
         {{false, cat({hex("7c 85"), slice(idr60, 1, 51)})},
          {false, cat({hex("7c 45"), slice(idr60, 51, 60)})},
          {true, cat({hex("58 00 0a"), p10, hex("00 0a"), q10})}}},
    };
  }

  static std::vector<NalDepacketizerCase> depacketizer_cases() {
    return {
        {"loss inside fu-a drops the unit",
         {rtp(1, 1000, false, "7c 85 aa"), rtp(3, 1000, true, "7c 45 cc"),
          rtp(4, 4000, true, "41 9a")},
         {{4000, "00 00 00 01 41 9a", false}},
         0,
         1,
         1},
        {"sequence wraps 65535 -> 0",
         {rtp(65535, 1000, false, "7c 85 aa bb"), rtp(0, 1000, true, "7c 45 cc")},
         {{1000, "00 00 00 01 65 aa bb cc", true}},
         0,
         0,
         0},
        {"starts mid-fragment",
         {rtp(10, 1000, false, "7c 05 aa"), rtp(11, 1000, true, "7c 45 bb"),
          rtp(12, 4000, true, "41 9a")},
         {{4000, "00 00 00 01 41 9a", false}},
         1,
         0,
         0},
        {"truncated stap-a",
         {rtp(1, 1000, true, "78 00 05 67 42"), rtp(2, 4000, true, "18 00 02 09 f0 00 02 41 9a")},
         {{4000, "00 00 00 01 09 f0 00 00 00 01 41 9a", false}},
         1,
         0,
         0},
        {"stap-a with a zero size and with only a header",
         {rtp(1, 1000, true, "78 00 00 67"), rtp(2, 2000, true, "78"), rtp(3, 3000, true, "78 00")},
         {},
         3,
         0,
         0},
        {"lost start of an access unit skips the rest of it",
         {rtp(1, 1000, true, "41 01"), rtp(3, 4000, false, "41 02"), rtp(4, 4000, true, "41 03"),
          rtp(5, 7000, true, "41 04")},
         {{1000, "00 00 00 01 41 01", false}, {7000, "00 00 00 01 41 04", false}},
         0,
         1,
         0},
        {"whole units lost: a unit that begins with parameter sets is kept",
         {rtp(1, 1000, true, "41 9a"), rtp(5, 4000, false, "78 00 02 67 42 00 02 68 ce"),
          rtp(6, 4000, true, "65 88 84")},
         {{1000, "00 00 00 01 41 9a", false},
          {4000, "00 00 00 01 67 42 00 00 00 01 68 ce 00 00 00 01 65 88 84", true}},
         0,
         3,
         0},
        {"whole units lost: a unit whose fu-a starts the first slice is kept",
         {rtp(1, 1000, true, "41 9a"), rtp(4, 4000, false, "7c 85 88"),
          rtp(5, 4000, true, "7c 45 84")},
         {{1000, "00 00 00 01 41 9a", false}, {4000, "00 00 00 01 65 88 84", true}},
         0,
         2,
         0},
        {"gap after a marker before a later slice of a picture skips that unit",
         {rtp(1, 1000, true, "41 9a"), rtp(5, 4000, true, "41 02"), rtp(6, 7000, true, "41 9a")},
         {{1000, "00 00 00 01 41 9a", false}, {7000, "00 00 00 01 41 9a", false}},
         0,
         3,
         0},
        {"loss of the marker packet drops the unit",
         {rtp(1, 1000, false, "65 01"), rtp(3, 4000, true, "41 02"), rtp(4, 7000, true, "41 03")},
         {{7000, "00 00 00 01 41 03", false}},
         0,
         1,
         1},
        {"timestamp change closes a unit without marker",
         {rtp(1, 1000, false, "41 01"), rtp(2, 4000, false, "41 02"), rtp(3, 7000, false, "41 03")},
         {{1000, "00 00 00 01 41 01", false}, {4000, "00 00 00 01 41 02", false}},
         0,
         0,
         0},
        {"stap-b, mtap16, mtap24, fu-b and reserved types are rejected",
         {rtp(1, 1000, true, "19 00 00 00 01 41"), rtp(2, 2000, true, "1a 00"),
          rtp(3, 3000, true, "1b 00"), rtp(4, 4000, true, "1d 80 00 00 41"),
          rtp(5, 5000, true, "00"), rtp(6, 6000, true, "1e 00"), rtp(7, 7000, true, "1f 00"),
          rtp(8, 8000, true, "41 9a")},
         {{8000, "00 00 00 01 41 9a", false}},
         7,
         0,
         0},
        {"fu-a start inside a fragment",
         {rtp(1, 1000, false, "7c 85 aa"), rtp(2, 1000, true, "7c 85 bb"),
          rtp(3, 2000, true, "41 9a")},
         {{2000, "00 00 00 01 41 9a", false}},
         1,
         0,
         1},
        {"single nal unit inside a fragment",
         {rtp(1, 1000, false, "7c 85 aa"), rtp(2, 1000, true, "41 9a")},
         {},
         1,
         0,
         1},
        {"marker inside fu-a drops the unit",
         {rtp(1, 1000, false, "7c 85 aa"), rtp(2, 1000, true, "7c 05 bb"),
          rtp(3, 2000, true, "41 01")},
         {{2000, "00 00 00 01 41 01", false}},
         0,
         0,
         1},
        {"fu-a too short and empty payload",
         {rtp(1, 1000, true, "7c"), rtp(2, 2000, true, "")},
         {},
         2,
         0,
         0},
        {"idr in stap-a is a keyframe",
         {rtp(1, 1000, true, "78 00 02 67 42 00 03 65 88 84")},
         {{1000, "00 00 00 01 67 42 00 00 00 01 65 88 84", true}},
         0,
         0,
         0},
        {"padding is stripped",
         {hex("a0 e0 00 01 00 00 03 e8 00 00 00 00 41 9a 00 00 03")},
         {{1000, "00 00 00 01 41 9a", false}},
         0,
         0,
         0},
        {"not rtp version 2", {hex("40 e0 00 01 00 00 03 e8 00 00 00 00 41 9a")}, {}, 1, 0, 0},
    };
  }
};

}  // namespace media::rtp_test
