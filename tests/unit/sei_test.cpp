// Tests for media/sei: capture-time user_data_unregistered SEI (H.264 D.1.6, 7.3.2.3).
#include "media/sei.hpp"

#include <gtest/gtest.h>

#include "test_bytes.hpp"

#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

namespace media {
namespace {

using test_bytes::Bytes;
using test_bytes::cat;
using test_bytes::hex;

constexpr std::string_view kUuid = "52 54 53 50 2d 53 54 52 9b 3c 4e 71 a2 0d 5f e8";

TEST(CaptureTimeSei, MakesExactBytes) {
  struct Case {
    std::string_view name;
    int64_t in;
    std::string_view want;
  };
  const Case kCases[] = {
      {"2023 timestamp", 1700000000123456,
       "06 05 18 52 54 53 50 2d 53 54 52 9b 3c 4e 71 a2 0d 5f e8 00 06 0a 24 18 20 22 40 80"},
      {"zero needs emulation prevention", 0,
       "06 05 18 52 54 53 50 2d 53 54 52 9b 3c 4e 71 a2 0d 5f e8 00 00 03 00 00 03 00 00 03 00 00 "
       "80"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(make_capture_time_sei(c.in), hex(c.want));
  }
}

TEST(CaptureTimeSei, RoundTrips) {
  for (int64_t t : {int64_t{0}, int64_t{1}, int64_t{1700000000123456}, int64_t{-1},
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                    int64_t{0x0000000300000100}}) {
    SCOPED_TRACE(t);
    EXPECT_EQ(parse_capture_time_sei(make_capture_time_sei(t)), t);
  }
}

TEST(CaptureTimeSei, ParsesVariants) {
  const Bytes time = hex("00 06 0a 24 18 20 22 40");  // 1700000000123456
  struct Case {
    std::string_view name;
    Bytes in;
    std::optional<int64_t> want;
  };
  const Case kCases[] = {
      {"after a recovery point message",  // payload type 6, size 1 (recovery_frame_cnt 0 ...)
       cat({hex("06 06 01 84 05 18"), hex(kUuid), time, hex("80")}), 1700000000123456},
      {"after another vendor's user data",
       cat({hex("06 05 11 dc 45 e9 bd e6 d9 48 b7 96 2c d8 20 d9 23 ee ef 78"), hex("05 18"),
            hex(kUuid), time, hex("80")}),
       1700000000123456},
      {"payload type coded with ff bytes is skipped",  // type 255 + 1 = 256, size 2
       cat({hex("06 ff 01 02 aa bb 05 18"), hex(kUuid), time, hex("80")}), 1700000000123456},
      {"payload size coded with ff bytes",  // size 255 + 1: UUID, time, 232 bytes of padding
       cat({hex("06 05 ff 01"), hex(kUuid), time, Bytes(232, 0x11), hex("80")}), 1700000000123456},
      {"other uuid", cat({hex("06 05 18"), Bytes(16, 0x42), time, hex("80")}), std::nullopt},
      {"payload too small for a time", cat({hex("06 05 10"), hex(kUuid), hex("80")}), std::nullopt},
      {"size larger than the nal", cat({hex("06 05 30"), hex(kUuid), time, hex("80")}),
       std::nullopt},
      {"only ff bytes", hex("06 ff ff ff"), std::nullopt},
      {"not an sei nal", cat({hex("05 05 18"), hex(kUuid), time, hex("80")}), std::nullopt},
      {"header only", hex("06"), std::nullopt},
      {"empty", Bytes{}, std::nullopt},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(parse_capture_time_sei(c.in), c.want);
  }
}

TEST(CaptureTimeSei, RejectsEveryTruncation) {
  const Bytes sei = make_capture_time_sei(1700000000123456);
  // Dropping the trailing bits still leaves a whole message; any shorter cut must fail.
  for (size_t n = 0; n + 1 < sei.size(); ++n) {
    EXPECT_EQ(parse_capture_time_sei(std::span(sei).first(n)), std::nullopt) << n;
  }
}

TEST(FindCaptureTime, SearchesTheAccessUnit) {
  const Bytes sei = make_capture_time_sei(42);
  const Bytes au = cat({hex("00 00 00 01 09 f0 00 00 00 01 06 05 01 00 80 00 00 01"), sei,
                        hex("00 00 00 01 65 88 84 00")});
  EXPECT_EQ(find_capture_time(au), 42);
  EXPECT_EQ(find_capture_time(hex("00 00 00 01 65 88 84")), std::nullopt);
  EXPECT_EQ(find_capture_time(Bytes{}), std::nullopt);
}

TEST(InsertBeforeFirstVcl, KeepsOriginalBytes) {
  struct Case {
    std::string_view name;
    std::string_view in;
    std::string_view want;
  };
  const Case kCases[] = {
      {"after sps and pps, before idr", "00 00 00 01 67 aa 00 00 00 01 68 bb 00 00 00 01 65 cc",
       "00 00 00 01 67 aa 00 00 00 01 68 bb 00 00 00 01 06 ee 00 00 00 01 65 cc"},
      {"3-byte start codes are left alone", "00 00 01 09 f0 00 00 01 41 9a 00 00 01 41 9b",
       "00 00 01 09 f0 00 00 00 01 06 ee 00 00 01 41 9a 00 00 01 41 9b"},
      {"vcl first", "00 00 00 01 41 9a", "00 00 00 01 06 ee 00 00 00 01 41 9a"},
      {"no vcl: appended", "00 00 00 01 67 aa", "00 00 00 01 67 aa 00 00 00 01 06 ee"},
      {"empty", "", "00 00 00 01 06 ee"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(insert_before_first_vcl(hex(c.in), hex("06 ee")), hex(c.want));
  }
}

}  // namespace
}  // namespace media
