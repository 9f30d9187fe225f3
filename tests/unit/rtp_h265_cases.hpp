// H.265 (RFC 7798) for the RTP NAL codec suite of rtp_nal_codec_test.cpp: packetizer and
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

struct H265 {
  using Packetizer = RtpH265Packetizer;
  using Depacketizer = RtpH265Depacketizer;
  static constexpr std::string_view kName = "H265";
  static constexpr uint8_t kPayloadType = 98;  // of the packets of the shared cases
  static constexpr size_t kMaxAccessUnitBytes = RtpH265Depacketizer::kMaxAccessUnitBytes;

  // A NAL unit of `size` bytes: 2-byte header, then 01 02 ... (never zero: no start codes).
  static Bytes nal(uint8_t h0, uint8_t h1, size_t size) {
    Bytes out{h0, h1};
    for (size_t i = 2; i < size; ++i) out.push_back(static_cast<uint8_t>(i % 255 + 1));
    return out;
  }
  // A TRAIL_R slice segment (TID 0) of `size` bytes.
  static Bytes picture(size_t size) { return nal(0x02, 0x01, size); }

  // Real libx265 1280x720 main profile parameter sets (see h265_test).
  static inline const Bytes kVps =
      hex("40 01 0c 01 ff ff 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5d 95 98 09");
  static inline const Bytes kSps = hex(
      "42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5d a0 02 80 80 2d 16 59 59 a4 93 2b c0 "
      "5a 02 00 00 03 00 02 00 00 03 00 3c 10");
  static inline const Bytes kPps = hex("44 01 c1 72 b4 62 40");

  // An access unit delimiter and a TRAIL_R slice segment, and the one interleaved packet they
  // make (payload type 96, SSRC 11223344, sequence 1234, timestamp 01020304, channel 2).
  static constexpr std::string_view kExactAccessUnit = "00 00 00 01 46 01 50 00 00 01 02 01 d0 9a";
  static constexpr std::string_view kExactPacket =
      "24 02 00 10 80 e0 12 34 01 02 03 04 11 22 33 44 02 01 d0 9a";
  static constexpr size_t kExactRtpBytes = 16;
  // An access unit with nothing to send: an access unit delimiter alone.
  static constexpr std::string_view kNothingToSend = "00 00 00 01 46 01 50";
  // FU headers of an IDR_W_RADL slice segment: first and middle fragment; a single TRAIL_R.
  static constexpr std::string_view kFuStart = "62 01 93";
  static constexpr std::string_view kFuMiddle = "62 01 13";
  static constexpr std::string_view kSingleNal = "02 01 9a";

  // The packetizer drops NAL units shorter than the header, access unit delimiters (35), filler
  // data (38) and the unspecified types 48..63.
  static bool dropped(const Bytes& n) {
    const int type = (n[0] >> 1) & 0x3f;
    return n.size() < 2 || type == 35 || type == 38 || type >= 48;
  }

  // A keyframe has an IRAP NAL unit (types 16..23).
  static bool keyframe(const std::vector<Bytes>& nals) {
    for (const auto& n : nals) {
      const int type = (n[0] >> 1) & 0x3f;
      if (type >= 16 && type <= 23) return true;
    }
    return false;
  }

  static std::vector<NalCase> shared_cases() {
    const Bytes idr52 = nal(0x26, 0x01, 52), idr53 = nal(0x26, 0x01, 53);
    const Bytes idr100 = nal(0x26, 0x01, 100);
    const Bytes trail111 = nal(0x02, 0x02, 111);  // TRAIL_R, TID 2
    const Bytes idr40 = nal(0x26, 0x01, 40);
    const Bytes sei23 = nal(0x4e, 0x01, 23), trail23 = nal(0x02, 0x01, 23);
    const Bytes sei24 = nal(0x4e, 0x01, 24);
    const Bytes trail30 = nal(0x02, 0x01, 30);
    const Bytes sei28 = nal(0x4e, 0x01, 28), idr3000 = nal(0x26, 0x01, 3000);
    const Bytes idr60 = nal(0x26, 0x01, 60), p10 = nal(0x02, 0x01, 10), q10 = nal(0x00, 0x01, 10);
    // Layer 1 TID 3 prefix SEI; F=1 layer 2 TID 2 TRAIL_R; layer 33 TID 1; layer 34 TID 4.
    const Bytes l1t3 = nal(0x4e, 0x0b, 10), fl2t2 = nal(0x82, 0x12, 10);
    const Bytes l33t1 = nal(0x03, 0x09, 10), l34t4 = nal(0x03, 0x14, 10);
    return {
        {"single nal exactly fitting the payload", 64, {idr52}, {{true, idr52}}},
        {"one byte over: fu two fragments",
         64,
         {idr53},
         {{false, cat({hex("62 01 93"), slice(idr53, 2, 51)})},
          {true, cat({hex("62 01 53"), slice(idr53, 51, 53)})}}},
        {"fu fragments exactly filling two packets",
         64,
         {idr100},
         {{false, cat({hex("62 01 93"), slice(idr100, 2, 51)})},
          {true, cat({hex("62 01 53"), slice(idr100, 51, 100)})}}},
        {"fu three fragments keep type and tid",
         64,
         {trail111},
         {{false, cat({hex("62 02 81"), slice(trail111, 2, 51)})},
          {false, cat({hex("62 02 01"), slice(trail111, 51, 100)})},
          {true, cat({hex("62 02 41"), slice(trail111, 100, 111)})}}},
        {"ap of x265 vps+sps+pps, idr single",
         100,
         {kVps, kSps, kPps, idr40},
         {{false, cat({hex("60 01 00 18"), kVps, hex("00 2b"), kSps, hex("00 07"), kPps})},
          {true, idr40}}},
        {"ap filling the payload exactly",
         64,
         {sei23, trail23},
         {{true, cat({hex("60 01 00 17"), sei23, hex("00 17"), trail23})}}},
        {"ap one byte over: two single nal packets",
         64,
         {sei24, trail23},
         {{false, sei24}, {true, trail23}}},
        {"ap header: F is the or, layer id and tid the lowest",
         64,
         {l1t3, fl2t2},
         {{true, cat({hex("e0 0a 00 0a"), l1t3, hex("00 0a"), fl2t2})}}},
        {"ap header: layer id high bit from layers 33 and 34",
         64,
         {l34t4, l33t1},
         {{true, cat({hex("61 09 00 0a"), l34t4, hex("00 0a"), l33t1})}}},
        {"aud, filler data and a 1-byte nal are dropped",
         64,
         {hex("46 01 50"), trail30, hex("4c 01 ff ff"), hex("02")},
         {{true, trail30}}},
        {"unspecified types 48 (ap), 49 (fu), 50 (paci) and 63 are dropped",
         64,
         {hex("60 01 aa"), hex("62 01 bb"), trail30, hex("64 01 cc"), hex("7e 01 dd")},
         {{true, trail30}}},
        {"x265 keyframe at the default size: ap vps+sps+pps+sei, fu idr",
         kDefaultRtpMaxPacketSize,
         {kVps, kSps, kPps, sei28, idr3000},
         {{false, cat({hex("60 01 00 18"), kVps, hex("00 2b"), kSps, hex("00 07"), kPps,
                       hex("00 1c"), sei28})},
          {false, cat({hex("62 01 93"), slice(idr3000, 2, 1387)})},
          {false, cat({hex("62 01 13"), slice(idr3000, 1387, 2772)})},
          {true, cat({hex("62 01 53"), slice(idr3000, 2772, 3000)})}}},
        {"ap after fu",
         64,
         {idr60, p10, q10},
         {{false, cat({hex("62 01 93"), slice(idr60, 2, 51)})},
          {false, cat({hex("62 01 53"), slice(idr60, 51, 60)})},
          {true, cat({hex("60 01 00 0a"), p10, hex("00 0a"), q10})}}},
    };
  }

  static std::vector<NalDepacketizerCase> depacketizer_cases() {
    return {
        {"loss inside fu drops the unit",
         {rtp(1, 1000, false, "62 01 93 aa"), rtp(3, 1000, true, "62 01 53 cc"),
          rtp(4, 4000, true, "02 01 9a")},
         {{4000, "00 00 00 01 02 01 9a", false}},
         0,
         1,
         1},
        {"sequence wraps 65535 -> 0",
         {rtp(65535, 1000, false, "62 01 93 aa bb"), rtp(0, 1000, true, "62 01 53 cc")},
         {{1000, "00 00 00 01 26 01 aa bb cc", true}},
         0,
         0,
         0},
        {"fu restores F, layer id and tid from the payload header",
         {rtp(1, 1000, false, "e3 ff 81 aa"), rtp(2, 1000, true, "e3 ff 41 bb")},
         {{1000, "00 00 00 01 83 ff aa bb", false}},
         0,
         0,
         0},
        {"starts mid-fragment",
         {rtp(10, 1000, false, "62 01 13 aa"), rtp(11, 1000, true, "62 01 53 bb"),
          rtp(12, 4000, true, "02 01 9a")},
         {{4000, "00 00 00 01 02 01 9a", false}},
         1,
         0,
         0},
        {"truncated ap",
         {rtp(1, 1000, true, "60 01 00 05 40 01"),
          rtp(2, 4000, true, "60 01 00 02 4e 01 00 03 02 01 9a")},
         {{4000, "00 00 00 01 4e 01 00 00 00 01 02 01 9a", false}},
         1,
         0,
         0},
        {"ap with a zero size, a 1-byte nal, a half size field and only a header",
         {rtp(1, 1000, true, "60 01 00 00 40"), rtp(2, 2000, true, "60 01 00 01 40"),
          rtp(3, 3000, true, "60 01 00"), rtp(4, 4000, true, "60 01")},
         {},
         4,
         0,
         0},
        {"cra in an ap is a keyframe",
         {rtp(1, 1000, true, "60 01 00 02 40 01 00 03 2a 01 84")},
         {{1000, "00 00 00 01 40 01 00 00 00 01 2a 01 84", true}},
         0,
         0,
         0},
        {"bla single nal unit is a keyframe, rsv_vcl31 is not",
         {rtp(1, 1000, true, "20 01 84"), rtp(2, 2000, true, "3e 01 84")},
         {{1000, "00 00 00 01 20 01 84", true}, {2000, "00 00 00 01 3e 01 84", false}},
         0,
         0,
         0},
        {"lost start of an access unit skips the rest of it",
         {rtp(1, 1000, true, "02 01 01"), rtp(3, 4000, false, "02 01 02"),
          rtp(4, 4000, true, "02 01 03"), rtp(5, 7000, true, "02 01 04")},
         {{1000, "00 00 00 01 02 01 01", false}, {7000, "00 00 00 01 02 01 04", false}},
         0,
         1,
         0},
        {"whole units lost: a unit that begins with a parameter set is kept",
         {rtp(1, 1000, true, "02 01 84"), rtp(4, 4000, false, "40 01 0c"),
          rtp(5, 4000, true, "26 01 af")},
         {{1000, "00 00 00 01 02 01 84", false},
          {4000, "00 00 00 01 40 01 0c 00 00 00 01 26 01 af", true}},
         0,
         2,
         0},
        {"whole units lost: a unit whose fu starts the first slice segment is kept",
         {rtp(1, 1000, true, "02 01 84"), rtp(3, 4000, false, "62 01 93 aa"),
          rtp(4, 4000, true, "62 01 53 cc")},
         {{1000, "00 00 00 01 02 01 84", false}, {4000, "00 00 00 01 26 01 aa cc", true}},
         0,
         1,
         0},
        {"timestamp change closes a unit without marker",
         {rtp(1, 1000, false, "02 01 01"), rtp(2, 4000, false, "02 01 02"),
          rtp(3, 7000, false, "02 01 03")},
         {{1000, "00 00 00 01 02 01 01", false}, {4000, "00 00 00 01 02 01 02", false}},
         0,
         0,
         0},
        {"paci, unspecified types 51 and 63, fu of ap/fu/paci are rejected",
         {rtp(1, 1000, true, "64 01 00 00 02 01 9a"), rtp(2, 2000, true, "66 01 00"),
          rtp(3, 3000, true, "7e 01 00"), rtp(4, 4000, true, "62 01 b0 00"),
          rtp(5, 5000, true, "62 01 b1 00"), rtp(6, 6000, true, "62 01 b2 00"),
          rtp(7, 7000, true, "02 01 9a")},
         {{7000, "00 00 00 01 02 01 9a", false}},
         6,
         0,
         0},
        {"fu start inside a fragment",
         {rtp(1, 1000, false, "62 01 93 aa"), rtp(2, 1000, true, "62 01 93 bb"),
          rtp(3, 2000, true, "02 01 9a")},
         {{2000, "00 00 00 01 02 01 9a", false}},
         1,
         0,
         1},
        {"single nal unit inside a fragment",
         {rtp(1, 1000, false, "62 01 93 aa"), rtp(2, 1000, true, "02 01 9a")},
         {},
         1,
         0,
         1},
        {"marker inside fu drops the unit",
         {rtp(1, 1000, false, "62 01 93 aa"), rtp(2, 1000, true, "62 01 13 bb"),
          rtp(3, 2000, true, "02 01 01")},
         {{2000, "00 00 00 01 02 01 01", false}},
         0,
         0,
         1},
        {"fu too short, 1-byte and empty payloads",
         {rtp(1, 1000, true, "62 01"), rtp(2, 2000, true, "02"), rtp(3, 3000, true, "")},
         {},
         3,
         0,
         0},
        {"padding is stripped",
         {hex("a0 e0 00 01 00 00 03 e8 00 00 00 00 02 01 9a 00 00 03")},
         {{1000, "00 00 00 01 02 01 9a", false}},
         0,
         0,
         0},
        {"not rtp version 2", {hex("40 e0 00 01 00 00 03 e8 00 00 00 00 02 01 9a")}, {}, 1, 0, 0},
    };
  }
};

}  // namespace media::rtp_test
