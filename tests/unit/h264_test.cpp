// Tests for media/h264: Annex-B splitting, emulation prevention and SPS parsing (H.264 7.3.2.1).
#include "media/h264.hpp"

#include <gtest/gtest.h>

#include "test_bytes.hpp"

#include <cctype>
#include <string_view>
#include <vector>

namespace media::h264 {
namespace {

using test_bytes::Bytes;
using test_bytes::hex;

// Real parameter sets written by ffmpeg 5.1 / libx264 164 from `testsrc` (-tune zerolatency).
constexpr std::string_view kX264High720Sps =
    "67 64 00 1f ac b2 00 a0 0b 76 02 20 00 00 03 00 20 00 00 07 91 e3 06 49";
constexpr std::string_view kX264High720Pps = "68 eb c3 cb 22 c0";

TEST(SplitAnnexB, SplitsStartCodes) {
  struct Case {
    std::string_view name;
    std::string_view in;
    std::vector<std::string_view> want;
  };
  const Case kCases[] = {
      {"4-byte start codes", "00 00 00 01 67 aa 00 00 00 01 68 bb", {"67 aa", "68 bb"}},
      {"3-byte start codes", "00 00 01 67 aa 00 00 01 68 bb", {"67 aa", "68 bb"}},
      {"mixed start codes", "00 00 01 09 f0 00 00 00 01 65 88 84", {"09 f0", "65 88 84"}},
      {"garbage before first start code is ignored", "ff 12 00 00 01 41 9a", {"41 9a"}},
      {"trailing_zero_8bits are not part of the nal", "00 00 01 41 9a 00 00 00", {"41 9a"}},
      {"empty nal units are skipped", "00 00 01 00 00 01 41 9a", {"41 9a"}},
      {"zero byte inside a nal is kept", "00 00 01 41 00 9a 00 00 01 41", {"41 00 9a", "41"}},
      {"no start code", "67 64 00 1f", {}},
      {"start code only", "00 00 00 01", {}},
      {"empty input", "", {}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const Bytes in = hex(c.in);
    std::vector<Bytes> got;
    for (auto nal : split_annex_b(in)) got.emplace_back(nal.begin(), nal.end());
    std::vector<Bytes> want;
    for (auto w : c.want) want.push_back(hex(w));
    EXPECT_EQ(got, want);
  }
}

TEST(AppendAnnexB, WritesFourByteStartCode) {
  Bytes out = hex("aa");
  append_annex_b(out, hex("68 eb"));
  EXPECT_EQ(out, hex("aa 00 00 00 01 68 eb"));
}

TEST(EmulationPrevention, EscapesAndUnescapes) {
  struct Case {
    std::string_view name;
    std::string_view rbsp;
    std::string_view ebsp;
  };
  const Case kCases[] = {
      {"00 00 00", "00 00 00", "00 00 03 00"},
      {"00 00 01", "aa 00 00 01 bb", "aa 00 00 03 01 bb"},
      {"00 00 02", "00 00 02", "00 00 03 02"},
      {"00 00 03 itself is escaped", "00 00 03", "00 00 03 03"},
      {"00 00 04 needs nothing", "00 00 04", "00 00 04"},
      {"long zero run", "00 00 00 00 00 00", "00 00 03 00 00 03 00 00"},
      {"zeros at the end", "aa 00 00", "aa 00 00"},
      {"empty", "", ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(rbsp_to_ebsp(hex(c.rbsp)), hex(c.ebsp));
    EXPECT_EQ(ebsp_to_rbsp(hex(c.ebsp)), hex(c.rbsp));
  }
}

struct SpsCase {
  std::string_view name;
  std::string_view sps;
  SpsInfo want;
};

const SpsCase kSpsCases[] = {
    {"x264 high 4:2:0 1280x720", kX264High720Sps, {100, 0x00, 31, 1280, 720}},
    {"x264 constrained baseline 1280x720",
     "67 42 c0 1f d9 00 50 05 bb 01 10 00 00 03 00 10 00 00 03 03 c8 f1 83 24 80",
     {66, 0xc0, 31, 1280, 720}},
    {"x264 high 1920x1080: 1088 rows cropped by 8",
     "67 64 00 28 ac b2 00 f0 04 4f cb 80 88 00 00 03 00 08 00 00 03 01 e4 78 c1 92 40",
     {100, 0x00, 40, 1920, 1080}},
    {"x264 interlaced 1920x1080: frame_mbs_only_flag 0",
     "67 64 00 28 ac e4 01 e0 11 3f 78 08 80 00 00 03 00 80 00 00 1e 4f 8b 17 24",
     {100, 0x00, 40, 1920, 1080}},
    {"x264 high 4:4:4 predictive 1280x720: chroma_format_idc 3",
     "67 f4 00 1f 91 96 40 14 01 6e c0 44 00 00 03 00 04 00 00 03 00 f2 3c 60 c9 20",
     {244, 0x00, 31, 1280, 720}},
    {"x264 high 4:2:2 640x360: chroma_format_idc 2",
     "67 7a 00 1e bc b2 01 40 5f f1 38 08 80 00 00 03 00 80 00 00 1e 47 8b 17 24",
     {122, 0x00, 30, 640, 360}},
    // Written by a bit writer: scaling lists 0 (ends early on next_scale 0) and 6 (64 deltas),
    // pic_order_cnt_type 1 with a 2-entry cycle, field coding and crop_bottom 2.
    {"synthetic scaling lists, poc type 1, interlaced crop",
     "67 64 00 28 ad 84 41 4d 34 d3 4d 34 d3 4d 34 d3 4d 34 d3 4d 34 d3 4d 34 d3 4d 34 d3 4d 34 "
     "d3 50 a6 69 a0 1e 01 13 f6 80",
     {100, 0x00, 40, 1920, 1080}},
    {"synthetic 16x16 baseline with crop_right 7", "67 42 00 1f dd f8 8d", {66, 0x00, 31, 2, 16}},
};

TEST(ParseSps, ReadsRealEncoderOutput) {
  for (const auto& c : kSpsCases) {
    SCOPED_TRACE(c.name);
    auto got = parse_sps(hex(c.sps));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want);
  }
}

TEST(ParseSps, TruncationFailsOrLeavesTheFieldsUnchanged) {
  for (const auto& c : kSpsCases) {
    SCOPED_TRACE(c.name);
    const Bytes sps = hex(c.sps);
    for (size_t n = 0; n < sps.size(); ++n) {
      auto got = parse_sps(std::span(sps).first(n));
      // Cutting into the VUI does not matter; cutting into the fields we read must fail.
      if (got.ok()) {
        EXPECT_EQ(*got, c.want) << n;
      }
      if (n < 5) {
        EXPECT_FALSE(got.ok()) << n;
      }
    }
  }
}

TEST(ParseSps, RejectsMalformed) {
  struct Case {
    std::string_view name;
    std::string_view sps;
  };
  const Case kCases[] = {
      {"empty", ""},
      {"pps, not sps", kX264High720Pps},
      {"chroma_format_idc 4", "67 64 00 1f 96"},  // ue(0) = 1, ue(4) = 00101
      {"exp-golomb longer than 32 bits", "67 42 00 1f 00 00 00 00 00 01"},
      {"crop removes the whole picture", "67 42 00 1f dd f8 9d"},  // 16x16, crop_right 8
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(parse_sps(hex(c.sps)).ok());
  }
}

TEST(ProfileLevelId, IsSixLowercaseHexDigits) {
  EXPECT_EQ(profile_level_id(hex(kX264High720Sps)), "64001f");
  EXPECT_EQ(profile_level_id(hex("67 42 c0 1f")), "42c01f");
  EXPECT_EQ(profile_level_id(hex("67 f4 ff 0a")), "f4ff0a");
}

}  // namespace
}  // namespace media::h264
